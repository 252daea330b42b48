import type { ServiceBroker } from "moleculer";
import type { InsightView, SnapshotView } from "../../../services/insights/model";
import { OUTPUT_SCHEMA, OUTPUT_SCHEMA_NAME } from "../../../services/insights/output";
import type { UsageDoc } from "../../../services/insights/model";
import type { Collection } from "../../../mixins/store/types";
import { startOpenAiSimulator, SIM_INSIGHT, type OpenAiSimulator } from "../../simulators/openai";
import { asUser, generate, ingestWeek, metricValue, seedHistory, startBroker } from "./helpers";

const USER = { id: "listener-7f3a", role: "user" as const };
const MODEL = "sim-model-x";

/** The figures the prompt carried: the JSON after "Figures (JSON):" in the user message. */
function sentFacts(sim: OpenAiSimulator, n = 0): Record<string, unknown> {
	const user = sim.requests[n].body.messages?.find(m => m.role === "user")?.content ?? "";
	return JSON.parse(user.slice(user.indexOf("{"))) as Record<string, unknown>;
}

function usageCollection(broker: ServiceBroker): Collection<UsageDoc> {
	const service = broker.getLocalService("insights") as unknown as { collection(name: string): Collection<UsageDoc> };
	return service.collection("usage");
}

describe("insights written by an LLM (fake OpenAI-compatible server)", () => {
	let sim: OpenAiSimulator;
	let broker: ServiceBroker | undefined;
	let week: SnapshotView;

	async function setup(env: Record<string, string> = {}, simOptions: Parameters<typeof startOpenAiSimulator>[0] = {}) {
		sim = await startOpenAiSimulator(simOptions);
		broker = await startBroker({ OPENAI_API_KEY: "sk-test-key", OPENAI_BASE_URL: sim.url, OPENAI_MODEL: MODEL, ...env });
		await seedHistory(broker, USER.id);
		week = await ingestWeek(broker, USER);
		return broker;
	}

	afterEach(async () => {
		await broker?.stop();
		broker = undefined;
		await sim?.close();
	});

	it("sends the snapshot's figures and the output schema, and stores the validated answer as a version", async () => {
		const b = await setup();
		const task = await generate(b, USER, week.id, "running", "playful");
		expect(task.status).toBe("done");
		expect(sim.requests).toHaveLength(1);
		const body = sim.requests[0].body;
		expect(body.model).toBe(MODEL);
		expect(body.response_format).toEqual({ type: "json_schema", json_schema: { name: OUTPUT_SCHEMA_NAME, schema: OUTPUT_SCHEMA, strict: true } });
		const facts = sentFacts(sim);
		expect(facts).toMatchObject({
			period: "week",
			periodKey: week.key,
			plays: week.figures.plays,
			listeningMinutes: week.figures.listeningMinutes,
			skipRate: week.figures.skipRate,
			meanBpm: week.figures.meanBpm,
			meanEnergy: week.figures.meanEnergy,
			topArtists: week.figures.topArtists.slice(0, 5),
			bpmHistogram: week.figures.bpmHistogram
		});
		expect(body.messages?.[1].content).toContain("Insight type: running.");
		expect(body.messages?.[1].content).toContain("Tone: playful.");
		// Aggregates only: the user's id, the API caller's token and the raw events never go out.
		expect(sim.requests[0].raw).not.toContain(USER.id);
		expect(sim.requests[0].raw).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
		expect(sim.requests[0].raw).not.toContain("msPlayed");
		expect(sim.requests[0].headers.authorization).toBe("Bearer sk-test-key");

		const { insightId, version } = task.result as { insightId: string; version: number };
		const insight = await b.call<InsightView, object>("insights.get", { id: insightId }, asUser(USER));
		expect(insight).toMatchObject({ model: MODEL, promptVersion: "v1", insightType: "running", toneMode: "playful", version: 1, calls: 1, content: SIM_INSIGHT });
		expect(version).toBe(1);
		const second = await generate(b, USER, week.id, "running", "playful");
		expect((second.result as { version: number }).version).toBe(2);
		expect(metricValue(b, "insights_generated_total", { type: "running", model: MODEL })).toBe(2);
	});

	it("retries a malformed answer once, then fails the task with a clear error and stores nothing", async () => {
		const b = await setup();
		sim.script("malformed", "malformed");
		const task = await generate(b, USER, week.id);
		expect(task.status).toBe("failed");
		expect(task.error?.type).toBe("INVALID_OUTPUT");
		expect(task.error?.message).toMatch(/not a valid insight 2 times in a row; last problem: the answer is not JSON/);
		expect(sim.requests).toHaveLength(2);
		// The second request shows the model its answer and says what was wrong with it.
		const retry = sim.requests[1].body.messages ?? [];
		expect(retry.map(m => m.role)).toEqual(["system", "user", "assistant", "user"]);
		expect(retry[3].content).toContain("could not be used: the answer is not JSON");
		const { insights } = await b.call<{ insights: InsightView[] }, object>("insights.listForUser", { id: USER.id }, asUser(USER));
		expect(insights).toHaveLength(0);
		expect(metricValue(b, "insights_failures_total", { reason: "invalid_output" })).toBe(1);

		sim.script("invalid-schema");
		const recovered = await generate(b, USER, week.id);
		expect(recovered.status).toBe("done");
		const insight = await b.call<InsightView, object>("insights.get", { id: (recovered.result as { insightId: string }).insightId }, asUser(USER));
		expect(insight.calls).toBe(2);
	});

	it("honours a 429: waits out Retry-After (every node pauses through the llm limiter), then succeeds", async () => {
		const b = await setup({}, { retryAfterSec: 1 });
		sim.script("rate-limit");
		const task = await generate(b, USER, week.id);
		expect(task.status).toBe("done");
		expect(sim.requests.map(r => r.status)).toEqual([429, 200]);
		expect(sim.requests[1].at - sim.requests[0].at).toBeGreaterThanOrEqual(950);
		expect(metricValue(b, "limiter_429_total", { limiter: "llm" })).toBe(1);
	});

	it("retries a 5xx with backoff", async () => {
		const b = await setup();
		sim.script("error");
		const task = await generate(b, USER, week.id);
		expect(task.status).toBe("done");
		expect(sim.requests.map(r => r.status)).toEqual([500, 200]);
	});

	it("ends a request that times out in a clear failure", async () => {
		const b = await setup({ OPENAI_TIMEOUT_MS: "300", OPENAI_MAX_RETRIES: "1" }, { defaultMode: "slow", slowMs: 10_000 });
		const task = await generate(b, USER, week.id);
		expect(task.status).toBe("failed");
		expect(task.error).toEqual({ type: "LLM_TIMEOUT", message: "LLM request failed after 2 attempts: no answer within 300 ms" });
		expect(sim.requests).toHaveLength(2);
		expect(metricValue(b, "insights_failures_total", { reason: "timeout" })).toBe(1);
	});

	it("accounts exactly the tokens the server reported, per insight, per user and day, and in metrics", async () => {
		const b = await setup({ OPENAI_PRICE_IN_PER_MTOK: "2.5", OPENAI_PRICE_OUT_PER_MTOK: "10" });
		sim.script("malformed", "valid", "valid");
		const first = await generate(b, USER, week.id);
		const second = await generate(b, USER, week.id, "roast", "neutral");
		const reported = sim.requests.map(r => r.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
		expect(reported).toHaveLength(3);
		const a = await b.call<InsightView, object>("insights.get", { id: (first.result as { insightId: string }).insightId }, asUser(USER));
		const c = await b.call<InsightView, object>("insights.get", { id: (second.result as { insightId: string }).insightId }, asUser(USER));
		// The first insight took two calls (a malformed answer, then a valid one): both count.
		expect([a.tokensIn, a.tokensOut]).toEqual([reported[0].prompt_tokens + reported[1].prompt_tokens, reported[0].completion_tokens + reported[1].completion_tokens]);
		expect([c.tokensIn, c.tokensOut]).toEqual([reported[2].prompt_tokens, reported[2].completion_tokens]);
		expect(a.tokensEstimated).toBeUndefined();
		expect(c.costUsd).toBe(Math.round(((c.tokensIn * 2.5 + c.tokensOut * 10) / 1e6) * 1e6) / 1e6);
		const total = reported.reduce((n, u) => n + u.total_tokens, 0);
		const usage = await usageCollection(b).find({ userId: USER.id });
		expect(usage.map(u => u.tokens)).toEqual([total]);
		expect(metricValue(b, "insights_tokens_total", { model: MODEL, direction: "in" })).toBe(reported.reduce((n, u) => n + u.prompt_tokens, 0));
		expect(metricValue(b, "insights_tokens_total", { model: MODEL, direction: "out" })).toBe(reported.reduce((n, u) => n + u.completion_tokens, 0));
		expect(metricValue(b, "insights_llm_latency_seconds", { model: MODEL })).toBe(3);
	});

	it("refuses a generation that could go over the user's daily token budget, before calling the LLM", async () => {
		const b = await setup({ INSIGHTS_DAILY_TOKEN_BUDGET: "300" });
		const task = await generate(b, USER, week.id);
		expect(task.status).toBe("failed");
		expect(task.error?.type).toBe("BUDGET_EXCEEDED");
		expect(task.error?.message).toMatch(/0 of 300 tokens used today/);
		expect(sim.requests).toHaveLength(0);
		expect(metricValue(b, "insights_failures_total", { reason: "budget" })).toBe(1);
	});
});
