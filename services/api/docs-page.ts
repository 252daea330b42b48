import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The API docs page: Swagger UI (swagger-ui-dist, from npm, Apache-2.0) rendering the OpenAPI
 * document, with try-it against this same origin. Its script and style are served by the gateway
 * from node_modules under /api/docs/assets/, so the page needs nothing from the internet.
 */

/** Where the page loads the renderer's files from (the root route's alias). */
export const DOCS_ASSETS_PATH = "/api/docs/assets";

/** The renderer's files the page loads, with their content types; nothing else is served from the package. */
const ASSETS: Record<string, string> = {
	"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
	"swagger-ui.css": "text/css; charset=utf-8",
	"favicon-32x32.png": "image/png"
};

const assetDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const loaded = new Map<string, Buffer>();

/** One of the renderer's files, read once; undefined for any other name. */
export function docsAsset(name: string): { body: Buffer; contentType: string } | undefined {
	const contentType = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
	if (!contentType) return undefined;
	let body = loaded.get(name);
	if (!body) {
		body = readFileSync(join(assetDir, name));
		loaded.set(name, body);
	}
	return { body, contentType };
}

/** Swagger UI's settings: the document of this origin, no outside validator badge, the token kept only for the tab. */
function initScript(specUrl: string): string {
	return `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: "#swagger-ui", deepLinking: true, presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout", validatorUrl: null, persistAuthorization: false, displayRequestDuration: true, filter: true, tryItOutEnabled: false });`;
}

export function docsPage(specUrl: string): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cratedigger API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="${DOCS_ASSETS_PATH}/favicon-32x32.png">
<link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<noscript>This page needs JavaScript. The document itself: <a href="${specUrl}">${specUrl}</a>.</noscript>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script>${initScript(specUrl)}</script>
</body>
</html>
`;
}

function inlineScriptHash(html: string): string {
	const m = /<script>([\s\S]*?)<\/script>/.exec(html);
	return m ? `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'` : "'none'";
}

/**
 * Headers of the docs page: scripts only from this origin and the page's own initializer (by
 * hash), styles and images from this origin (Swagger UI's icons are data: URIs), requests only to
 * this origin (the document and try-it), no framing, no sniffing.
 */
export function docsPageHeaders(html: string): Record<string, string> {
	return {
		"Content-Security-Policy": `default-src 'none'; script-src ${inlineScriptHash(html)} 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer"
	};
}

/** Headers of the renderer's files: long-lived, since they change only with the package. */
export function docsAssetHeaders(): Record<string, string> {
	return { "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" };
}
