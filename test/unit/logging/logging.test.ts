import type { Logger } from "moleculer";
import { consoleLoggerOptions } from "../../../mixins/logging/format";
import { RepeatedLog } from "../../../mixins/logging/repeated";

function recordingLogger(): { logger: Logger; lines: string[] } {
	const lines: string[] = [];
	const at = (level: string) => (msg: string) => lines.push(`${level} ${msg}`);
	const logger = { fatal: at("fatal"), error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug"), trace: at("trace") } as Logger;
	return { logger, lines };
}

describe("log format", () => {
	it("is readable and coloured on a terminal and JSON elsewhere when auto", () => {
		expect(consoleLoggerOptions("info", "auto", true)).toMatchObject({ formatter: "full", colors: true, level: "info" });
		expect(consoleLoggerOptions("info", "auto", false)).toMatchObject({ formatter: "json", colors: false });
	});

	it("keeps an explicit format whatever the output is", () => {
		expect(consoleLoggerOptions("warn", "json", true)).toMatchObject({ formatter: "json", colors: false });
		expect(consoleLoggerOptions("warn", "short", false)).toMatchObject({ formatter: "short", colors: false });
	});
});

describe("repeated errors", () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it("log the first at once and the rest as one line per interval with a count", () => {
		const { logger, lines } = recordingLogger();
		const log = new RepeatedLog(logger, "warn", 30_000);
		for (let i = 0; i < 60; i++) log.report("Redis: connect ECONNREFUSED");
		expect(lines).toEqual(["warn Redis: connect ECONNREFUSED"]);
		jest.advanceTimersByTime(30_000);
		expect(lines).toHaveLength(2);
		expect(lines[1]).toMatch(/^warn Redis: connect ECONNREFUSED \(59 more times in the last 30 s\)$/);
		// A quiet interval ends the run; the next error starts a new one and is logged at once.
		jest.advanceTimersByTime(60_000);
		expect(lines).toHaveLength(2);
		log.report("Redis: connect ECONNREFUSED");
		expect(lines).toHaveLength(3);
		log.close();
	});

	it("keep different messages apart and sum up when the problem is resolved", () => {
		const { logger, lines } = recordingLogger();
		const log = new RepeatedLog(logger, "error", 30_000);
		log.report("a");
		log.report("b");
		log.report("a");
		log.resolved("back");
		expect(lines).toEqual(["error a", "error b", expect.stringMatching(/^error a \(1 more time in the last \d+ s\)$/), "info back"]);
		log.report("a");
		expect(lines[lines.length - 1]).toBe("error a");
		log.close();
	});
});
