import type { CollectionSpec } from "../mixins/store/types";
import type { ActionResponses } from "../services/api/doc/types";

declare module "moleculer" {
	interface ServiceSchema {
		/** Collections this service owns, created with their indexes by the store mixin. */
		collections?: Record<string, CollectionSpec>;
	}
	interface ActionSchema {
		/**
		 * Who may call this action through the gateway: anyone ("public", the default), anyone with
		 * the user attached when a valid token comes ("optional"), signed-in users ("required") or
		 * admins ("admin").
		 */
		auth?: "public" | "optional" | "required" | "admin";
		/** The action's own call timeout in ms (Moleculer honours it; its typings lack it). */
		timeout?: number;
		/**
		 * Whether running the action twice is harmless, which lets the broker retry it after a
		 * timeout or a lost node. Unset: true for actions routed only for GET, false otherwise
		 * (mixins/retry-policy.ts).
		 */
		idempotent?: boolean;
		/**
		 * Batch work: the param holding the list of items one call submits. The gateway counts
		 * those items against the caller's hourly quota and caps their concurrent batch calls.
		 */
		batch?: { items: string };
		/** A routed action's one-line summary in the OpenAPI document and on /api/docs. */
		summary?: string;
		/**
		 * A routed action's success answers by status, each with its body's JSON Schema and an
		 * example (services/api/doc). Every routed action declares them: a test says so.
		 */
		responses?: ActionResponses;
	}
}
