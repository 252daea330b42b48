/**
 * Reads CUE sheets with an independent parser from npm (@gplane/cue, MIT). It is an ES module
 * and jest runs CommonJS, so it runs in a child Node process: sheets in on stdin, JSON out.
 * Its strictFileCommandPosition is left off: CDRWIN wants FILE before TITLE and PERFORMER, but
 * sheets in the wild (and REFERENCE.md) put the disc-level lines first, and players read them.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export interface ReadIndex {
	number: number;
	startingTime: [number, number, number];
}
export interface ReadTrack {
	trackNumber: number;
	title?: string;
	performer?: string;
	indexes: ReadIndex[];
}
export interface ReadSheet {
	title?: string;
	performer?: string;
	comments: string[];
	files: Array<{ name: string; type: number; tracks: ReadTrack[] }>;
}
export interface ReadResult {
	sheet: ReadSheet;
	errors: Array<{ kind: number; line: number; message: string }>;
}

const PROGRAM = `
import { parse, ErrorKind } from "@gplane/cue";
let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(text => {
	const { sheet, errors } = parse(text, { fatal: false, checkAtLeastOneTrack: true, strictTitleLength: true, strictPerformerLength: true });
	return { sheet, errors: errors.map(e => ({ kind: e.kind, line: e.position?.line ?? e.line ?? -1, message: ErrorKind[e.kind] ?? String(e.kind) })) };
});
process.stdout.write(JSON.stringify(out));
`;

export function readCueSheets(texts: string[]): ReadResult[] {
	const root = path.resolve(__dirname, "../../..");
	const run = spawnSync(process.execPath, ["--input-type=module", "-e", PROGRAM], { cwd: root, input: JSON.stringify(texts), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
	if (run.status !== 0) throw new Error(`@gplane/cue could not run: ${run.stderr}`);
	return JSON.parse(run.stdout) as ReadResult[];
}

/** mm:ss:ff as ms, floored to the frame. */
export function indexMs([m, s, f]: [number, number, number]): number {
	return (m * 60 + s) * 1000 + Math.floor((f * 1000) / 75);
}
