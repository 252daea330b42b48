import { ServiceBroker, type BrokerOptions, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig, type Env } from "../../config";
import ApiService from "../../services/api.service";
import type { AuthUser } from "../../services/shared/access";
import { signAccessToken } from "../../services/users/access-token";

export const TEST_JWT_SECRET = "test-secret-test-secret-test-secret-0123";

/** The gateway's error answer; successful bodies are typed by the caller. */
export interface ErrorBody {
	error: {
		status: number;
		type: string;
		message: string;
		requestId?: string;
		/** Validation errors (422): each field at fault. */
		fields?: Array<{ field: string; type: string; message: string; expected?: unknown; actual?: unknown }>;
		data?: unknown;
	};
}

export interface RequestOptions {
	body?: unknown;
	user?: AuthUser;
	headers?: Record<string, string>;
}

export interface TestGateway {
	broker: ServiceBroker;
	/** http://127.0.0.1:<port>, without a trailing slash. */
	base: string;
	/** A bearer header for a user, signed as the gateway expects. */
	auth(user: AuthUser): { authorization: string };
	/** fetch() on base + path, with JSON in and out. */
	request<T = ErrorBody & Record<string, unknown>>(method: string, path: string, opts?: RequestOptions): Promise<{ status: number; body: T; headers: Headers }>;
	stop(): Promise<void>;
}

/**
 * A broker without a transporter running the gateway and the given services, listening on a free
 * port, with every REST alias registered before it returns.
 */
export async function startGateway(services: ServiceSchema[], env: Env = {}, options: BrokerOptions = {}): Promise<TestGateway> {
	const broker = new ServiceBroker({ logger: false, ...options });
	attachConfig(broker, testConfig({ PORT: "0", HOST: "127.0.0.1", JWT_SECRET: TEST_JWT_SECRET, ...env }));
	const api = broker.createService(ApiService as ServiceSchema) as unknown as { server: { address(): { port: number } } };
	for (const schema of services) broker.createService(schema);
	const aliasesReady = new Promise<void>(resolve => {
		broker.createService({ name: "aliases-watch", events: { "$api.aliases.regenerated": () => resolve() } });
	});
	await broker.start();
	await aliasesReady;
	const base = `http://127.0.0.1:${api.server.address().port}`;
	const auth = (user: AuthUser) => ({ authorization: `Bearer ${signAccessToken(user, TEST_JWT_SECRET, 900)}` });
	return {
		broker,
		base,
		auth,
		async request<T>(method: string, path: string, opts: RequestOptions = {}) {
			const headers: Record<string, string> = { ...(opts.user ? auth(opts.user) : {}), ...opts.headers };
			if (opts.body !== undefined) headers["content-type"] = "application/json";
			const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
			const text = await res.text();
			let body: unknown = text;
			try {
				body = text ? JSON.parse(text) : undefined;
			} catch {
				// not JSON: keep the text
			}
			return { status: res.status, body: body as T, headers: res.headers };
		},
		stop: () => broker.stop()
	};
}
