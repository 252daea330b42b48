import { randomUUID } from "node:crypto";
import { Errors, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { configFor, type Config } from "../config";
import { encryptionKeyBytes } from "../config/auth";
import { RateLimitMixin } from "../mixins/rate-limit/rate-limit.mixin";
import type { RateLimitMethods } from "../mixins/rate-limit/types";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import { DuplicateKeyError, type Collection } from "../mixins/store/types";
import { assertSelfOrAdmin, isAdmin, notFound, requireUser, type GatewayContext } from "./shared/access";
import { accessSecret, signAccessToken } from "./users/access-token";
import { forgetAcrossServices, type ForgetReport } from "./users/forget";
import { profileView, spotifyStatus, type LoginFailureDoc, type RefreshTokenDoc, type SpotifyLinkDoc, type SpotifyStateDoc, type SpotifyStatus, type UserDoc, type UserProfile } from "./users/model";
import { dedupe, idParam, listParams, loginParams, MAX_FOLLOWING, patchParams, refreshTokenParam, registerParams, spotifyStoreParams, spotifyTokenParams, type PreferencesInput } from "./users/params";
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from "./users/passwords";
import { Sessions, type IssuedRefresh } from "./users/sessions";
import { SpotifyAuthClient } from "./users/spotify-auth";
import { notLinked, SpotifyLinks, type SpotifyAccessToken } from "./users/spotify-link";
import { LoginThrottle } from "./users/throttle";
import { canonicalEmail, registrableEmail } from "./users/emails";
import { bool, dateTime, int, list, nullable, obj, ok, ref, str } from "./api/doc/schemas";
import { FORGET_REPORT, OWNER_TOKEN, OWNER_TOKEN_EXAMPLE, SPOTIFY_AUTH_START } from "./users/responses";

/** What register, login and refresh answer. */
export interface SessionView {
	user: UserProfile;
	accessToken: string;
	tokenType: "Bearer";
	/** Seconds the access token lives. */
	expiresIn: number;
	expiresAt: string;
	refreshToken: string;
	refreshExpiresAt: string;
}

/** What the owner gets from the Spotify token routes: the link's status and a live access token. */
export type OwnerSpotifyToken = SpotifyStatus & {
	accessToken: string;
	tokenType: "Bearer";
	expiresIn: number;
	access_token: string;
	token_type: "Bearer";
	expires_in: number;
};

/** A profile as anyone may see it in the user list. */
interface PublicProfile {
	id: string;
	displayName: string;
	createdAt: string;
	email?: string;
	role?: string;
}

interface SpotifyStoreInput {
	userId: string;
	accessToken: string;
	refreshToken: string;
	expiresIn: number;
	scope?: string;
}

interface RegisterParams {
	email: string;
	password: string;
	displayName: string;
	preferences?: PreferencesInput;
}
interface PatchParams {
	id: string;
	displayName?: string;
	preferences?: PreferencesInput;
	role?: "user" | "admin";
	password?: string;
	currentPassword?: string;
}

interface UsersVars {
	config: Config;
	sessions: Sessions;
	throttle: LoginThrottle;
	spotify: SpotifyLinks;
	authClient?: SpotifyAuthClient;
	sweepTimer?: NodeJS.Timeout;
}
interface UsersMethods {
	users(): Collection<UserDoc>;
	findUser(id: string): Promise<UserDoc>;
	profile(user: UserDoc): Promise<UserProfile>;
	session(user: UserDoc, refresh?: IssuedRefresh): Promise<SessionView>;
	/** The owner's Spotify access token (refreshed when due) with the link's status; never the refresh token. */
	ownerToken(link: SpotifyLinkDoc): Promise<OwnerSpotifyToken>;
	spotifyAuthClient(): SpotifyAuthClient;
	sweep(): Promise<void>;
}
type UsersThis = Service & StoreMethods & RateLimitMethods & UsersMethods & UsersVars;

const SWEEP_INTERVAL_MS = 3600_000;

/** True when the gateway called this action for an HTTP request, false for calls from other services. */
function viaGateway(ctx: Context): boolean {
	return ctx.caller === "api";
}

function badCredentials(): Errors.MoleculerClientError {
	return new Errors.MoleculerClientError("Email or password is wrong", 401, "INVALID_CREDENTIALS");
}

/**
 * Accounts, logins (access JWT + rotating refresh tokens), profiles and preferences, follows, the
 * Spotify account link (PKCE, tokens sealed with AES-256-GCM), and a user's data deletion across
 * the cluster. See docs/api-users.md.
 */
const UsersService: ServiceSchema<ServiceSettingSchema, UsersMethods & StoreMethods & RateLimitMethods, UsersVars> = {
	name: "users",
	mixins: [StoreMixin, RateLimitMixin],
	settings: { rest: "/" },

	collections: {
		users: { indexes: [{ fields: { email: 1 }, unique: true }, { fields: { following: 1 } }] },
		refreshTokens: { indexes: [{ fields: { family: 1 } }, { fields: { userId: 1 } }, { fields: { expiresAt: 1 } }] },
		spotifyLinks: {},
		spotifyStates: { indexes: [{ fields: { userId: 1 } }, { fields: { expiresAt: 1 } }] },
		loginFailures: { indexes: [{ fields: { firstAt: 1 } }] }
	},

	actions: {
		register: {
			rest: "POST /users/register",
			summary: "Create an account and sign in",
			responses: { 201: ok("Registered and signed in: the profile and a session", ref("Session")) },
			auth: "public",
			params: registerParams,
			async handler(this: UsersThis, ctx: GatewayContext<RegisterParams>): Promise<SessionView> {
				const { password, displayName, preferences = {} } = ctx.params;
				const email = registrableEmail(ctx.params.email);
				const conflict = () => new Errors.MoleculerClientError("An account with this email exists already", 409, "EMAIL_TAKEN");
				if (await this.users().findOne({ email })) throw conflict();
				const now = Date.now();
				const admins = this.config.ADMIN_EMAILS.map(e => e.toLowerCase());
				let user: UserDoc;
				try {
					user = await this.users().insert({
						_id: randomUUID(),
						email,
						displayName,
						role: admins.includes(email) ? "admin" : "user",
						passwordHash: await hashPassword(password, this.config.PASSWORD_HASH_COST),
						preferences: {
							genres: dedupe(preferences.genres ?? []),
							artists: dedupe(preferences.artists ?? []),
							moods: dedupe(preferences.moods ?? []),
							...(typeof preferences.cadence === "number" ? { cadence: preferences.cadence } : {})
						},
						following: [],
						createdAt: now,
						updatedAt: now
					});
				} catch (err) {
					// Two registrations racing for one email: the unique index decides.
					if (err instanceof DuplicateKeyError) throw conflict();
					throw err;
				}
				ctx.meta.$statusCode = 201;
				return this.session(user);
			}
		},

		login: {
			rest: "POST /auth/login",
			summary: "Sign in with email and password",
			responses: { 200: ok("A new session", ref("Session")) },
			auth: "public",
			params: loginParams,
			async handler(this: UsersThis, ctx: GatewayContext<{ email: string; password: string }>): Promise<SessionView> {
				const { password } = ctx.params;
				// Accounts made before emails were canonical may hold other characters: they still sign in.
				const email = canonicalEmail(ctx.params.email) ?? ctx.params.email;
				await this.throttle.attempt(email);
				const user = await this.users().findOne({ email });
				const cost = this.config.PASSWORD_HASH_COST;
				const ok = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstNothing(password, cost);
				if (!user || !ok) {
					await this.throttle.failed(email);
					throw badCredentials();
				}
				await this.throttle.succeeded(email);
				if (needsRehash(user.passwordHash, cost)) {
					await this.users().update({ _id: user._id }, { $set: { passwordHash: await hashPassword(password, cost) } });
				}
				return this.session(user);
			}
		},

		refresh: {
			rest: "POST /auth/refresh",
			summary: "Trade a refresh token for a new session (the old token is spent)",
			responses: { 200: ok("A new session", ref("Session")) },
			auth: "public",
			params: { $$strict: true, refreshToken: refreshTokenParam },
			async handler(this: UsersThis, ctx: Context<{ refreshToken: string }>): Promise<SessionView> {
				const { userId, next } = await this.sessions.rotate(ctx.params.refreshToken);
				const user = await this.users().findOne({ _id: userId });
				if (!user) {
					await this.sessions.revokeUser(userId);
					throw new Errors.MoleculerClientError("The account of this refresh token is gone", 401, "INVALID_REFRESH_TOKEN");
				}
				// A new access token carries the current role, so role changes take effect here.
				return this.session(user, next);
			}
		},

		logout: {
			rest: "POST /auth/logout",
			summary: "Revoke a refresh token, or every session of its user",
			responses: { 200: ok("How many refresh tokens were revoked", obj({ revoked: int }), { revoked: 1 }) },
			auth: "public",
			params: { $$strict: true, refreshToken: refreshTokenParam, everywhere: { type: "boolean", optional: true, default: false } },
			async handler(this: UsersThis, ctx: Context<{ refreshToken: string; everywhere: boolean }>) {
				const { revoked } = await this.sessions.logout(ctx.params.refreshToken, ctx.params.everywhere);
				return { revoked };
			}
		},

		/** The profile. Through the gateway only the user themself and admins; other services may read any. */
		get: {
			rest: "GET /users/:id",
			summary: "A user's profile (the user themself or an admin)",
			responses: { 200: ok("The profile", ref("UserProfile")) },
			auth: "required",
			params: { id: idParam },
			async handler(this: UsersThis, ctx: GatewayContext<{ id: string }>): Promise<UserProfile> {
				if (viaGateway(ctx)) assertSelfOrAdmin(ctx, ctx.params.id);
				return this.profile(await this.findUser(ctx.params.id));
			}
		},

		update: {
			rest: "PATCH /users/:id",
			summary: "Change a profile: display name, preferences, password, role (admins)",
			responses: { 200: ok("The profile as changed", ref("UserProfile")) },
			auth: "required",
			params: patchParams,
			async handler(this: UsersThis, ctx: GatewayContext<PatchParams>): Promise<UserProfile> {
				const { id, displayName, preferences, role, password, currentPassword } = ctx.params;
				const caller = assertSelfOrAdmin(ctx, id);
				if (role !== undefined && !isAdmin(ctx)) throw new Errors.MoleculerClientError("Only admins change roles", 403, "FORBIDDEN");
				const user = await this.findUser(id);
				const set: Record<string, unknown> = { updatedAt: Date.now() };
				const unset: Record<string, true> = {};
				if (displayName !== undefined) set.displayName = displayName;
				if (role !== undefined) set.role = role;
				for (const list of ["genres", "artists", "moods"] as const) {
					const value = preferences?.[list];
					if (value !== undefined) set[`preferences.${list}`] = dedupe(value);
				}
				if (preferences?.cadence === null) unset["preferences.cadence"] = true;
				else if (preferences?.cadence !== undefined) set["preferences.cadence"] = preferences.cadence;
				if (password !== undefined) {
					// Only the user, knowing the current password: an admin cannot take over an account this way.
					if (caller.id !== id) throw new Errors.MoleculerClientError("Only the user themself changes their password", 403, "FORBIDDEN");
					if (currentPassword === undefined) throw new Errors.MoleculerClientError("currentPassword is missing or wrong", 403, "INVALID_CREDENTIALS");
					// A guess at the password like a login's: counted, and locked out alike.
					await this.throttle.attempt(user.email);
					if (!(await verifyPassword(currentPassword, user.passwordHash))) {
						await this.throttle.failed(user.email);
						throw new Errors.MoleculerClientError("currentPassword is missing or wrong", 403, "INVALID_CREDENTIALS");
					}
					await this.throttle.succeeded(user.email);
					set.passwordHash = await hashPassword(password, this.config.PASSWORD_HASH_COST);
				}
				const updated = await this.users().findOneAndUpdate({ _id: id }, Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set });
				if (!updated) throw notFound("User", id);
				// A new password signs every session out; access tokens run out within ACCESS_TOKEN_TTL_SEC.
				if (password !== undefined) await this.sessions.revokeUser(id);
				ctx.emit("users.updated", { id });
				return this.profile(updated);
			}
		},

		follow: {
			rest: "POST /users/:id/follow",
			summary: "Follow a user",
			responses: { 200: ok("Whom the caller follows now", obj({ following: list(str) }), { following: ["u_71ab"] }) },
			auth: "required",
			params: { id: idParam },
			async handler(this: UsersThis, ctx: GatewayContext<{ id: string }>): Promise<{ following: string[] }> {
				const me = requireUser(ctx);
				const target = ctx.params.id;
				if (target === me.id) throw new Errors.MoleculerClientError("A user cannot follow themself", 400, "INVALID_FOLLOW");
				await this.findUser(target);
				const self = await this.findUser(me.id);
				if (self.following.includes(target)) return { following: self.following };
				if (self.following.length >= MAX_FOLLOWING) {
					throw new Errors.MoleculerClientError(`A user may follow at most ${MAX_FOLLOWING} users`, 409, "FOLLOW_LIMIT");
				}
				const updated = await this.users().findOneAndUpdate({ _id: me.id }, { $addToSet: { following: target }, $set: { updatedAt: Date.now() } });
				ctx.emit("users.updated", { id: me.id });
				return { following: updated?.following ?? [] };
			}
		},

		unfollow: {
			rest: "DELETE /users/:id/follow",
			summary: "Stop following a user",
			responses: { 200: ok("Whom the caller follows now", obj({ following: list(str) }), { following: [] }) },
			auth: "required",
			params: { id: idParam },
			async handler(this: UsersThis, ctx: GatewayContext<{ id: string }>): Promise<{ following: string[] }> {
				const me = requireUser(ctx);
				const updated = await this.users().findOneAndUpdate({ _id: me.id }, { $pull: { following: ctx.params.id }, $set: { updatedAt: Date.now() } });
				if (!updated) throw notFound("User", me.id);
				ctx.emit("users.updated", { id: me.id });
				return { following: updated.following };
			}
		},

		spotifyAuthUrl: {
			rest: "GET /spotify/auth/url",
			summary: "Start linking a Spotify account: the authorization URL to send the user to",
			responses: { 200: ok("Where to send the user, and the state to expect back", SPOTIFY_AUTH_START, { url: "https://accounts.spotify.com/authorize?client_id=…&state=st_12", state: "st_12", expiresAt: "2026-12-06T21:10:00.000Z", scopes: ["user-top-read"] }) },
			auth: "required",
			async handler(this: UsersThis, ctx: GatewayContext) {
				return this.spotify.start(requireUser(ctx).id);
			}
		},

		spotifyAuthToken: {
			rest: "POST /spotify/auth/token",
			summary: "Finish linking Spotify with the code and state the redirect brought",
			responses: { 200: ok("The link and a live Spotify access token", OWNER_TOKEN, OWNER_TOKEN_EXAMPLE) },
			auth: "required",
			params: spotifyTokenParams,
			async handler(this: UsersThis, ctx: GatewayContext<{ code: string; state: string }>): Promise<OwnerSpotifyToken> {
				return this.ownerToken(await this.spotify.finish(requireUser(ctx).id, ctx.params.code, ctx.params.state));
			}
		},

		spotifyAuthRefresh: {
			rest: "POST /spotify/auth/refresh",
			summary: "Refresh the caller's Spotify access token now",
			responses: { 200: ok("The link and a fresh Spotify access token", OWNER_TOKEN, OWNER_TOKEN_EXAMPLE) },
			auth: "required",
			async handler(this: UsersThis, ctx: GatewayContext): Promise<OwnerSpotifyToken> {
				return this.ownerToken(await this.spotify.refresh(requireUser(ctx).id, true));
			}
		},

		/** GET /api/v1/spotify/auth/token: the owner's live access token, refreshed first when it is due. */
		spotifyOwnToken: {
			rest: "GET /spotify/auth/token",
			summary: "The caller's live Spotify access token, refreshed first when due",
			responses: { 200: ok("The link and a live Spotify access token", OWNER_TOKEN, OWNER_TOKEN_EXAMPLE) },
			auth: "required",
			async handler(this: UsersThis, ctx: GatewayContext): Promise<OwnerSpotifyToken> {
				const userId = requireUser(ctx).id;
				await this.spotify.accessToken(userId);
				const link = await this.spotify.status(userId);
				if (!link) throw notLinked(userId);
				return this.ownerToken(link);
			}
		},

		spotifyUnlink: {
			rest: "DELETE /spotify/auth",
			summary: "Unlink the caller's Spotify account",
			responses: { 200: ok("Unlinked; `removed` says whether there was a link", obj({ linked: { const: false }, removed: bool }), { linked: false, removed: true }) },
			auth: "required",
			async handler(this: UsersThis, ctx: GatewayContext): Promise<SpotifyStatus & { removed: boolean }> {
				return { linked: false, removed: await this.spotify.unlink(requireUser(ctx).id) };
			}
		},

		/** For other services (playlists, insights): a live user token, refreshed when within 5 minutes of expiry. */
		spotifyAccessToken: {
			visibility: "public",
			params: { userId: idParam },
			handler(this: UsersThis, ctx: Context<{ userId: string }>): Promise<SpotifyAccessToken> {
				return this.spotify.accessToken(ctx.params.userId);
			}
		},

		/** Stores Spotify tokens a client got itself (seed 001's POST /api/tokens/store); the user themself or an admin. */
		spotifyStoreTokens: {
			visibility: "public",
			params: spotifyStoreParams,
			async handler(this: UsersThis, ctx: GatewayContext<SpotifyStoreInput>): Promise<SpotifyStatus> {
				const { userId, accessToken, refreshToken, expiresIn, scope } = ctx.params;
				assertSelfOrAdmin(ctx, userId);
				await this.findUser(userId);
				const scopes = scope ? scope.split(/\s+/).filter(Boolean) : [];
				return spotifyStatus(await this.spotify.store(userId, { accessToken, refreshToken, expiresInSec: expiresIn, scopes }));
			}
		},

		/** GET /api/v1/users: everyone's public profile (id, display name, since), in id order; emails for admins. */
		list: {
			rest: "GET /users",
			summary: "Everyone's public profile, in id order (emails and roles for admins)",
			responses: { 200: ok("A page of profiles", obj({ items: list(obj({ id: str, displayName: str, createdAt: dateTime, email: str, role: str }, ["email", "role"])), nextCursor: nullable(str) }), { items: [{ id: "u_9f2c", displayName: "runner", createdAt: "2026-12-06T21:00:00.000Z" }], nextCursor: null }) },
			auth: "optional",
			params: listParams,
			async handler(this: UsersThis, ctx: GatewayContext<{ limit: number; cursor?: string }>): Promise<{ items: PublicProfile[]; nextCursor: string | null }> {
				const { limit, cursor } = ctx.params;
				const docs = await this.users().find(cursor ? { _id: { $gt: cursor } } : {}, { sort: { _id: 1 }, limit: limit + 1 });
				const page = docs.slice(0, limit);
				const admin = isAdmin(ctx);
				return {
					items: page.map(u => ({ id: u._id, displayName: u.displayName, createdAt: new Date(u.createdAt).toISOString(), ...(admin ? { email: u.email, role: u.role } : {}) })),
					nextCursor: docs.length > limit ? page[page.length - 1]._id : null
				};
			}
		},

		/** Figures for GET /admin/stats. */
		stats: {
			visibility: "public",
			idempotent: true,
			async handler(this: UsersThis) {
				const now = Date.now();
				const live = { rotatedAt: { $exists: false }, revokedAt: { $exists: false }, expiresAt: { $gt: now } };
				return {
					users: await this.users().count({}),
					admins: await this.users().count({ role: "admin" }),
					spotifyLinked: await this.collection<SpotifyLinkDoc>("spotifyLinks").count({}),
					liveSessions: await this.collection<RefreshTokenDoc>("refreshTokens").count(live),
					lockedEmails: await this.collection<LoginFailureDoc>("loginFailures").count({ lockedUntil: { $gt: now } })
				};
			}
		},

		/**
		 * Removes what the cluster holds about a user: each data-owning service's `forgetUser`, and
		 * here the refresh tokens and Spotify tokens. The account stays unless `account=true`, and
		 * then only when every service answered.
		 */
		forgetData: {
			rest: "DELETE /users/:id/data",
			summary: "Remove what every service holds about a user; with account=true the account too",
			responses: { 200: ok("What each service removed, skipped or failed to remove", FORGET_REPORT, { userId: "u_9f2c", removed: { activity: { events: 12 } }, skipped: [], failed: {}, complete: true, accountDeleted: false }) },
			auth: "required",
			params: { $$strict: true, id: idParam, account: { type: "boolean", optional: true, convert: true, default: false } },
			async handler(this: UsersThis, ctx: GatewayContext<{ id: string; account: boolean }>): Promise<ForgetReport> {
				const { id, account } = ctx.params;
				if (viaGateway(ctx)) assertSelfOrAdmin(ctx, id);
				// The user need not exist: an admin may clear what an earlier deletion left behind.
				const { removed, skipped, failed } = await forgetAcrossServices(ctx, id);
				const own: Record<string, number> = { refreshTokens: await this.sessions.forgetUser(id), ...(await this.spotify.forgetUser(id)) };
				const complete = skipped.length === 0 && Object.keys(failed).length === 0;
				let accountDeleted = false;
				if (account && complete) {
					const user = await this.users().findOne({ _id: id });
					if (user) await this.collection<LoginFailureDoc>("loginFailures").delete({ _id: user.email });
					own.account = await this.users().delete({ _id: id });
					own.followedBy = await this.users().update({ following: id }, { $pull: { following: id } }, { multi: true });
					accountDeleted = own.account > 0;
				}
				removed.users = own;
				ctx.emit("users.forgotten", { id, accountDeleted });
				// To every gateway: access tokens of the account live on until they expire, and must not.
				if (accountDeleted) ctx.broadcast("users.deleted", { id, until: Date.now() + this.config.ACCESS_TOKEN_TTL_SEC * 1000 });
				return { userId: id, removed, skipped, failed, complete, accountDeleted };
			}
		}
	},

	methods: {
		users(this: UsersThis) {
			return this.collection<UserDoc>("users");
		},

		async findUser(this: UsersThis, id: string): Promise<UserDoc> {
			const user = await this.users().findOne({ _id: id });
			if (!user) throw notFound("User", id);
			return user;
		},

		async profile(this: UsersThis, user: UserDoc): Promise<UserProfile> {
			// Callers reach here only as the user themself, an admin, or another service: all may see the email.
			return profileView(user, await this.spotify.status(user._id), true);
		},

		async session(this: UsersThis, user: UserDoc, refresh?: IssuedRefresh): Promise<SessionView> {
			const issued = refresh ?? (await this.sessions.issue(user._id));
			const ttl = this.config.ACCESS_TOKEN_TTL_SEC;
			return {
				user: await this.profile(user),
				accessToken: signAccessToken({ id: user._id, role: user.role }, accessSecret(this.config.JWT_SECRET), ttl),
				tokenType: "Bearer",
				expiresIn: ttl,
				expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
				refreshToken: issued.token,
				refreshExpiresAt: new Date(issued.expiresAt).toISOString()
			};
		},

		async ownerToken(this: UsersThis, link: SpotifyLinkDoc): Promise<OwnerSpotifyToken> {
			const token = await this.spotify.tokenOf(link);
			const expiresIn = Math.max(0, Math.floor((token.expiresAt - Date.now()) / 1000));
			const status = spotifyStatus(link);
			// Both spellings: seed 000's app reads OAuth's snake_case names.
			return { ...status, accessToken: token.accessToken, tokenType: "Bearer", expiresIn, access_token: token.accessToken, token_type: "Bearer", expires_in: expiresIn };
		},

		spotifyAuthClient(this: UsersThis): SpotifyAuthClient {
			this.authClient ??= new SpotifyAuthClient({
				accountsUrl: this.config.SPOTIFY_ACCOUNTS_URL,
				clientId: this.config.SPOTIFY_CLIENT_ID ?? "",
				timeoutMs: this.config.UPSTREAM_TIMEOUT_MS,
				limiter: this.limiter("spotify-accounts", { maxPerWindow: this.config.SPOTIFY_ACCOUNTS_RATE_PER_30S, windowMs: 30_000 })
			});
			return this.authClient;
		},

		/** Drops expired refresh tokens, pending authorizations and old login failures. */
		async sweep(this: UsersThis): Promise<void> {
			try {
				await this.sessions.sweep();
				await this.throttle.sweep();
				await this.collection<SpotifyStateDoc>("spotifyStates").delete({ expiresAt: { $lt: Date.now() } }, { multi: true });
			} catch (err) {
				this.logger.warn("users sweep failed; it runs again within the hour", err);
			}
		}
	},

	created(this: UsersThis) {
		this.config = configFor(this.broker);
	},

	started(this: UsersThis) {
		const c = this.config;
		this.sessions = new Sessions(this.collection<RefreshTokenDoc>("refreshTokens"), c.REFRESH_TOKEN_TTL_DAYS * 24 * 3600_000);
		this.throttle = new LoginThrottle(this.collection<LoginFailureDoc>("loginFailures"), c.LOGIN_MAX_FAILURES, c.LOGIN_LOCKOUT_SEC * 1000);
		this.spotify = new SpotifyLinks(
			this.collection<SpotifyLinkDoc>("spotifyLinks"),
			this.collection<SpotifyStateDoc>("spotifyStates"),
			{
				key: c.TOKEN_ENCRYPTION_KEY ? encryptionKeyBytes(c.TOKEN_ENCRYPTION_KEY) : undefined,
				clientId: c.SPOTIFY_CLIENT_ID,
				redirectUri: c.SPOTIFY_REDIRECT_URI,
				accountsUrl: c.SPOTIFY_ACCOUNTS_URL,
				scopes: c.SPOTIFY_SCOPES.split(/\s+/).filter(Boolean)
			},
			() => this.spotifyAuthClient()
		);
		this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
		this.sweepTimer.unref();
	},

	stopped(this: UsersThis) {
		if (this.sweepTimer) clearInterval(this.sweepTimer);
	}
};

export default UsersService;
