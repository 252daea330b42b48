import { Errors } from "moleculer";

/** Page cursors are opaque to clients: base64url of the last id seen. */
export function encodeCursor(lastId: string): string {
	return Buffer.from(lastId, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string {
	const id = Buffer.from(cursor, "base64url").toString("utf8");
	if (!id || encodeCursor(id) !== cursor) throw new Errors.MoleculerClientError("cursor is not one this API gave out", 422, "INVALID_CURSOR");
	return id;
}
