/** Whether the gateway's answer to a malformed request is what the API promises. */
import type { Case } from "./cases";
import type { RawResponse } from "./http";

interface ErrorShape {
	status?: unknown;
	type?: unknown;
	message?: unknown;
	fields?: unknown;
	data?: unknown;
}

/** The validation problems listed in an error: `fields` (the name) or `data` (what docs/api.md documents). */
function fieldList(error: ErrorShape): unknown[] | undefined {
	const list = Array.isArray(error.fields) ? error.fields : Array.isArray(error.data) ? error.data : undefined;
	return list?.length && list.every(f => typeof (f as { field?: unknown }).field === "string" && typeof (f as { message?: unknown }).message === "string") ? list : undefined;
}

/** What is wrong with the answer, or undefined when it is right. */
export function verdict(c: Case, res: RawResponse): string | undefined {
	const { status } = res;
	if (status >= 500) return `server error ${status}`;
	if (c.expect.kind === "exact") return status === c.expect.status ? undefined : `${status} instead of ${c.expect.status}`;
	if (c.expect.kind === "4xx") {
		if (status < 400) return `accepted with ${status}`;
		if (c.expect.status !== undefined && status !== c.expect.status) return `${status} instead of ${c.expect.status}`;
	}
	if (status < 400) return undefined;
	if (!String(res.headers["content-type"] ?? "").startsWith("application/json")) return `${status} with content-type ${res.headers["content-type"] ?? "none"}: ${res.text.slice(0, 80)}`;
	const error = (res.json as { error?: ErrorShape } | undefined)?.error;
	if (!error || typeof error !== "object") return `${status} without the error object: ${res.text.slice(0, 80)}`;
	if (error.status !== status) return `${status} but error.status is ${JSON.stringify(error.status)}`;
	if (typeof error.type !== "string" || !error.type) return `${status} without error.type`;
	if (typeof error.message !== "string" || !error.message) return `${status} without error.message`;
	if (/\n\s+at /.test(res.text) || /\.ts:\d+:\d+/.test(res.text)) return `${status} leaks a stack trace`;
	if (status === 422 && error.type === "VALIDATION_ERROR" && !fieldList(error)) return `422 VALIDATION_ERROR without the list of fields: ${res.text.slice(0, 120)}`;
	return undefined;
}
