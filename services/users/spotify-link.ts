/**
 * A user's Spotify account link: pending authorizations (state + sealed PKCE verifier, ten minutes),
 * then the tokens, sealed at rest, refreshed before they expire, with the newest refresh token
 * stored whenever Spotify sends one. Access tokens leave this class only through `accessToken`,
 * for other services and for the owner; refresh tokens never do.
 */
import { randomBytes } from "node:crypto";
import { Errors } from "moleculer";
import type { Collection } from "../../mixins/store/types";
import type { SpotifyLinkDoc, SpotifyStateDoc } from "./model";
import { seal, unseal } from "./sealed";
import { tokenHash } from "./sessions";
import { authorizeUrl, newPkce, SpotifyGrantError, type SpotifyAuthClient, type SpotifyGrant } from "./spotify-auth";

export interface SpotifyLinkSettings {
	key?: Buffer;
	clientId?: string;
	redirectUri?: string;
	accountsUrl: string;
	scopes: string[];
}

/** Access tokens closer to expiry than this are refreshed before being handed out. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
const STATE_TTL_MS = 10 * 60_000;
const MAX_PENDING_PER_USER = 10;
/** How long one node may hold a refresh before others take over. */
const LOCK_MS = 15_000;
const LOCK_POLL_MS = 100;

export interface SpotifyAccessToken {
	accessToken: string;
	expiresAt: number;
	scopes: string[];
}

const aad = (userId: string, what: "access" | "refresh" | "verifier") => `${userId}:spotify.${what}`;

export function notLinked(userId: string, why = "Spotify is not linked for this user; link it through GET /api/v1/spotify/auth/url"): Errors.MoleculerClientError {
	return new Errors.MoleculerClientError(why, 409, "SPOTIFY_NOT_LINKED", { userId });
}

function invalidState(): Errors.MoleculerClientError {
	return new Errors.MoleculerClientError("Unknown, used or expired state; start again with GET /api/v1/spotify/auth/url", 400, "SPOTIFY_INVALID_STATE");
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export class SpotifyLinks {
	private readonly inflight = new Map<string, Promise<SpotifyLinkDoc>>();

	constructor(
		private readonly links: Collection<SpotifyLinkDoc>,
		private readonly states: Collection<SpotifyStateDoc>,
		private readonly settings: SpotifyLinkSettings,
		private readonly client: () => SpotifyAuthClient
	) {}

	/** The configuration variables linking needs and lacks. */
	missing(): string[] {
		const s = this.settings;
		return [!s.key && "TOKEN_ENCRYPTION_KEY", !s.clientId && "SPOTIFY_CLIENT_ID", !s.redirectUri && "SPOTIFY_REDIRECT_URI"].filter((v): v is string => Boolean(v));
	}

	/** 503 naming the missing variables when linking is off; the key otherwise. */
	enabled(): { key: Buffer; clientId: string; redirectUri: string } {
		const missing = this.missing();
		const { key, clientId, redirectUri } = this.settings;
		if (!key || !clientId || !redirectUri) {
			throw new Errors.MoleculerError(`Spotify account linking is off on this server: set ${missing.join(", ")}`, 503, "SPOTIFY_LINKING_DISABLED", { missing });
		}
		return { key, clientId, redirectUri };
	}

	/** A new authorization: the URL to send the user to, and the state that will come back. */
	async start(userId: string): Promise<{ url: string; state: string; expiresAt: string; scopes: string[] }> {
		const { key, clientId, redirectUri } = this.enabled();
		const now = Date.now();
		await this.states.delete({ expiresAt: { $lt: now } }, { multi: true });
		if ((await this.states.count({ userId })) >= MAX_PENDING_PER_USER) await this.states.delete({ userId }, { multi: true });
		const state = randomBytes(32).toString("base64url");
		const { verifier, challenge } = newPkce();
		const expiresAt = now + STATE_TTL_MS;
		await this.states.insert({ _id: tokenHash(state), userId, verifier: seal(verifier, key, aad(userId, "verifier")), expiresAt, createdAt: now });
		const { accountsUrl, scopes } = this.settings;
		return { url: authorizeUrl({ accountsUrl, clientId, redirectUri, scopes, state, challenge }), state, expiresAt: new Date(expiresAt).toISOString(), scopes };
	}

	/** Exchanges the code that came back with `state`, and stores the tokens. A state works once. */
	async finish(userId: string, code: string, state: string): Promise<SpotifyLinkDoc> {
		const { key, redirectUri } = this.enabled();
		const _id = tokenHash(state);
		const pending = await this.states.findOne({ _id });
		if (!pending || pending.userId !== userId) throw invalidState();
		// Whoever deletes it owns it: a second request with the same state gets nothing.
		if ((await this.states.delete({ _id })) === 0 || pending.expiresAt <= Date.now()) throw invalidState();
		const verifier = unseal(pending.verifier, key, aad(userId, "verifier"));
		if (verifier === undefined) throw invalidState();
		const requestedAt = Date.now();
		let grant: SpotifyGrant;
		try {
			grant = await this.client().exchangeCode(code, verifier, redirectUri);
		} catch (err) {
			if (err instanceof SpotifyGrantError) {
				throw new Errors.MoleculerClientError(`Spotify refused the authorization code: ${err.description || err.error}`, 400, "SPOTIFY_INVALID_GRANT", { error: err.error });
			}
			throw err;
		}
		if (!grant.refreshToken) throw new Errors.MoleculerError("Spotify granted no refresh token", 502, "SPOTIFY_AUTH_FAILED");
		return this.replace(userId, key, { ...grant, refreshToken: grant.refreshToken }, requestedAt);
	}

	/**
	 * Stores tokens a client obtained itself (seed 001's POST /api/tokens/store): sealed like
	 * linked ones, refreshed the same way. Replaces any earlier link of the user.
	 */
	store(userId: string, grant: SpotifyGrant & { refreshToken: string }): Promise<SpotifyLinkDoc> {
		return this.replace(userId, this.enabled().key, grant, Date.now());
	}

	/** The user's link, new: both tokens sealed, the expiry counted from when they were asked for. */
	private async replace(userId: string, key: Buffer, grant: SpotifyGrant & { refreshToken: string }, requestedAt: number): Promise<SpotifyLinkDoc> {
		await this.links.delete({ _id: userId });
		return this.links.insert({
			_id: userId,
			access: seal(grant.accessToken, key, aad(userId, "access")),
			refresh: seal(grant.refreshToken, key, aad(userId, "refresh")),
			scopes: grant.scopes.length ? grant.scopes : this.settings.scopes,
			expiresAt: requestedAt + grant.expiresInSec * 1000,
			linkedAt: requestedAt
		});
	}

	status(userId: string): Promise<SpotifyLinkDoc | null> {
		return this.links.findOne({ _id: userId });
	}

	/** A usable access token, refreshed first when it expires within REFRESH_MARGIN_MS. */
	async accessToken(userId: string): Promise<SpotifyAccessToken> {
		let link = await this.links.findOne({ _id: userId });
		if (!link) throw notLinked(userId);
		const { key } = this.enabled();
		if (link.expiresAt - Date.now() <= REFRESH_MARGIN_MS) link = await this.refresh(userId, false);
		return this.tokenOf(link, key);
	}

	/** The access token of a link just made or refreshed, without looking at its expiry again. */
	async tokenOf(link: SpotifyLinkDoc, key = this.enabled().key): Promise<SpotifyAccessToken> {
		const accessToken = unseal(link.access, key, aad(link._id, "access"));
		if (accessToken === undefined) throw await this.unreadable(link._id);
		return { accessToken, expiresAt: link.expiresAt, scopes: link.scopes };
	}

	/** Refreshes now (`force`) or only when near expiry; one refresh per user at a time on this node. */
	refresh(userId: string, force: boolean): Promise<SpotifyLinkDoc> {
		this.enabled();
		let running = this.inflight.get(userId);
		if (!running) {
			running = this.refreshLocked(userId, force).finally(() => this.inflight.delete(userId));
			this.inflight.set(userId, running);
		}
		return running;
	}

	async unlink(userId: string): Promise<boolean> {
		return (await this.links.delete({ _id: userId })) > 0;
	}

	async forgetUser(userId: string): Promise<{ spotifyLinks: number; spotifyPending: number }> {
		return { spotifyLinks: await this.links.delete({ _id: userId }), spotifyPending: await this.states.delete({ userId }, { multi: true }) };
	}

	/**
	 * Across nodes (MongoDB) the lock in the document keeps two refreshes of one user apart: with
	 * rotation, the loser would present a refresh token Spotify has just replaced.
	 */
	private async refreshLocked(userId: string, force: boolean): Promise<SpotifyLinkDoc> {
		const startedAt = Date.now();
		const satisfied = (doc: SpotifyLinkDoc) => (force ? (doc.refreshedAt ?? 0) >= startedAt : doc.expiresAt - Date.now() > REFRESH_MARGIN_MS);
		for (;;) {
			const now = Date.now();
			const lockUntil = now + LOCK_MS;
			const claimed = await this.links.claim(
				{ _id: userId, $or: [{ lockUntil: { $exists: false } }, { lockUntil: { $lt: now } }] },
				{ _id: 1 },
				{ $set: { lockUntil } }
			);
			if (claimed) {
				if (satisfied(claimed)) {
					await this.links.update({ _id: userId, lockUntil }, { $unset: { lockUntil: true } });
					return claimed;
				}
				return this.refreshClaimed(claimed, lockUntil);
			}
			const current = await this.links.findOne({ _id: userId });
			if (!current) throw notLinked(userId);
			if (satisfied(current)) return current;
			if (Date.now() - startedAt > LOCK_MS) throw new Errors.MoleculerError("Another node is refreshing this user's Spotify token; try again", 503, "SPOTIFY_REFRESH_BUSY");
			await sleep(LOCK_POLL_MS);
		}
	}

	private async refreshClaimed(link: SpotifyLinkDoc, lockUntil: number): Promise<SpotifyLinkDoc> {
		const { key } = this.enabled();
		const userId = link._id;
		const refreshToken = unseal(link.refresh, key, aad(userId, "refresh"));
		if (refreshToken === undefined) throw await this.unreadable(userId);
		const requestedAt = Date.now();
		let grant: SpotifyGrant;
		try {
			grant = await this.client().refresh(refreshToken);
		} catch (err) {
			if (err instanceof SpotifyGrantError && err.error === "invalid_grant") {
				// Revoked by the user, or past Spotify's six months: only a new authorization helps.
				await this.links.delete({ _id: userId });
				throw notLinked(userId, `Spotify no longer accepts this user's authorization (${err.description || err.error}); link the account again`);
			}
			await this.links.update({ _id: userId, lockUntil }, { $unset: { lockUntil: true } });
			if (err instanceof SpotifyGrantError) throw new Errors.MoleculerError(err.message, 502, "SPOTIFY_AUTH_FAILED", { error: err.error });
			throw err;
		}
		const set: Record<string, unknown> = {
			access: seal(grant.accessToken, key, aad(userId, "access")),
			expiresAt: requestedAt + grant.expiresInSec * 1000,
			refreshedAt: requestedAt
		};
		if (grant.refreshToken) set.refresh = seal(grant.refreshToken, key, aad(userId, "refresh"));
		if (grant.scopes.length) set.scopes = grant.scopes;
		// Matching on our lock: if the link was replaced or removed meanwhile, the new state wins.
		const updated = await this.links.findOneAndUpdate({ _id: userId, lockUntil }, { $set: set, $unset: { lockUntil: true } });
		if (updated) return updated;
		const current = await this.links.findOne({ _id: userId });
		if (!current) throw notLinked(userId);
		return current;
	}

	/** Tokens sealed under another key cannot be used: drop them and ask for a new link. */
	private async unreadable(userId: string): Promise<Errors.MoleculerClientError> {
		await this.links.delete({ _id: userId });
		return notLinked(userId, "The stored Spotify tokens cannot be opened with the current TOKEN_ENCRYPTION_KEY; link the account again");
	}
}
