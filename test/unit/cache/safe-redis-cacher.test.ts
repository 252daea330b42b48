import { redisOptions } from "../../../mixins/cache/safe-redis-cacher";

describe("the Redis cacher's connection options", () => {
	it("reads every part of a redis:// URL and fails fast while disconnected", () => {
		expect(redisOptions("redis://user:p%40ss@cache.local:6380/3")).toMatchObject({ host: "cache.local", port: 6380, username: "user", password: "p@ss", db: 3, enableOfflineQueue: false });
	});
});
