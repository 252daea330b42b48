import type { Server } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Requests Node's parser refuses before any route sees them (headers or URL too large, bad
 * framing) get the API's JSON error shape instead of a bare status line.
 */
export function answerClientErrors(server: Server | undefined): void {
	server?.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
		if (!socket.writable) return socket.destroy();
		const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
		const status = tooLarge ? 431 : 400;
		const reason = tooLarge ? "Request Header Fields Too Large" : "Bad Request";
		const message = tooLarge ? "The request line or headers are too large" : "The request is malformed";
		const body = JSON.stringify({ error: { status, type: tooLarge ? "HEADERS_TOO_LARGE" : "BAD_REQUEST", message } });
		socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
	});
}
