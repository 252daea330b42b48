/**
 * Static checks of the container deployment: docker-compose.yml, the Prometheus and Grafana files it
 * mounts, and the Dockerfile. No Docker engine is needed; the files are parsed and inspected.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { execFileSync } from "node:child_process";
import { serviceCatalog } from "../../services";
import { findBinary } from "../harness/binaries";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { readmeBlock } from "../harness/readme";

const root = path.resolve(__dirname, "..", "..");
const read = (rel: string): string => fs.readFileSync(path.join(root, rel), "utf8");

/** Every service name a node may list in SERVICES: the entry point refuses any other. */
const KNOWN_SERVICES = Object.keys(serviceCatalog);

const APP_ROLES = {
	api: ["api", "status", "ops"],
	scheduler: ["scheduler", "catalog", "tasks", "users", "activity", "recommendations", "playlists", "insights", "scraper", "ops"],
	crawler: ["artist-crawler", "album-crawler", "audio-feature", "scraper-worker", "ops"]
} as const;
type AppRole = keyof typeof APP_ROLES;
const appRoles = Object.keys(APP_ROLES) as AppRole[];

type Yaml = Record<string, unknown>;

function isRecord(value: unknown): value is Yaml {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown, what: string): Yaml {
	if (!isRecord(value)) throw new Error(`${what} is not a mapping`);
	return value;
}

function strings(value: unknown): string[] {
	if (value === undefined || value === null) return [];
	if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
	if (Array.isArray(value)) return value.map(v => String(v));
	throw new Error(`expected a string or a list, got ${JSON.stringify(value)}`);
}

/** Reads a YAML file with `<<` merge keys resolved, as Docker Compose does. */
function readYaml(rel: string): Yaml {
	return record(parse(read(rel), { merge: true }), rel);
}

/** A service's environment as a map, whether written as a mapping or as a list of KEY=value. */
function environment(service: Yaml): Record<string, string> {
	const env = service.environment;
	const out: Record<string, string> = {};
	if (Array.isArray(env)) {
		for (const item of env) {
			const [key, ...rest] = String(item).split("=");
			out[key] = rest.join("=");
		}
	} else if (isRecord(env)) {
		for (const [key, value] of Object.entries(env)) out[key] = value === null ? "" : String(value);
	}
	return out;
}

/** Published ports as "host:container" strings (long syntax normalized to the same shape). */
function ports(service: Yaml): string[] {
	const list = service.ports;
	if (!Array.isArray(list)) return [];
	return list.map(p => (isRecord(p) ? `${String(p.published ?? "")}:${String(p.target)}` : String(p)));
}

/** Every .ts file under a directory. */
function tsFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
		const full = path.join(dir, e.name);
		return e.isDirectory() ? tsFiles(full) : e.name.endsWith(".ts") ? [full] : [];
	});
}

const compose = readYaml("docker-compose.yml");
const services = record(compose.services, "services");
const svc = (name: string): Yaml => record(services[name], `services.${name}`);

describe("docker-compose.yml", () => {
	it("uses the compose spec without a version key", () => {
		expect(compose).not.toHaveProperty("version");
	});

	it("defines the infrastructure, every app role and the observability stack", () => {
		for (const name of ["nats", "mongo", "redis", "api", "scheduler", "crawler", "proxy", "prometheus", "grafana"]) {
			expect(services).toHaveProperty(name);
		}
	});

	it("runs NATS without JetStream, which nothing uses, and a health check on its monitoring port", () => {
		const nats = svc("nats");
		expect(String(nats.image)).toMatch(/^nats:2\.10/);
		const command = strings(nats.command);
		expect(command).not.toContain("-js");
		expect(command).not.toContain("--jetstream");
		expect(command).not.toContain("-sd");
		expect(nats).not.toHaveProperty("volumes");
		expect(command).toContain("-m");
		expect(strings(record(nats.healthcheck, "nats.healthcheck").test).join(" ")).toContain("8222/healthz");
	});

	it.each(Object.keys(services))("health-checks %s", name => {
		const test = strings(record(svc(name).healthcheck, `${name}.healthcheck`).test);
		expect(test[0]).toBe("CMD");
		expect(test.length).toBeGreaterThan(1);
	});

	it.each(["scheduler", "crawler"])("health-checks %s on its metrics endpoint with the image's node", role => {
		const test = strings(record(svc(role).healthcheck, `${role}.healthcheck`).test);
		expect(test.slice(0, 3)).toEqual(["CMD", "node", "-e"]);
		expect(test[3]).toContain("http://127.0.0.1:3030/metrics");
	});

	it("runs MongoDB 7 and Redis 7 with health checks", () => {
		const mongo = svc("mongo");
		expect(String(mongo.image)).toMatch(/^mongo:7/);
		expect(strings(record(mongo.healthcheck, "mongo.healthcheck").test).join(" ")).toMatch(/mongosh.*ping/);
		const redis = svc("redis");
		expect(String(redis.image)).toMatch(/^redis:7/);
		expect(strings(record(redis.healthcheck, "redis.healthcheck").test).join(" ")).toMatch(/redis-cli.*ping/);
	});

	it("builds one image and runs it in every app role", () => {
		const images = new Set(appRoles.map(role => String(svc(role).image)));
		expect([...images]).toEqual(["cratedigger:latest"]);
		for (const role of appRoles) expect(svc(role).build).toBeDefined();
	});

	it.each(appRoles)("gives %s the cluster and store settings", role => {
		const env = environment(svc(role));
		expect(env.TRANSPORTER).toBe("nats://nats:4222");
		expect(env.MONGO_URL).toBe("mongodb://mongo:27017/cratedigger");
		expect(env.REDIS_URL).toBe("redis://redis:6379");
		expect(env.METRICS_PORT).toBe("3030");
		// Left unset so each container (and each scaled replica) gets its own hostname-pid node ID.
		expect(env).not.toHaveProperty("NODE_ID");
	});

	it.each(appRoles)("starts %s only after NATS, MongoDB and Redis", role => {
		const dependsOn = record(svc(role).depends_on, `${role}.depends_on`);
		for (const dep of ["nats", "mongo", "redis"]) {
			const condition = record(dependsOn[dep], `${role}.depends_on.${dep}`).condition;
			const hasHealthcheck = isRecord(svc(dep).healthcheck);
			expect(condition).toBe(hasHealthcheck ? "service_healthy" : "service_started");
		}
	});

	it.each(appRoles)("runs the right services in the %s role", role => {
		const names = environment(svc(role)).SERVICES.split(",").map(s => s.trim());
		expect([...names].sort()).toEqual([...APP_ROLES[role]].sort());
	});

	it("runs the roles the README's table lists", () => {
		const readme = read("README.md");
		const table = readme.slice(readme.indexOf("<!-- roles:start -->"), readme.indexOf("<!-- roles:end -->"));
		const rows = [...table.matchAll(/^\| `([a-z-]+)` \| ([a-z,-]+)/gm)].map(m => [m[1], m[2].split(",").sort()]);
		expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(appRoles.map(role => [role, [...APP_ROLES[role]].sort()])));
	});

	it("runs the roles of the README's several-terminals cluster, ops added on every node", () => {
		const nodes = readmeBlock("cluster")
			.map(step => /SERVICES=([a-z,-]+)/.exec(step.command)?.[1])
			.filter((list): list is string => list !== undefined)
			.map(list => [...list.split(","), "ops"].sort());
		expect(nodes).toEqual(appRoles.map(role => [...APP_ROLES[role]].sort()));
	});

	it("runs every service of the catalog in some role", () => {
		const deployed = new Set(appRoles.flatMap(role => environment(svc(role)).SERVICES.split(",").map(s => s.trim())));
		expect(KNOWN_SERVICES.filter(name => !deployed.has(name))).toEqual([]);
	});

	it("names only known services in SERVICES, and ops on every node", () => {
		for (const [name, value] of Object.entries(services)) {
			const env = environment(record(value, name));
			if (env.SERVICES === undefined) continue;
			const listed = env.SERVICES.split(",").map(s => s.trim());
			for (const service of listed) expect(KNOWN_SERVICES).toContain(service);
			expect(listed).toContain("ops");
		}
	});

	it("health-checks the gateway on /health", () => {
		const api = svc("api");
		expect(environment(api).PORT ?? "3000").toBe("3000");
		expect(strings(record(api.healthcheck, "api.healthcheck").test).join(" ")).toContain("/health");
	});

	it("keeps the gateway scalable behind the proxy: api publishes no port, the proxy publishes 3000", () => {
		const api = svc("api");
		expect(api).not.toHaveProperty("container_name");
		expect(ports(api)).toEqual([]);
		// The client IP is the one the proxy saw.
		expect(environment(api).TRUST_PROXY).toBe("true");
		const proxy = svc("proxy");
		expect(String(proxy.image)).toMatch(/^caddy:2/);
		// "3000:3000", or "${API_PORT:-3000}:3000" with an overridable host port.
		expect(ports(proxy)).toContainEqual(expect.stringMatching(/3000}?:3000$/));
		expect(strings(proxy.volumes)).toContain("./deploy/proxy/Caddyfile:/etc/caddy/Caddyfile:ro");
		expect(record(record(proxy.depends_on, "proxy.depends_on").api, "proxy.depends_on.api").condition).toBe("service_healthy");
		expect(Object.entries(services).filter(([, s]) => ports(record(s, "service")).some(p => /:3000$/.test(p))).map(([name]) => name)).toEqual(["proxy", "grafana"]);
	});

	it("has the proxy find every api replica through DNS and balance over them", () => {
		const caddyfile = read("deploy/proxy/Caddyfile").replace(/#.*$/gm, "");
		expect(caddyfile).toMatch(/^:3000 \{/m);
		expect(caddyfile).toMatch(/reverse_proxy \{[^]*dynamic a \{[^}]*name api[^}]*port 3000[^}]*\}/);
		expect(caddyfile).toMatch(/lb_policy round_robin/);
		// Server-sent events must not wait in a buffer.
		expect(caddyfile).toMatch(/flush_interval -1/);
	});

	it("keeps the crawler scalable: no container name, no host ports", () => {
		const crawler = svc("crawler");
		expect(crawler).not.toHaveProperty("container_name");
		expect(ports(crawler)).toEqual([]);
	});

	it("mounts the Prometheus config and the Grafana provisioning", () => {
		const promVolumes = strings(svc("prometheus").volumes);
		expect(promVolumes).toContainEqual(expect.stringMatching(/^\.\/deploy\/prometheus\/prometheus\.yml:/));
		// The rules sit beside the config, where its relative rule_files path looks.
		expect(promVolumes).toContain("./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
		expect(ports(svc("prometheus"))).toContainEqual(expect.stringMatching(/9090$/));

		const grafana = svc("grafana");
		expect(ports(grafana)).toContainEqual(expect.stringMatching(/3001}?:3000$/));
		const grafanaVolumes = strings(grafana.volumes);
		expect(grafanaVolumes).toContainEqual(expect.stringMatching(/^\.\/deploy\/grafana\/provisioning\/datasources:/));
		expect(grafanaVolumes).toContainEqual(expect.stringMatching(/^\.\/deploy\/grafana\/provisioning\/dashboards:/));
		expect(grafanaVolumes).toContain("./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro");
		for (const volume of [...promVolumes, ...grafanaVolumes]) {
			const source = volume.split(":")[0];
			if (source.startsWith("./")) expect(fs.existsSync(path.join(root, source))).toBe(true);
		}
	});
});

describeWithBinaries(["caddy"], "deploy/proxy/Caddyfile, read by Caddy itself", () => {
	it("is a valid configuration", () => {
		const out = execFileSync(findBinary("caddy") ?? "caddy", ["validate", "--config", path.join(root, "deploy/proxy/Caddyfile"), "--adapter", "caddyfile"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
		expect(out).toContain("Valid configuration");
	});

	it("adapts to one reverse proxy over the A records of api, port 3000, on :3000", () => {
		const json = execFileSync(findBinary("caddy") ?? "caddy", ["adapt", "--config", path.join(root, "deploy/proxy/Caddyfile"), "--adapter", "caddyfile"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
		const config = JSON.parse(json) as { apps: { http: { servers: Record<string, { listen: string[]; routes: Array<{ handle: Array<Record<string, unknown>> }> }> } } };
		const servers = Object.values(config.apps.http.servers);
		expect(servers.map(s => s.listen)).toEqual([[":3000"]]);
		const proxy = servers[0].routes.flatMap(r => r.handle).find(h => h.handler === "reverse_proxy");
		expect(proxy?.dynamic_upstreams).toEqual(expect.objectContaining({ source: "a", name: "api", port: "3000" }));
	});
});

describe("deploy/prometheus/prometheus.yml", () => {
	const config = readYaml("deploy/prometheus/prometheus.yml");
	const jobs = (config.scrape_configs as unknown[]).map((job, i) => record(job, `scrape_configs[${i}]`));

	/** DNS names scraped on a port at a path, over every job. */
	function scraped(): { name: string; port: number; path: string }[] {
		return jobs.flatMap(job =>
			((job.dns_sd_configs ?? []) as unknown[]).flatMap(sd => {
				const dns = record(sd, "dns_sd_config");
				return strings(dns.names).map(name => ({
					name,
					port: Number(dns.port),
					path: String(job.metrics_path ?? "/metrics")
				}));
			})
		);
	}

	it.each(appRoles)("scrapes every %s container on :3030/metrics through DNS discovery", role => {
		expect(scraped()).toContainEqual({ name: role, port: 3030, path: "/metrics" });
	});

	it("loads the alert rules", () => {
		expect(strings(config.rule_files)).toEqual(["alerts.yml"]);
	});

	it("uses A-record lookups, which return every replica of a scaled service", () => {
		for (const job of jobs) {
			for (const sd of (job.dns_sd_configs ?? []) as unknown[]) expect(record(sd, "dns_sd_config").type).toBe("A");
		}
	});
});

describe("Grafana provisioning", () => {
	it("provides the Prometheus datasource", () => {
		const file = readYaml("deploy/grafana/provisioning/datasources/prometheus.yml");
		const sources = (file.datasources as unknown[]).map((d, i) => record(d, `datasources[${i}]`));
		expect(sources).toContainEqual(
			expect.objectContaining({ type: "prometheus", uid: "prometheus", url: "http://prometheus:9090" })
		);
	});

	it("loads dashboards from the mounted folder", () => {
		const file = readYaml("deploy/grafana/provisioning/dashboards/dashboards.yml");
		const providers = (file.providers as unknown[]).map((p, i) => record(p, `providers[${i}]`));
		expect(providers.map(p => record(p.options, "provider.options").path)).toContain("/var/lib/grafana/dashboards");
	});

	describe("the cratedigger dashboard", () => {
		const text = read("deploy/grafana/dashboards/cratedigger.json");
		const dashboard = record(JSON.parse(text), "dashboard");
		const panels = (dashboard.panels as unknown[]).map((p, i) => record(p, `panels[${i}]`));
		const exprs = panels.flatMap(p =>
			((p.targets ?? []) as unknown[]).map(t => String(record(t, "target").expr ?? ""))
		);

		it("is a schema 39 dashboard on the provisioned datasource", () => {
			expect(dashboard.schemaVersion).toBe(39);
			expect(dashboard.uid).toBe("cratedigger");
			for (const panel of panels.filter(p => p.type !== "row")) {
				expect(record(panel.datasource, "panel.datasource").uid).toBe("prometheus");
			}
		});

		it("charts the crawler, limiter and Moleculer metrics", () => {
			const metrics = [
				"crawler_queue_depth",
				"crawler_tracks_processed_total",
				"crawler_errors_total",
				"crawler_api_calls_total",
				"crawler_api_errors_total",
				"crawler_job_duration_seconds_bucket",
				"limiter_queued",
				"limiter_running",
				"limiter_429_total",
				"limiter_fallback",
				"moleculer_request_total",
				"moleculer_request_error_total",
				"moleculer_request_time_bucket",
				"moleculer_registry_nodes_online_total",
				"process_memory_rss"
			];
			for (const metric of metrics) expect(exprs.some(e => e.includes(metric))).toBe(true);
		});

		it("gives every panel a unique id and a place on the grid", () => {
			const ids = panels.map(p => p.id);
			expect(new Set(ids).size).toBe(ids.length);
			for (const panel of panels) {
				const pos = record(panel.gridPos, "gridPos");
				expect(Number(pos.x) + Number(pos.w)).toBeLessThanOrEqual(24);
			}
		});
	});
});

describe("Dockerfile", () => {
	const stages = read("Dockerfile")
		.split(/^(?=FROM\s)/m)
		.filter(s => s.startsWith("FROM"));
	const final = stages[stages.length - 1];
	const instructions = final
		.split("\n")
		.map(l => l.trim())
		.filter(l => l && !l.startsWith("#"));

	it("is a multi-stage build on Node 24", () => {
		expect(stages.length).toBeGreaterThanOrEqual(2);
		for (const stage of stages) expect(stage).toMatch(/^FROM node:24[-.\w]*/);
	});

	it("installs production dependencies only in the final stage", () => {
		expect(final).toMatch(/npm ci[^\n]*--omit=dev/);
		expect(final).toMatch(/COPY --from=\w+ \S*dist/);
	});

	it("runs the compiled entry point as a non-root user", () => {
		const users = instructions.filter(l => /^USER\s/.test(l)).map(l => l.split(/\s+/)[1]);
		expect(users.length).toBeGreaterThan(0);
		expect(["root", "0", "0:0"]).not.toContain(users[users.length - 1]);
		const cmd = instructions.filter(l => /^CMD\s/.test(l)).pop();
		expect(cmd).toBeDefined();
		expect(JSON.parse(String(cmd).replace(/^CMD\s+/, ""))).toEqual(["node", "dist/bin/cratedigger.js"]);
	});

	it("ships no package only the benchmarks use: every runtime dependency is imported outside bench/ and test/", () => {
		const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };
		const sources = ["bin", "config", "mixins", "services", "repl", "types"].flatMap(dir => tsFiles(path.join(root, dir)));
		sources.push(path.join(root, "moleculer.config.ts"));
		const text = sources.map(f => fs.readFileSync(f, "utf8")).join("\n");
		// Moleculer requires moleculer-repl itself, in broker.repl(); a require.resolve (files served
		// from a package, such as the docs page's renderer) is a runtime use too.
		const loadedByOthers = new Set(["moleculer-repl"]);
		const unused = Object.keys(pkg.dependencies).filter(dep => !loadedByOthers.has(dep) && !new RegExp(`from "${dep}(/[^"]*)?"|require(\\.resolve)?\\("${dep}(/[^"]*)?"\\)|import\\("${dep}(/[^"]*)?"\\)`).test(text));
		expect(unused).toEqual([]);
	});

	it("exposes the gateway and metrics ports and leaves health checks to compose", () => {
		expect(instructions).toContainEqual(expect.stringMatching(/^EXPOSE\s+3000\s+3030$/));
		expect(instructions.some(l => /^HEALTHCHECK\s/.test(l))).toBe(false);
	});
});
