/** A gateway with open event streams stops at once: the streams are closed before its server. */
import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import { openSse } from "../../harness/sse";
import { startCompatGateway } from "../compat/helpers";
import { bearer, register } from "../users/helpers";

it("stops a gateway that has open event streams, ending them", async () => {
	const gw = await startCompatGateway({}, [serviceCatalog.users as ServiceSchema]);
	const streams = await Promise.all([1, 2].map(async () => openSse(`${gw.base}/api/events`, bearer(await register(gw)))));
	expect(streams.map(s => s.status)).toEqual([200, 200]);
	await gw.stop();
	for (const s of streams) s.close();
}, 20_000);
