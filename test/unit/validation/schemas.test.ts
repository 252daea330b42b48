/**
 * Nodes compile params schemas on each action's first call (mixins/validation/lazy-validator.ts),
 * so a malformed schema would not stop a node from starting: this compiles every schema every
 * service and mixin declares, and checks the lazy validator answers as the eager one does.
 */
import { ServiceBroker, Validators, type ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import { LazyValidator } from "../../../mixins/validation/lazy-validator";

type Declared = { params?: unknown } | ((...args: unknown[]) => unknown) | boolean | undefined;

function schemasOf(schema: Partial<ServiceSchema>, where: string): Array<[string, Record<string, unknown>]> {
	const out: Array<[string, Record<string, unknown>]> = [];
	for (const mixin of (schema.mixins ?? []) as Array<Partial<ServiceSchema>>) out.push(...schemasOf(mixin, `${where} (mixin)`));
	for (const kind of ["actions", "events"] as const) {
		for (const [name, def] of Object.entries((schema[kind] ?? {}) as Record<string, Declared>)) {
			if (typeof def === "object" && def !== null && typeof def.params === "object" && def.params !== null) {
				out.push([`${where} ${kind} ${name}`, def.params as Record<string, unknown>]);
			}
		}
	}
	return out;
}

describe("params schemas", () => {
	const all = Object.entries(serviceCatalog).flatMap(([name, schema]) => schemasOf(schema as Partial<ServiceSchema>, name));

	it("finds the schemas of every service", () => {
		expect(all.length).toBeGreaterThan(100);
	});

	it("every declared params schema compiles", () => {
		const eager = new Validators.Fastest();
		const broken = all.filter(([, params]) => {
			try {
				eager.compile(params);
				return false;
			} catch {
				return true;
			}
		});
		expect(broken.map(([where]) => where)).toEqual([]);
	});

	it("the lazy validator gives the eager one's answers", async () => {
		const schema = { bpm: { type: "number", min: 30, max: 300, convert: true }, name: { type: "string", optional: true } };
		const eager = new Validators.Fastest().compile(schema);
		const lazy = new LazyValidator().compile(schema);
		for (const params of [{ bpm: "170" }, { bpm: 10 }, { bpm: 170, name: 5 }, {}]) {
			expect(lazy({ ...params })).toEqual(eager({ ...params }));
		}
		expect(lazy.async).toBe(eager.async);
	});

	it("a broker using it refuses bad params with the usual validation error", async () => {
		const broker = new ServiceBroker({ logger: false, validator: new LazyValidator() });
		broker.createService({ name: "v", actions: { twice: { params: { n: { type: "number" } }, handler: ctx => (ctx.params as { n: number }).n * 2 } } });
		await broker.start();
		try {
			await expect(broker.call("v.twice", { n: 4 })).resolves.toBe(8);
			await expect(broker.call("v.twice", { n: "x" })).rejects.toMatchObject({ name: "ValidationError", code: 422 });
		} finally {
			await broker.stop();
		}
	});
});
