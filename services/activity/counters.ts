import { DuplicateKeyError, type Collection, type Doc, type Filter, type Update } from "../../mixins/store/types";
import type { EventDoc, HourDoc, Tally, TrackHourDoc, TrackTotalsDoc, UserActivityDoc } from "./model";
import { addTally, emptyTally, eventTally, tallyInc } from "./tally";
import { hourAtOrAfter, hourOf } from "./window";

export interface CounterCollections {
	events: Collection<EventDoc>;
	trackHours: Collection<TrackHourDoc>;
	hours: Collection<HourDoc>;
	trackTotals: Collection<TrackTotalsDoc>;
	users: Collection<UserActivityDoc>;
}

/** An upsert that lost an insert race to another node's upsert of the same key updates the winner. */
async function upsert<T extends Doc>(coll: Collection<T>, filter: Filter, update: Update): Promise<void> {
	try {
		await coll.upsert(filter, update);
	} catch (err) {
		if (!(err instanceof DuplicateKeyError)) throw err;
		await coll.update(filter, update);
	}
}

/**
 * Pre-aggregated counters beside the event log: per track per hour, platform-wide per hour, per
 * track since the beginning, and each user's first and last activity. Windowed questions read the
 * hourly counters for the whole hours of the window and the raw events only for the partial hour
 * at its start, so a 30-day window costs at most one hour of events and is still exact.
 */
export class Counters {
	constructor(private readonly c: CounterCollections) {}

	/** Adds a stored event to every counter. */
	async add(e: EventDoc): Promise<void> {
		const tally = eventTally(e);
		const hour = hourOf(e.at);
		const inc = tallyInc(tally);
		if (Object.keys(inc).length > 0) {
			await upsert(this.c.trackHours, { trackId: e.trackId, hour }, { $inc: inc });
			await upsert(this.c.hours, { _id: String(hour) }, { $inc: inc, $setOnInsert: { hour } });
			await upsert(this.c.trackTotals, { _id: e.trackId }, { $inc: inc });
		}
		await upsert(this.c.users, { _id: e.userId }, { $inc: { events: 1 }, $setOnInsert: { firstAt: e.at, lastAt: e.at } });
		// No $max/$min in the store contract: move the bounds only when this event lies beyond them.
		await this.c.users.update({ _id: e.userId, lastAt: { $lt: e.at } }, { $set: { lastAt: e.at } });
		await this.c.users.update({ _id: e.userId, firstAt: { $gt: e.at } }, { $set: { firstAt: e.at } });
	}

	/** Takes likes back from the tracks' lifetime totals (a user's data was deleted). */
	async removeLikes(trackIds: string[]): Promise<void> {
		for (const id of trackIds) await this.c.trackTotals.update({ _id: id }, { $inc: { likes: -1 } });
	}

	/** Per track counters for the span from `from` until now. */
	async tracksSince(from: number): Promise<Map<string, Tally>> {
		const out = new Map<string, Tally>();
		const into = (trackId: string) => {
			let t = out.get(trackId);
			if (!t) out.set(trackId, (t = emptyTally()));
			return t;
		};
		const whole = hourAtOrAfter(from);
		for (const e of await this.edgeEvents(from, whole)) addTally(into(e.trackId), eventTally(e));
		for (const doc of await this.c.trackHours.find({ hour: { $gte: whole } })) addTally(into(doc.trackId), doc);
		return out;
	}

	/** Platform-wide counters for the span from `from` until now. */
	async platformSince(from: number): Promise<Tally> {
		const total = emptyTally();
		const whole = hourAtOrAfter(from);
		for (const e of await this.edgeEvents(from, whole)) addTally(total, eventTally(e));
		for (const doc of await this.c.hours.find({ hour: { $gte: whole } })) addTally(total, doc);
		return total;
	}

	/** Lifetime counters of some tracks, zeros for tracks never seen. */
	async totals(ids: string[]): Promise<Map<string, Tally>> {
		const docs = await this.c.trackTotals.find({ _id: { $in: ids } });
		const byId = new Map(docs.map(d => [d._id, d]));
		return new Map(ids.map(id => [id, addTally(emptyTally(), byId.get(id) ?? {})]));
	}

	/** Users with an event at or after `since`. */
	async activeSince(since: number): Promise<string[]> {
		const docs = await this.c.users.find({ lastAt: { $gte: since } }, { sort: { lastAt: -1 }, projection: { _id: 1 } });
		return docs.map(d => d._id);
	}

	countActiveSince(since: number): Promise<number> {
		return this.c.users.count({ lastAt: { $gte: since } });
	}

	user(userId: string): Promise<UserActivityDoc | null> {
		return this.c.users.findOne({ _id: userId });
	}

	forgetUser(userId: string): Promise<number> {
		return this.c.users.delete({ _id: userId });
	}

	/** The raw events of the partial hour at the start of a window. */
	private edgeEvents(from: number, until: number): Promise<EventDoc[]> {
		if (until <= from) return Promise.resolve([]);
		return this.c.events.find({ at: { $gte: from, $lt: until } }, { projection: { trackId: 1, type: 1, msPlayed: 1, likeDelta: 1 } });
	}
}
