import { Validators } from "moleculer";

type Checker = ReturnType<Validators.Fastest["compile"]>;

/**
 * Moleculer's fastest-validator, compiling each action's params schema on its first call instead
 * of when the service is created: a node declares a few hundred schemas and compiling them all
 * was a third of its start-up CPU, most of them for actions it may never be asked. Answers are
 * the same; test/unit/validation/schemas.test.ts compiles every schema, so a malformed one still
 * fails a test rather than its first request.
 */
export class LazyValidator extends Validators.Fastest {
	override compile(schema: Record<string, unknown>): Checker {
		let compiled: Checker | undefined;
		const checker = () => (compiled ??= super.compile(schema));
		const lazy = ((params, opts) => checker()(params, opts)) as Checker;
		// Moleculer reads `async` after each check to know whether to await it.
		Object.defineProperty(lazy, "async", { get: () => checker().async });
		return lazy;
	}
}
