import { SignalCache } from "../../../services/recommendations/signal-cache";
import { NO_SIGNALS, type UserSignals } from "../../../services/recommendations/signals";

const signals = (liked: string[] = []): UserSignals => ({ liked, disliked: [], skipped: {}, likedArtists: [] });

describe("SignalCache", () => {
	it("reads a user's signals once and again after they are dropped", async () => {
		const cache = new SignalCache(60_000);
		const fetch = jest.fn(async () => signals());
		await cache.get("u1", fetch);
		await cache.get("u1", fetch);
		expect(fetch).toHaveBeenCalledTimes(1);
		cache.drop("u1");
		await cache.get("u1", fetch);
		expect(fetch).toHaveBeenCalledTimes(2);
	});

	it("does not keep a read that a drop overtook", async () => {
		const cache = new SignalCache(60_000);
		let release: (s: UserSignals) => void = () => undefined;
		const slow = cache.get("u1", () => new Promise<UserSignals>(resolve => (release = resolve)));
		cache.drop("u1");
		release(signals(["stale"]));
		await slow;
		const fresh = await cache.get("u1", async () => signals(["fresh"]));
		expect(fresh.liked).toEqual(["fresh"]);
	});

	it("never keeps NO_SIGNALS, keeps nothing with a TTL of 0, and drops only users with likes when the catalog changes", async () => {
		const cache = new SignalCache(60_000);
		const none = jest.fn(async () => NO_SIGNALS);
		await cache.get("u1", none);
		await cache.get("u1", none);
		expect(none).toHaveBeenCalledTimes(2);

		const off = new SignalCache(0);
		const read = jest.fn(async () => signals());
		await off.get("u1", read);
		await off.get("u1", read);
		expect(read).toHaveBeenCalledTimes(2);

		const liking = jest.fn(async () => signals(["t1"]));
		const plain = jest.fn(async () => signals());
		await cache.get("liking", liking);
		await cache.get("plain", plain);
		cache.dropLiking();
		await cache.get("liking", liking);
		await cache.get("plain", plain);
		expect(liking).toHaveBeenCalledTimes(2);
		expect(plain).toHaveBeenCalledTimes(1);
	});
});
