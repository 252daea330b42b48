import type { ServiceSchema } from "moleculer";
import ActivityService from "./activity.service";
import AlbumCrawlerService from "./album-crawler.service";
import ApiService from "./api.service";
import ArtistCrawlerService from "./artist-crawler.service";
import AudioFeatureService from "./audio-feature.service";
import CatalogService from "./catalog.service";
import InsightsService from "./insights.service";
import OpsService from "./ops.service";
import PlaylistsService from "./playlists.service";
import RecommendationsService from "./recommendations.service";
import SchedulerService from "./scheduler.service";
import ScraperService from "./scraper.service";
import ScraperWorkerService from "./scraper-worker.service";
import StatusService from "./status.service";
import TasksService from "./tasks.service";
import UsersService from "./users.service";

/**
 * Every service a node can run, by name. `SERVICES=a,b` picks some; empty picks all. `ops` runs
 * on every node whatever SERVICES says, so operators can always see the node.
 */
/*
 * Schemas are typed by their own settings, methods and vars, which makes them incompatible with the
 * bare ServiceSchema type through `this`; the catalog holds them as plain named objects and hands
 * them to the broker as ServiceSchema in one place.
 */
type NamedSchema = { name: string };

export const serviceCatalog: Record<string, NamedSchema> = {
	api: ApiService,
	ops: OpsService,
	scheduler: SchedulerService,
	catalog: CatalogService,
	"artist-crawler": ArtistCrawlerService,
	"album-crawler": AlbumCrawlerService,
	"audio-feature": AudioFeatureService,
	scraper: ScraperService,
	"scraper-worker": ScraperWorkerService,
	insights: InsightsService,
	activity: ActivityService,
	playlists: PlaylistsService,
	recommendations: RecommendationsService,
	status: StatusService,
	tasks: TasksService,
	users: UsersService
};

export function selectServices(names: readonly string[]): ServiceSchema[] {
	if (names.length === 0) return Object.values(serviceCatalog) as ServiceSchema[];
	const unknown = names.filter(n => !(n in serviceCatalog));
	if (unknown.length) {
		throw new Error(`SERVICES names unknown services: ${unknown.join(", ")}. Known: ${Object.keys(serviceCatalog).join(", ")}`);
	}
	const wanted = new Set([...names, "ops"]);
	return Object.entries(serviceCatalog)
		.filter(([name]) => wanted.has(name))
		.map(([, schema]) => schema as ServiceSchema);
}
