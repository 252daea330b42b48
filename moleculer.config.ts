import type { BrokerOptions } from "moleculer";
import type { Config } from "./config";
import { replCommands } from "./repl/commands";
import { SafeRedisCacher, redisOptions } from "./mixins/cache/safe-redis-cacher";
import { consoleLoggerOptions } from "./mixins/logging/format";
import { LoggedNatsTransporter } from "./mixins/logging/nats-transporter";
import { IdempotentRetries, retryPolicy } from "./mixins/retry-policy";
import { RedactingConsoleLogger } from "./mixins/logging/redact";
import { zeroEmptyCounters } from "./mixins/metrics/crawler";
import { aliasingPrometheus } from "./mixins/metrics/prometheus";
import { LazyValidator } from "./mixins/validation/lazy-validator";

/**
 * Broker options for one cratedigger node, built from validated configuration. The entry point
 * (bin/cratedigger.ts) validates the configuration first and then calls this.
 */
export function brokerOptions(config: Config): BrokerOptions {
	return {
		nodeID: config.NODE_ID,
		namespace: config.NAMESPACE,
		// No transporter means one process: every service local, nothing to discover.
		transporter: config.TRANSPORTER ? new LoggedNatsTransporter({ url: config.TRANSPORTER }) : null,
		// Moleculer's console logger, redacting passwords and tokens whatever the level.
		logger: new RedactingConsoleLogger(consoleLoggerOptions(config.LOG_LEVEL, config.LOG_FORMAT)),
		// Actions that declare `cache` keep answers here; writes clean them (see each service).
		cacher: cacherOptions(config),
		// Each action's params schema compiled on its first call: start-up does not compile hundreds.
		validator: new LazyValidator(),
		requestTimeout: config.REQUEST_TIMEOUT,
		heartbeatInterval: config.HEARTBEAT_INTERVAL,
		heartbeatTimeout: config.HEARTBEAT_TIMEOUT,
		// A call to a node that died before its heartbeat timed out is retried on another node,
		// when the action is idempotent: IdempotentRetries switches retries off for the others.
		retryPolicy,
		middlewares: [IdempotentRetries],
		registry: { strategy: "RoundRobin", preferLocal: true },
		circuitBreaker: { enabled: false },
		tracking: { enabled: true, shutdownTimeout: config.SHUTDOWN_TIMEOUT },
		metrics: {
			enabled: config.METRICS_ENABLED,
			reporter: config.METRICS_ENABLED
				? [aliasingPrometheus(config.METRICS_PORT, config.HOST)]
				: []
		},
		// Counters registered by the services exist at 0 from start-up, not from their first event.
		started: broker => void zeroEmptyCounters(broker),
		// The entry point installs its own SIGINT/SIGTERM handling to drain workers first.
		skipProcessEventRegistration: true,
		replOptions: { customCommands: replCommands, delimiter: `${config.NODE_ID} $` }
	};
}

function cacherOptions(config: Config): BrokerOptions["cacher"] {
	if (config.CACHE_TTL_SEC === 0) return undefined;
	if (config.REDIS_URL) {
		return new SafeRedisCacher({ prefix: `${config.LIMITER_ID_PREFIX}-cache-`, ttl: config.CACHE_TTL_SEC, redis: redisOptions(config.REDIS_URL) });
	}
	return { type: "Memory", options: { ttl: config.CACHE_TTL_SEC, clone: true } };
}
