import type { LoggerConfig } from "moleculer";

export type LogFormat = "auto" | "json" | "full" | "short" | "simple";

/**
 * Console logger options for a LOG_FORMAT. `auto` gives people readable coloured lines on a
 * terminal and gives machines (a pipe, a file, a container's log driver) one JSON object a line.
 */
export function consoleLogger(level: string, format: LogFormat, stdoutIsTTY = Boolean(process.stdout.isTTY)): LoggerConfig {
	const resolved = format === "auto" ? (stdoutIsTTY ? "full" : "json") : format;
	return {
		type: "Console",
		options: { level, formatter: resolved, colors: resolved !== "json" && stdoutIsTTY, moduleColors: false }
	};
}
