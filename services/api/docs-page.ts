import { createHash } from "node:crypto";

/**
 * The API docs page: one self-contained HTML file that reads the OpenAPI document and lists every
 * route with its parameters and who may call it. No CDN, so it works on a machine without internet.
 */
export function docsPage(specUrl: string): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cratedigger API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .op { border: 1px solid #ddd; border-radius: 6px; margin: 0.6rem 0; padding: 0.5rem 0.8rem; }
.m { display: inline-block; min-width: 4.5rem; font-weight: 600; } .get { color: #0a6; } .post { color: #06c; } .patch, .put { color: #a60; } .delete { color: #c03; }
code { background: #f4f4f4; padding: 0 0.25rem; border-radius: 3px; } .auth { float: right; font-size: 0.85rem; color: #666; }
table { border-collapse: collapse; margin-top: 0.4rem; font-size: 0.9rem; } td { padding: 0.1rem 0.8rem 0.1rem 0; vertical-align: top; }
</style>
</head>
<body>
<h1>cratedigger API</h1>
<p>Generated from the live routes. Machine-readable: <a href="${specUrl}"><code>${specUrl}</code></a>.</p>
<div id="ops">Loading…</div>
<script>
const esc = s => String(s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const typeOf = s => !s ? "" : s.enum ? s.enum.join(" | ") : s.type === "array" ? (typeOf(s.items) || "any") + "[]" : (s.type || "any");
const auth = op => !op.security ? "public" : op.security.some(r => Object.keys(r).length === 0) ? "token optional" : (op.description || "").includes("Admins") ? "admin" : "signed in";
fetch(${JSON.stringify(specUrl)}).then(r => r.json()).then(doc => {
	const rows = [];
	for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
		const params = (op.parameters || []).map(p => "<tr><td><code>" + esc(p.name) + "</code></td><td>" + esc(p.in) + (p.required ? ", required" : "") + "</td><td>" + esc(typeOf(p.schema)) + "</td></tr>");
		const body = op.requestBody && op.requestBody.content["application/json"].schema;
		for (const [name, s] of Object.entries((body && body.properties) || {})) {
			params.push("<tr><td><code>" + esc(name) + "</code></td><td>body" + ((body.required || []).includes(name) ? ", required" : "") + "</td><td>" + esc(typeOf(s)) + "</td></tr>");
		}
		rows.push('<div class="op"><span class="auth">' + auth(op) + '</span><span class="m ' + method + '">' + method.toUpperCase() + "</span><code>" + esc(path) + "</code> <small>" + esc(op.operationId) + "</small>" + (params.length ? "<table>" + params.join("") + "</table>" : "") + "</div>");
	}
	document.getElementById("ops").innerHTML = rows.join("");
}).catch(err => { document.getElementById("ops").textContent = "Could not load the document: " + err; });
</script>
</body>
</html>
`;
}

function inlineHash(html: string, tag: "script" | "style"): string {
	const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html);
	return m ? `'sha256-${createHash("sha256").update(m[1]).digest("base64")}'` : "'none'";
}

/**
 * Headers of the docs page: nothing runs but its own inline script and style (by hash), it talks
 * only to this origin, no one may frame it, and no browser may sniff it as something else.
 */
export function docsPageHeaders(html: string): Record<string, string> {
	return {
		"Content-Security-Policy": `default-src 'none'; script-src ${inlineHash(html, "script")}; style-src ${inlineHash(html, "style")}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer"
	};
}
