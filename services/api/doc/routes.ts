/**
 * The gateway's routes as the service schemas declare them, whichever services run now: each
 * action's `rest` key under /api/v1 (moleculer-web's autoAliases) and the compatibility route's
 * aliases. The OpenAPI document is built from this, so a node running only `api` documents the
 * whole API, and a route cannot exist without its description.
 */
import type { ActionSchema } from "moleculer";
import { compatAliases } from "../../compat/routes";
import { ROOT_BASE, rootAliases } from "../root-routes";

/** A service schema as the catalog holds it: only what routing reads. */
export interface RoutedSchema {
	name: string;
	settings?: { rest?: unknown };
	actions?: Record<string, unknown>;
	mixins?: RoutedSchema[];
}

export interface DocumentedRoute {
	method: string;
	/** The full path, with `:name` parameters as moleculer-web writes them. */
	fullPath: string;
	/** The called action's full name. */
	action: string;
	schema: ActionSchema;
}

/** The base path of /api/v1's routes and of the compatibility route (services/api.service.ts). */
const NATIVE_BASE = "/api/v1";
const COMPAT_BASE = "/";

function joinPath(...parts: string[]): string {
	return ("/" + parts.join("/")).replace(/\/+/g, "/").replace(/(.)\/$/, "$1");
}

/** A schema's actions with its mixins' under them, as Moleculer merges them (the schema's own keys win). */
export function mergedActions(schema: RoutedSchema): Map<string, ActionSchema> {
	const merged = new Map<string, ActionSchema>();
	for (const mixin of [...(schema.mixins ?? [])].reverse()) for (const [name, def] of mergedActions(mixin)) merged.set(name, def);
	for (const [name, def] of Object.entries(schema.actions ?? {})) {
		if (def === false) merged.delete(name);
		else if (typeof def === "function") merged.set(name, { ...merged.get(name), handler: def as ActionSchema["handler"] });
		else merged.set(name, { ...merged.get(name), ...(def as ActionSchema) });
	}
	return merged;
}

/** `rest` in the forms the services use: "GET /path", or a list of them; a method-less path routes every method and is not documented. */
function restEntries(rest: unknown): Array<{ method: string; path: string }> {
	const list = Array.isArray(rest) ? rest : rest === undefined ? [] : [rest];
	return list.flatMap((r: unknown) => {
		if (typeof r === "string") {
			const [method, path] = r.trim().split(/\s+/);
			return path === undefined ? [] : [{ method: method.toUpperCase(), path }];
		}
		const o = r as { method?: string; path?: string };
		return o?.method && o.path ? [{ method: o.method.toUpperCase(), path: o.path }] : [];
	});
}

export function documentedRoutes(schemas: readonly RoutedSchema[]): DocumentedRoute[] {
	const routes: DocumentedRoute[] = [];
	const byName = new Map<string, ActionSchema>();
	for (const service of schemas) {
		const base = typeof service.settings?.rest === "string" ? service.settings.rest : service.name;
		for (const [name, schema] of mergedActions(service)) {
			byName.set(`${service.name}.${name}`, schema);
			// moleculer-web routes only published actions (the default visibility).
			if (schema.visibility !== undefined && schema.visibility !== "published") continue;
			for (const { method, path } of restEntries(schema.rest)) {
				routes.push({ method, fullPath: joinPath(NATIVE_BASE, base, path), action: `${service.name}.${name}`, schema });
			}
		}
	}
	for (const [alias, action] of Object.entries(compatAliases)) {
		const [method, path] = alias.split(/\s+/);
		const schema = byName.get(action);
		if (schema) routes.push({ method, fullPath: joinPath(COMPAT_BASE, path), action, schema });
	}
	// The probes and pages: those whose action states its answers (the docs page's asset files do not).
	for (const [alias, action] of Object.entries(rootAliases)) {
		const [method, path] = alias.split(/\s+/);
		const schema = byName.get(action);
		if (schema?.responses && !routes.some(r => r.method === method && r.fullPath === joinPath(ROOT_BASE, path))) {
			routes.push({ method, fullPath: joinPath(ROOT_BASE, path), action, schema });
		}
	}
	return routes;
}
