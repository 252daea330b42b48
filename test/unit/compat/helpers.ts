/**
 * A gateway with every REST service, for replaying the seed systems' documented requests through
 * the real HTTP stack. Upstreams point at a closed port: nothing leaves the machine.
 */
import type { BrokerOptions, ServiceSchema } from "moleculer";
import type { Env } from "../../../config";
import { serviceCatalog } from "../../../services";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { freePort } from "../../harness/ports";

const SERVICES = ["tasks", "catalog", "users", "activity", "recommendations", "playlists", "insights", "status"];

export async function startCompatGateway(
	env: Env = {},
	services: ServiceSchema[] = SERVICES.map(name => serviceCatalog[name] as ServiceSchema),
	options: BrokerOptions = {}
): Promise<TestGateway> {
	const closed = await freePort();
	const nowhere = `http://127.0.0.1:${closed}`;
	return startGateway(
		services,
		{
			API_RATE_LIMIT_PER_MIN: "1000000",
			PASSWORD_HASH_COST: "12",
			ADMIN_EMAILS: "admin@example.com",
			SPOTIFY_ACCOUNTS_URL: nowhere,
			SPOTIFY_API_URL: nowhere,
			SPOTIFY_CLIENT_ID: "compat-client",
			SPOTIFY_CLIENT_SECRET: "compat-secret",
			SPOTIFY_REDIRECT_URI: `${nowhere}/callback`,
			TOKEN_ENCRYPTION_KEY: "ab".repeat(32),
			DEEZER_API_URL: nowhere,
			OPENAI_BASE_URL: `${nowhere}/v1`,
			INSIGHTS_GENERATOR: "builtin",
			INSIGHTS_SCHEDULES: "false",
			INSIGHTS_SPOTIFY_SOURCE: "false",
			STATUS_SAMPLE_MS: "300000",
			...env
		},
		options
	);
}

/** A bearer header from a seed-shaped registration answer. */
export function bearerOf(body: { access_token: string }): { authorization: string } {
	return { authorization: `Bearer ${body.access_token}` };
}
