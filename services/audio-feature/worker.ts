/**
 * The body of an analysis worker thread: decode one preview, analyse it, answer, wait for the
 * next. Every failure becomes a reply, never an exception that kills the thread.
 */
import { parentPort } from "node:worker_threads";
import { analysePcm } from "./analyse";
import { decodeMp3 } from "./decode";
import { AnalysisFailure, type WorkerReply, type WorkerRequest } from "./types";

async function handle(req: WorkerRequest): Promise<WorkerReply> {
	try {
		const started = performance.now();
		const { pcm, sampleRate } = await decodeMp3(req.bytes, req.maxSeconds);
		const decoded = performance.now();
		const analysis = analysePcm(pcm, sampleRate, req.hints, { minSeconds: req.minSeconds, minConfidence: req.minConfidence });
		return { id: req.id, ok: true, analysis, decodeMs: decoded - started, analyseMs: performance.now() - decoded };
	} catch (err) {
		if (err instanceof AnalysisFailure) return { id: req.id, ok: false, reason: err.reason, message: err.message };
		return { id: req.id, ok: false, reason: "corrupt", message: `analysis failed: ${(err as Error).message ?? String(err)}` };
	}
}

parentPort?.on("message", (req: WorkerRequest) => {
	void handle(req).then(reply => parentPort?.postMessage(reply));
});
