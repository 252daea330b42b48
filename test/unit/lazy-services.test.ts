import type * as Services from "../../services";

/** Services whose modules pull in heavy dependencies a crawl worker never uses. */
const NOT_ON_A_WORKER = ["api", "scraper", "insights", "users", "activity", "playlists", "recommendations", "status", "tasks", "catalog", "scheduler"];

/** services/index.ts loaded afresh, with each of NOT_ON_A_WORKER's modules throwing if it is loaded. */
function servicesWithTraps(): typeof Services {
	let loaded: typeof Services | undefined;
	jest.isolateModules(() => {
		for (const name of NOT_ON_A_WORKER) {
			jest.doMock(`../../services/${name}.service`, () => {
				throw new Error(`${name}.service was loaded`);
			});
		}
		loaded = jest.requireActual<typeof Services>("../../services");
	});
	return loaded as typeof Services;
}

describe("a node loads only the services it runs", () => {
	it("selecting the crawl workers loads none of the other services' modules", () => {
		const names = servicesWithTraps()
			.selectServices(["artist-crawler", "album-crawler", "audio-feature"])
			.map(s => s.name);
		expect(names.sort()).toEqual(["album-crawler", "artist-crawler", "audio-feature", "ops"]);
	});

	it("lists every service without loading any; reading one loads it", () => {
		const { serviceCatalog } = servicesWithTraps();
		expect(Object.keys(serviceCatalog)).toEqual(expect.arrayContaining(NOT_ON_A_WORKER));
		expect(() => serviceCatalog.api).toThrow("api.service was loaded");
	});
});
