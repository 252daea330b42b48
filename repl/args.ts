import type { ReplParams } from "./types";

/** A mistake in a command line: the command prints the message and its usage. */
export class UsageError extends Error {}

/** The value of `--name <value>`, or undefined; a bare `--name` without a value is a usage error. */
export function stringOption(p: ReplParams, name: string): string | undefined {
	const v = p.options?.[name];
	if (v === undefined) return undefined;
	if (typeof v === "boolean") throw new UsageError(`--${name} needs a value`);
	return String(v);
}

export function flagOption(p: ReplParams, name: string): boolean {
	const v = p.options?.[name];
	return v === true || v === "true";
}

/** Positional argument `name` as a string, when given. */
export function stringArg(p: ReplParams, name: string): string | undefined {
	const v = p[name];
	return v === undefined || v === null ? undefined : String(v);
}

/** A whole number within bounds, read strictly: "4" is 4, "4x", "-1" and "1.5" are refused. */
export function wholeNumber(text: string | undefined, what: string, min: number, max: number): number {
	if (text === undefined || !/^\d+$/.test(text.trim())) throw new UsageError(`${what} must be a whole number from ${min} to ${max}${text === undefined ? "" : ` (got "${text}")`}`);
	const n = Number(text);
	if (n < min || n > max) throw new UsageError(`${what} must be from ${min} to ${max} (got ${n})`);
	return n;
}

/** Job types look like `album.tracks`; anything else is a typo. */
export function jobType(text: string): string {
	if (!/^[a-z]+(\.[a-z]+)+$/.test(text)) throw new UsageError(`"${text}" is not a job type (like artist.discover or album.tracks)`);
	return text;
}

/** Runs a command and prints its answer; a mistake in the line prints the message with the usage. */
export async function answer(command: string, usage: string, run: () => Promise<string>): Promise<void> {
	try {
		console.log(await run());
	} catch (err) {
		console.log(`${command}: ${(err as Error).message}${err instanceof UsageError ? `\n${usage}` : ""}`);
	}
}
