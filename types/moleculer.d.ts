import type { CollectionSpec } from "../mixins/store/types";

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
	}
}
