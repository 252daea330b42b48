import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import type { Collection } from "../../../mixins/store/types";
import CatalogService from "../../../services/catalog.service";
import type { ArtistDoc } from "../../../services/catalog/model";

describe("catalog: an artist's depth is the shortest path found so far", () => {
	let broker: ServiceBroker;
	const artists = () => (broker.getLocalService("catalog") as unknown as { artists(): Collection<ArtistDoc> }).artists();
	const depthOf = async (id: string) => (await artists().findOne({ spotifyId: id }))?.depth;
	const upsert = (id: string, depth?: number) =>
		broker.call("catalog.upsertArtists", { artists: [{ provider: "spotify", id, name: `Artist ${id}`, ...(depth === undefined ? {} : { depth }) }] });

	beforeAll(async () => {
		broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig({}));
		broker.createService(CatalogService as ServiceSchema);
		await broker.start();
	});
	afterAll(() => broker.stop());

	it("lowers the depth when a shorter path arrives after a longer one", async () => {
		await upsert("late-short", 3);
		await upsert("late-short", 1);
		expect(await depthOf("late-short")).toBe(1);
	});

	it("keeps the shorter depth when a longer path arrives after it", async () => {
		await upsert("early-short", 1);
		await upsert("early-short", 2);
		expect(await depthOf("early-short")).toBe(1);
	});

	it("keeps the depth through an upsert that names none, and takes one when it had none", async () => {
		await upsert("no-depth");
		expect(await depthOf("no-depth")).toBeUndefined();
		await upsert("no-depth", 2);
		await upsert("no-depth");
		expect(await depthOf("no-depth")).toBe(2);
	});

	it("ends with the smallest of racing upserts, whatever their order", async () => {
		await Promise.all([4, 2, 5, 0, 3].map(d => upsert("racing", d)));
		expect(await depthOf("racing")).toBe(0);
	});
});
