/**
 * The gateway's routes outside /api/v1: probes, the OpenAPI document and its docs page, the status
 * page. One list, read by the gateway's root route and by the OpenAPI document (./doc/routes.ts),
 * which documents each alias whose action declares its `responses`.
 */
export const ROOT_BASE = "/";

export const rootAliases: Record<string, string> = {
	"GET health": "api.health",
	"GET ready": "api.ready",
	"GET api/openapi.json": "api.openapi",
	"GET api/docs": "api.docs",
	"GET api/docs/assets/:file": "api.docsAsset",
	"GET status": "status.page"
};
