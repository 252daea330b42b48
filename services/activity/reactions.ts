import { DuplicateKeyError, type Collection } from "../../mixins/store/types";
import type { Reaction, ReactionDoc } from "./model";

/** A few rounds are enough: each lost round means another request changed the same pair meanwhile. */
const ATTEMPTS = 4;

/**
 * The like/dislike state of (user, track) pairs, one document per pair under a unique index. Every
 * change reports how it moved the track's like count (+1, -1 or 0), decided by what the store
 * actually changed, so repeated or concurrent requests never count a like twice.
 */
export class Reactions {
	constructor(private readonly coll: Collection<ReactionDoc>) {}

	/** Sets the pair to `reaction`; returns how the like count moved. */
	async set(userId: string, trackId: string, reaction: Reaction, at: number): Promise<0 | 1 | -1> {
		const other: Reaction = reaction === "like" ? "dislike" : "like";
		const moved = reaction === "like" ? 1 : -1;
		for (let i = 0; i < ATTEMPTS; i++) {
			// From the other reaction: a real change of the like count.
			if (await this.coll.update({ userId, trackId, reaction: other }, { $set: { reaction, at } })) return moved;
			const existing = await this.coll.findOne({ userId, trackId });
			if (existing?.reaction === reaction) return 0;
			if (existing) continue; // changed to the other reaction meanwhile: take the first branch again
			try {
				await this.coll.insert({ userId, trackId, reaction, at });
				return reaction === "like" ? 1 : 0;
			} catch (err) {
				if (!(err instanceof DuplicateKeyError)) throw err;
			}
		}
		return 0;
	}

	/** Removes a like; -1 when there was one. */
	async unlike(userId: string, trackId: string): Promise<0 | -1> {
		return (await this.coll.delete({ userId, trackId, reaction: "like" })) > 0 ? -1 : 0;
	}

	/** Likes an unliked track or takes the like back. */
	async toggle(userId: string, trackId: string, at: number): Promise<{ liked: boolean; likeDelta: 0 | 1 | -1 }> {
		const removed = await this.unlike(userId, trackId);
		if (removed) return { liked: false, likeDelta: removed };
		return { liked: true, likeDelta: await this.set(userId, trackId, "like", at) };
	}

	/** How many users like the track now. */
	likes(trackId: string): Promise<number> {
		return this.coll.count({ trackId, reaction: "like" });
	}

	/** The user's tracks with this reaction, most recent first. */
	async tracksOf(userId: string, reaction: Reaction, limit: number): Promise<string[]> {
		const docs = await this.coll.find({ userId, reaction }, { sort: { at: -1 }, limit, projection: { trackId: 1 } });
		return docs.map(d => d.trackId);
	}

	count(userId: string, reaction: Reaction): Promise<number> {
		return this.coll.count({ userId, reaction });
	}

	/** Removes every reaction of the user; returns the track ids that lost a like, and how many dislikes went. */
	async forget(userId: string): Promise<{ unliked: string[]; dislikes: number }> {
		const docs = await this.coll.find({ userId }, { projection: { trackId: 1, reaction: 1 } });
		await this.coll.delete({ userId }, { multi: true });
		return { unliked: docs.filter(d => d.reaction === "like").map(d => d.trackId), dislikes: docs.filter(d => d.reaction === "dislike").length };
	}
}
