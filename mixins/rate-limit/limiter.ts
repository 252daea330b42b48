import type { Logger } from "moleculer";
import type { LimiterMetrics } from "./metrics";
import type { PauseBook } from "./pause";
import { clock, LimiterError, type LimiterStore, type Reservation } from "./store";
import type { Limiter, LimiterSettings, LimiterStatus } from "./types";

/** What a limiter needs from the node-wide hub that owns it. */
export interface LimiterContext {
	readonly nodeID: string;
	readonly expirationMs: number;
	readonly pauses: PauseBook;
	readonly metrics: LimiterMetrics;
	readonly logger: Logger;
	mode(): LimiterStatus["mode"];
	store(): LimiterStore;
	settingsOf(name: string): LimiterSettings;
	isOverridden(name: string): boolean;
	/** The settings Redis applied, which may carry an override this node has not heard of yet. */
	observeSettings(name: string, applied: LimiterSettings): void;
	placement(name: string): { nodes: number; rank: number; peersInFallback: number };
	/** Deals with a store's failure: falls back to local shares, or rebuilds the limiter's keys. */
	storeFailed(store: LimiterStore, name: string, err: unknown): Promise<void>;
	announcePause(name: string, durationMs: number): void;
	localShare(name: string): number | undefined;
}

interface Job {
	fn: () => Promise<unknown>;
	weight: number;
	priority: number;
	seq: number;
	queuedAt: number;
	resolve(value: unknown): void;
	reject(err: unknown): void;
}

interface Grant {
	token: string;
	store: LimiterStore;
	settings: LimiterSettings;
}

/** A reservation that waited longer than this is checked against the shared pause once more before use. */
const RECHECK_AFTER_MS = 2;
const DEFAULT_PRIORITY = 5;

/**
 * One named limiter on one node. Calls wait in a local queue, by priority (0 first, 9 last) and
 * then in order of arrival. One call at a time asks for a reservation, so a node never hoards the
 * cluster's capacity and a more urgent call is never stuck behind a long local backlog of reserved
 * slots.
 */
export class QueuedLimiter implements Limiter {
	private readonly queue: Job[] = [];
	private admitting = 0;
	private running = 0;
	private seq = 0;
	private tokens = 0;
	private pumping = false;
	private stopped = false;
	private readonly starts: number[] = [];
	private readonly sleepers = new Set<() => void>();

	constructor(
		readonly name: string,
		private readonly ctx: LimiterContext
	) {}

	schedule<T>(fn: () => Promise<T>, opts: { weight?: number; priority?: number } = {}): Promise<T> {
		const weight = opts.weight ?? 1;
		if (!Number.isInteger(weight) || weight < 1) return Promise.reject(new Error(`weight must be a positive integer (got ${weight})`));
		if (this.stopped) return Promise.reject(new LimiterError(`limiter ${this.name} is stopped`, "LIMITER_STOPPED"));
		const priority = Math.min(9, Math.max(0, Math.round(opts.priority ?? DEFAULT_PRIORITY)));
		return new Promise<T>((resolve, reject) => {
			const job: Job = { fn, weight, priority, seq: this.seq++, queuedAt: clock(), resolve: v => resolve(v as T), reject };
			let i = this.queue.length;
			while (i > 0 && this.queue[i - 1].priority > priority) i--;
			this.queue.splice(i, 0, job);
			this.reportQueue();
			void this.pump();
		});
	}

	async pauseUntil(untilMs: number, reason: string): Promise<void> {
		const now = clock();
		const duration = untilMs - now;
		if (duration <= 0) return;
		// Effective here at once, before Redis answers.
		const addedHere = this.ctx.pauses.extend(this.name, untilMs, now);
		const store = this.ctx.store();
		let added = addedHere;
		if (store.kind === "shared") {
			try {
				const r = await store.pause(this.name, duration);
				this.ctx.pauses.extend(this.name, r.until, clock());
				added = r.extendedMs;
			} catch (err) {
				await this.ctx.storeFailed(store, this.name, err);
			}
		}
		this.ctx.announcePause(this.name, duration);
		if (added > 0) {
			this.ctx.metrics.paused(this.name, added / 1000);
			this.ctx.logger.warn(`Limiter ${this.name} paused on every node for ${Math.round(duration)} ms: ${reason}`);
		}
	}

	async rateLimited(retryAfterMs: number): Promise<void> {
		this.ctx.metrics.rateLimited(this.name);
		await this.pauseUntil(clock() + Math.max(0, retryAfterMs), `rate limited upstream, retry after ${Math.round(retryAfterMs)} ms`);
	}

	async status(): Promise<LimiterStatus> {
		const now = clock();
		const settings = this.ctx.settingsOf(this.name);
		let pausedUntil = this.ctx.pauses.until(this.name, now);
		let usedInWindow: number | undefined;
		try {
			const usage = await this.ctx.store().usage(this.name, settings.windowMs);
			usedInWindow = usage.used;
			pausedUntil = Math.max(pausedUntil, usage.pausedUntil);
		} catch {
			// A status report must not fail because Redis does; the limiter itself copes with that.
		}
		while (this.starts.length && this.starts[0] <= now - 1000) this.starts.shift();
		const mode = this.ctx.mode();
		return {
			name: this.name,
			settings,
			mode,
			queued: this.queue.length + this.admitting,
			running: this.running,
			recentRatePerSec: this.starts.length,
			pausedUntil: pausedUntil > now ? Math.round(pausedUntil) : undefined,
			nodeID: this.ctx.nodeID,
			budget: mode === "shared" ? undefined : this.ctx.localShare(this.name),
			usedInWindow,
			overridden: this.ctx.isOverridden(this.name) || undefined
		};
	}

	/** Rejects every queued call; running ones finish. */
	stop(): void {
		this.stopped = true;
		for (const wake of this.sleepers) wake();
		for (const job of this.queue.splice(0)) job.reject(new LimiterError(`limiter ${this.name} stopped`, "LIMITER_STOPPED"));
		this.reportQueue();
	}

	/** Wakes the queue, for instance when a pause ends early or settings change. */
	nudge(): void {
		for (const wake of this.sleepers) wake();
	}

	private async pump(): Promise<void> {
		if (this.pumping) return;
		this.pumping = true;
		try {
			while (this.queue.length && !this.stopped) {
				const job = this.queue.shift() as Job;
				this.admitting = 1;
				let grant: Grant;
				try {
					grant = await this.admit(job);
				} catch (err) {
					job.reject(err);
					continue;
				} finally {
					this.admitting = 0;
					this.reportQueue();
				}
				this.run(job, grant);
			}
		} finally {
			this.pumping = false;
		}
	}

	private async admit(job: Job): Promise<Grant> {
		for (;;) {
			if (this.stopped) throw new LimiterError(`limiter ${this.name} stopped`, "LIMITER_STOPPED");
			const known = this.ctx.pauses.until(this.name, clock());
			if (known) {
				await this.sleep(known - clock());
				continue;
			}
			const store = this.ctx.store();
			const token = `${this.ctx.nodeID}#${++this.tokens}`;
			let r: Reservation;
			try {
				r = await store.reserve({
					name: this.name,
					settings: this.ctx.settingsOf(this.name),
					weight: job.weight,
					token,
					runningHere: this.running,
					...this.ctx.placement(this.name)
				});
			} catch (err) {
				await this.ctx.storeFailed(store, this.name, err);
				continue;
			}
			if (r.kind === "never") {
				throw new LimiterError(`a call of weight ${job.weight} can never fit under ${this.name}'s limit of ${r.settings.maxPerWindow}`, "LIMITER_WEIGHT_TOO_HIGH");
			}
			if (r.kind === "paused") {
				this.ctx.pauses.extend(this.name, r.until, clock());
				continue;
			}
			if (r.kind === "wait") {
				await this.sleep(r.until - clock());
				continue;
			}
			this.ctx.observeSettings(this.name, r.settings);
			const wait = r.startAt - clock();
			// A nudge may wake the sleep early; a reservation never starts before its time.
			for (let left = wait; left > 0 && !this.stopped; left = r.startAt - clock()) await this.sleep(Math.ceil(left));
			if (await this.stillValid(store, token, job.weight, wait)) return { token, store, settings: r.settings };
		}
	}

	/**
	 * A reservation is used only if nothing changed while it waited: same store (a reservation
	 * from Redis is not honoured once the node has fallen back, nor the reverse) and no pause since.
	 * Starting late is harmless: a call counts until one window after it ends, whenever it starts.
	 */
	private async stillValid(store: LimiterStore, token: string, weight: number, waited: number): Promise<boolean> {
		const drop = () => {
			store.cancel(this.name, token, weight).catch(() => undefined);
			return false;
		};
		if (this.stopped || this.ctx.store() !== store) return drop();
		if (this.ctx.pauses.until(this.name, clock())) return drop();
		if (waited > RECHECK_AFTER_MS && store.kind === "shared") {
			try {
				const until = await store.pausedUntil(this.name);
				if (until) {
					this.ctx.pauses.extend(this.name, until, clock());
					return drop();
				}
			} catch (err) {
				await this.ctx.storeFailed(store, this.name, err);
				return drop();
			}
		}
		return true;
	}

	private run(job: Job, grant: Grant): void {
		const started = clock();
		this.running++;
		this.starts.push(started);
		if (this.starts.length > 10000) this.starts.splice(0, this.starts.length - 10000);
		this.ctx.metrics.waited(this.name, (started - job.queuedAt) / 1000);
		this.ctx.metrics.running(this.name, this.running);
		let done = false;
		const finish = (err: unknown, value?: unknown) => {
			if (done) return;
			done = true;
			clearTimeout(expiry);
			this.running--;
			this.ctx.metrics.running(this.name, this.running);
			this.ended(job, grant);
			if (err === undefined) job.resolve(value);
			else job.reject(err);
		};
		// Like Bottleneck's `expiration`: a call that hangs gives its capacity back and its caller an error.
		const expiry = setTimeout(
			() => finish(new LimiterError(`call through limiter ${this.name} did not finish within ${this.ctx.expirationMs} ms`, "LIMITER_JOB_EXPIRED")),
			this.ctx.expirationMs
		);
		expiry.unref?.();
		Promise.resolve()
			.then(job.fn)
			.then(
				v => finish(undefined, v),
				e => finish(e ?? new Error("rejected without a reason"))
			);
	}

	/**
	 * Tells the store the call ended. If the node changed mode meanwhile, the current store hears
	 * it too: a call granted locally was handed to Redis when the node came back.
	 */
	private ended(job: Job, grant: Grant): void {
		const windowMs = grant.settings.windowMs;
		grant.store.finish(this.name, grant.token, job.weight, windowMs).catch(() => undefined);
		const now = this.ctx.store();
		if (now !== grant.store) now.finish(this.name, grant.token, job.weight, windowMs).catch(() => undefined);
		// Room may have opened here for a call waiting on the concurrency cap or on running calls.
		this.nudge();
	}

	private sleep(ms: number): Promise<void> {
		if (ms <= 0) return Promise.resolve();
		return new Promise(resolve => {
			const wake = () => {
				clearTimeout(timer);
				this.sleepers.delete(wake);
				resolve();
			};
			const timer = setTimeout(wake, ms);
			this.sleepers.add(wake);
		});
	}

	private reportQueue(): void {
		this.ctx.metrics.queued(this.name, this.queue.length + this.admitting);
	}
}
