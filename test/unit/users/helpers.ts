import type { ServiceBroker } from "moleculer";
import type { Collection, Doc } from "../../../mixins/store/types";
import type { SessionView } from "../../../services/users.service";
import type { TestGateway } from "../../harness/gateway";

/** A cheaper scrypt cost than production's, so the suites register many users quickly. */
export const FAST_HASH = { PASSWORD_HASH_COST: "12" };

export const PASSWORD = "correct horse battery";

/** A collection of the local users service, to check what is stored. */
export function usersCollection<T extends Doc>(broker: ServiceBroker, name: string): Collection<T> {
	return (broker.getLocalService("users") as unknown as { collection<C extends Doc>(n: string): Collection<C> }).collection<T>(name);
}

let counter = 0;

/** Registers a user with a unique email and returns the session. */
export async function register(gw: TestGateway, overrides: Record<string, unknown> = {}): Promise<SessionView> {
	counter++;
	const res = await gw.request<SessionView>("POST", "/api/v1/users/register", {
		body: { email: `user${counter}-${Date.now()}@example.com`, password: PASSWORD, displayName: `User ${counter}`, ...overrides }
	});
	if (res.status !== 201) throw new Error(`register answered ${res.status}: ${JSON.stringify(res.body)}`);
	return res.body;
}

export function bearer(session: { accessToken: string }): { authorization: string } {
	return { authorization: `Bearer ${session.accessToken}` };
}
