import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The README's runnable blocks. A block is the fenced code right after a
 * `<!-- walkthrough:NAME -->` marker; the walkthrough test runs its commands as written.
 */
export const README = path.resolve(__dirname, "../../README.md");

export interface Step {
	/** The command as the README writes it, continuation lines joined. */
	command: string;
	/** What its output must contain: the text after `# →` on its line, if any. */
	expect?: string;
}

export function readmeBlock(name: string, text = fs.readFileSync(README, "utf8")): Step[] {
	const marker = `<!-- walkthrough:${name} -->`;
	const at = text.indexOf(marker);
	if (at < 0) throw new Error(`README.md has no ${marker}`);
	const fence = /```[a-z]*\n([\s\S]*?)```/.exec(text.slice(at + marker.length));
	if (!fence) throw new Error(`README.md has no code block after ${marker}`);
	const joined = fence[1].replace(/\\\n\s*/g, "");
	const steps: Step[] = [];
	for (const raw of joined.split("\n")) {
		const line = raw.trim();
		if (!line || line.startsWith("#")) continue;
		const arrow = /\s+#\s*→\s*(.*)$/.exec(line);
		// A plain trailing comment explains; it is not part of the command.
		const command = (arrow ? line.slice(0, arrow.index) : line.replace(/\s+#\s[^'"]*$/, "")).trim();
		steps.push(arrow ? { command, expect: arrow[1].trim() } : { command });
	}
	return steps;
}

/**
 * The README's commands name the default ports (3000, 4222, …). On a test machine those may be
 * taken, by a developer's own NATS or Redis say, so each is swapped for a free one of the test's.
 * A port the map does not know fails the test rather than reaching whatever listens there.
 */
export function withPorts(command: string, ports: Map<number, number>): string {
	const known = /(localhost:|127\.0\.0\.1:|-p |--port |PORT=)(\d{2,5})\b/g;
	return command.replace(known, (_all, prefix: string, port: string) => {
		const mapped = ports.get(Number(port));
		if (mapped === undefined) throw new Error(`the README names port ${port}, which the walkthrough test does not map: ${command}`);
		return `${prefix}${mapped}`;
	});
}
