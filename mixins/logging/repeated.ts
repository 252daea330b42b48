import type { Logger } from "moleculer";

/** How often a run of identical errors is summed up in one line. */
export const REPEAT_SUMMARY_MS = 30_000;

interface Run {
	count: number;
	since: number;
}

/**
 * Logs the first of a run of identical problems at once and the rest as one line per interval
 * with a count, so a dependency that is down (Redis refusing connections twice a second) cannot
 * bury everything else in the log.
 */
export class RepeatedLog {
	private readonly runs = new Map<string, Run>();
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly logger: Logger,
		private readonly level: "warn" | "error" = "warn",
		private readonly intervalMs = REPEAT_SUMMARY_MS
	) {}

	report(message: string): void {
		const run = this.runs.get(message);
		if (run) {
			run.count++;
			return;
		}
		this.runs.set(message, { count: 0, since: Date.now() });
		this.logger[this.level](message);
		this.timer ??= setInterval(() => this.flush(), this.intervalMs);
		this.timer.unref();
	}

	/** The problem is over: say how often it repeated since the last line, and start afresh. */
	resolved(message?: string): void {
		this.flush();
		this.runs.clear();
		this.stopTimer();
		if (message) this.logger.info(message);
	}

	close(): void {
		this.flush();
		this.runs.clear();
		this.stopTimer();
	}

	private flush(): void {
		const now = Date.now();
		for (const [message, run] of this.runs) {
			if (run.count === 0) {
				// Nothing new since the last line: the run is over.
				this.runs.delete(message);
				continue;
			}
			this.logger[this.level](`${message} (${run.count} more time${run.count === 1 ? "" : "s"} in the last ${Math.round((now - run.since) / 1000)} s)`);
			run.count = 0;
			run.since = now;
		}
		if (this.runs.size === 0) this.stopTimer();
	}

	private stopTimer(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}
}
