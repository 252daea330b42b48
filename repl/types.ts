import type { BrokerOptions } from "moleculer";

/** Moleculer's REPL command definition (not exported by name from its typings). */
export type ReplCommand = NonNullable<NonNullable<BrokerOptions["replOptions"]>["customCommands"]>[number];

/** What moleculer-repl passes to an action: positional arguments by name, and parsed options. */
export interface ReplParams {
	options?: Record<string, string | boolean | number | undefined>;
	[arg: string]: unknown;
}

export function replParams(args: unknown): ReplParams {
	return (args ?? {}) as ReplParams;
}
