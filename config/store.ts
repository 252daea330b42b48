import { bool, optionalUrl, str } from "./vars";

/** Where documents live, and where the shared Redis is. */
export const storeVars = {
	MONGO_URL: optionalUrl(
		["mongodb", "mongodb+srv"],
		"mongodb://host:port/db or mongodb+srv://host/db",
		"MongoDB connection string. Unset: the embedded store under DATA_DIR."
	),
	MONGO_DB: str("cratedigger", "MongoDB database name, used when MONGO_URL names none."),
	DATA_DIR: str("./data", "Folder of the embedded store's files."),
	STORE_IN_MEMORY: bool(false, "Keep the embedded store in memory only (tests). Nothing is persisted."),
	REDIS_URL: optionalUrl(
		["redis", "rediss"],
		"redis://host:port",
		"Redis for the cluster-wide rate limiters. Unset: in-process limiters."
	)
};
