import * as os from "node:os";
import { bool, int, list, oneOf, optionalUrl, port, str } from "./vars";

/** How a node joins the cluster, what it runs and how it reports. */
export const brokerVars = {
	NODE_ID: str(`${os.hostname()}-${process.pid}`, "Moleculer node ID; must be unique in the cluster.", {
		re: /^[A-Za-z0-9._-]{1,100}$/,
		expected: "letters, digits, '.', '_' or '-' (at most 100)"
	}),
	NAMESPACE: str("cratedigger", "Moleculer namespace; only nodes of the same namespace see each other.", {
		re: /^[A-Za-z0-9_-]{0,50}$/,
		expected: "letters, digits, '_' or '-' (at most 50)"
	}),
	TRANSPORTER: optionalUrl(
		["nats"],
		"nats://host:port",
		"NATS URL that joins this node to a cluster. Unset: no transporter, every service in one process."
	),
	SERVICES: list([], "Services this node runs, comma-separated. Empty: all of them.", {
		re: /^[a-z][a-z-]*$/,
		expected: "service names"
	}),
	NODE_ENV: oneOf(["development", "production", "test"] as const, "development", "Deployment kind; production requires JWT_SECRET."),
	REPL: bool(false, "Open the Moleculer REPL on this node (same as the --repl flag)."),
	LOG_LEVEL: oneOf(["fatal", "error", "warn", "info", "debug", "trace"] as const, "info", "Log level."),
	LOG_FORMAT: oneOf(
		["auto", "json", "full", "short", "simple"] as const,
		"auto",
		"Log line format: auto is readable coloured lines on a terminal and one JSON object a line otherwise; json is always structured."
	),
	METRICS_ENABLED: bool(true, "Serve Prometheus metrics on METRICS_PORT."),
	METRICS_PORT: port(3030, "Port of this node's Prometheus endpoint (path /metrics). 0 picks a free port."),
	HEARTBEAT_INTERVAL: int(5, "Seconds between heartbeats to the other nodes.", { min: 1, max: 300 }),
	HEARTBEAT_TIMEOUT: int(15, "Seconds without a heartbeat before a node counts as gone.", { min: 2, max: 900 }),
	REQUEST_TIMEOUT: int(10000, "Default timeout of an action call, in ms.", { min: 100, max: 600000 }),
	SHUTDOWN_TIMEOUT: int(30000, "How long a stopping node waits for in-flight work, in ms.", { min: 0, max: 600000 }),
	CACHE_TTL_SEC: int(60, "Lifetime of cached action answers (in Redis when REDIS_URL is set, in memory otherwise), in seconds; 0 turns the cache off.", {
		min: 0,
		max: 86400
	})
};

/** The HTTP gateway. */
export const gatewayVars = {
	PORT: port(3000, "HTTP port of the api gateway."),
	HOST: str("0.0.0.0", "Address the api gateway and the node's metrics endpoint bind to."),
	CORS_ORIGINS: list([], "Origins allowed to call /api/v1 from a browser, comma-separated, or * for any. Empty: no CORS headers.", {
		re: /^(\*|https?:\/\/[^\s,/]+)$/,
		expected: "origins such as https://app.example.org, or *"
	}),
	TRUST_PROXY: bool(false, "Take the client IP from X-Forwarded-For (only behind a proxy you run)."),
	TRUST_PROXY_HOPS: int(1, "With TRUST_PROXY: how many proxies you run in front of the gateway. The client IP is the X-Forwarded-For entry the outermost of them added (the Nth from the right); entries left of it are the client's own claims.", {
		min: 1,
		max: 10
	}),
	API_RATE_LIMIT_PER_MIN: int(600, "Requests one client IP may make to /api/v1 per minute (cluster-wide when REDIS_URL is set); 0 turns the limit off.", {
		min: 0,
		max: 1000000
	}),
	API_BODY_LIMIT: str("1mb", "Largest JSON request body the gateway accepts.", { re: /^\d+(kb|mb)$/, expected: "a size such as 512kb or 1mb" }),
	IDEMPOTENCY_TTL_SEC: int(86400, "How long the answer to a POST sent with an Idempotency-Key is kept and replayed to a repeat of it, in seconds.", { min: 60, max: 7 * 86400 }),
	BATCH_ITEMS_PER_HOUR: int(5000, "Items (URLs of imports, say) one user may submit to batch actions per hour, cluster-wide when REDIS_URL is set; 0 turns the quota off.", {
		min: 0,
		max: 10_000_000
	}),
	BATCH_CONCURRENT_PER_USER: int(2, "Batch requests of one user a gateway node runs at once; more get a 429. 0 turns the cap off.", { min: 0, max: 1000 })
};
