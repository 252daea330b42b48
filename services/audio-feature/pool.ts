/**
 * A fixed pool of worker threads for decoding and analysis, so the broker's event loop stays free
 * for heartbeats and calls while a node analyses. Tasks queue in order; each worker runs one at a
 * time. A worker that takes longer than the task timeout is terminated and replaced, and one that
 * dies takes only its own task with it: both end that task with a transient failure.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { AnalysisFailure, type AnalysisHints, type AudioAnalysis, type WorkerReply, type WorkerRequest } from "./types";

export interface PoolOptions {
	size: number;
	/** Longest one task may run before its worker is replaced. */
	taskTimeoutMs: number;
	maxSeconds: number;
	minSeconds: number;
	minConfidence: number;
	/** The compiled worker script; found next to this file (or in dist/ when run from sources). */
	workerFile?: string;
}

export interface PoolResult {
	analysis: AudioAnalysis;
	decodeMs: number;
	analyseMs: number;
}

export interface PoolStatus {
	size: number;
	busy: number;
	queued: number;
	completed: number;
	failed: number;
	/** Workers replaced after a timeout or a crash. */
	replaced: number;
}

interface Task {
	id: number;
	bytes: Uint8Array;
	hints: AnalysisHints;
	resolve(result: PoolResult): void;
	reject(err: Error): void;
}

interface Slot {
	worker: Worker;
	task?: Task;
	timer?: NodeJS.Timeout;
}

/** The worker's compiled file: beside this one in dist/, or under dist/ when this runs from TypeScript (tests). */
export function defaultWorkerFile(): string {
	if (__filename.endsWith(".js")) return path.join(__dirname, "worker.js");
	return path.resolve(__dirname, "../../dist/services/audio-feature/worker.js");
}

export class AnalysisPool {
	private readonly slots = new Set<Slot>();
	private readonly queue: Task[] = [];
	private readonly workerFile: string;
	private nextId = 1;
	private closed = false;
	private stats = { completed: 0, failed: 0, replaced: 0 };

	constructor(private readonly options: PoolOptions) {
		this.workerFile = options.workerFile ?? defaultWorkerFile();
	}

	/** Decodes and analyses one MP3. Rejects with an AnalysisFailure for anything wrong with the file or the run. */
	run(bytes: Uint8Array, hints: AnalysisHints = {}): Promise<PoolResult> {
		if (this.closed) return Promise.reject(new AnalysisFailure("crashed", "the analysis pool is closed"));
		return new Promise<PoolResult>((resolve, reject) => {
			this.queue.push({ id: this.nextId++, bytes, hints, resolve, reject });
			this.pump();
		});
	}

	status(): PoolStatus {
		const busy = [...this.slots].filter(s => s.task).length;
		return { size: this.options.size, busy, queued: this.queue.length, ...this.stats };
	}

	async close(): Promise<void> {
		this.closed = true;
		for (const task of this.queue.splice(0)) task.reject(new AnalysisFailure("crashed", "the analysis pool was closed"));
		const slots = [...this.slots];
		this.slots.clear();
		for (const slot of slots) {
			clearTimeout(slot.timer);
			slot.task?.reject(new AnalysisFailure("crashed", "the analysis pool was closed"));
			slot.task = undefined;
		}
		await Promise.all(slots.map(s => s.worker.terminate().catch(() => 0)));
	}

	private spawn(): Slot {
		if (!fs.existsSync(this.workerFile)) {
			throw new Error(`the analysis worker ${this.workerFile} does not exist: build first (npm run build)`);
		}
		// Memory is capped so one pathological file cannot take the node down with it.
		const worker = new Worker(this.workerFile, { resourceLimits: { maxOldGenerationSizeMb: 256 } });
		const slot: Slot = { worker };
		worker.on("message", (reply: WorkerReply) => this.finish(slot, reply));
		worker.on("error", err => this.lose(slot, `the analysis worker crashed (${err.message})`));
		worker.on("exit", code => this.lose(slot, `the analysis worker exited (code ${code})`));
		worker.unref();
		this.slots.add(slot);
		return slot;
	}

	private pump(): void {
		while (this.queue.length > 0) {
			let slot = [...this.slots].find(s => !s.task);
			if (!slot) {
				if (this.slots.size >= this.options.size) return;
				try {
					slot = this.spawn();
				} catch (err) {
					for (const task of this.queue.splice(0)) task.reject(err as Error);
					return;
				}
			}
			this.start(slot, this.queue.shift() as Task);
		}
	}

	private start(slot: Slot, task: Task): void {
		slot.task = task;
		// A busy worker keeps the process alive; an idle one does not.
		slot.worker.ref();
		slot.timer = setTimeout(() => {
			this.retire(slot, new AnalysisFailure("timeout", `analysis took longer than ${this.options.taskTimeoutMs} ms`));
		}, this.options.taskTimeoutMs);
		// The bytes are copied into a buffer of their own and moved, not cloned, to the worker.
		const bytes = Uint8Array.from(task.bytes);
		const request: WorkerRequest = {
			id: task.id,
			bytes,
			hints: task.hints,
			maxSeconds: this.options.maxSeconds,
			minSeconds: this.options.minSeconds,
			minConfidence: this.options.minConfidence
		};
		slot.worker.postMessage(request, [bytes.buffer]);
	}

	private finish(slot: Slot, reply: WorkerReply): void {
		const task = slot.task;
		if (!task || task.id !== reply.id) return;
		clearTimeout(slot.timer);
		slot.task = undefined;
		slot.worker.unref();
		if (reply.ok) {
			this.stats.completed++;
			task.resolve({ analysis: reply.analysis, decodeMs: reply.decodeMs, analyseMs: reply.analyseMs });
		} else {
			this.stats.failed++;
			task.reject(new AnalysisFailure(reply.reason, reply.message));
		}
		this.pump();
	}

	/** Ends the slot's task with `failure` and replaces the worker. */
	private retire(slot: Slot, failure: AnalysisFailure): void {
		if (!this.slots.delete(slot)) return;
		clearTimeout(slot.timer);
		this.stats.replaced++;
		const task = slot.task;
		slot.task = undefined;
		if (task) {
			this.stats.failed++;
			task.reject(failure);
		}
		void slot.worker.terminate().catch(() => 0);
		if (!this.closed) this.pump();
	}

	private lose(slot: Slot, message: string): void {
		this.retire(slot, new AnalysisFailure("crashed", message));
	}
}
