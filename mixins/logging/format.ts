import type { LogLevels } from "moleculer";

export type LogFormat = "auto" | "json" | "full" | "short" | "simple";

/**
 * Console logger options for a LOG_FORMAT. `auto` gives people readable coloured lines on a
 * terminal and gives machines (a pipe, a file, a container's log driver) one JSON object a line.
 */
export function consoleLoggerOptions(level: LogLevels, format: LogFormat, stdoutIsTTY = Boolean(process.stdout.isTTY)): ConsoleLoggerOptions {
	const resolved = format === "auto" ? (stdoutIsTTY ? "full" : "json") : format;
	return { level, formatter: resolved, colors: resolved !== "json" && stdoutIsTTY, moduleColors: false };
}

export interface ConsoleLoggerOptions {
	level: LogLevels;
	formatter: Exclude<LogFormat, "auto">;
	colors: boolean;
	moduleColors: boolean;
}
