/**
 * The API docs page in a real browser (issue 19): Swagger UI, bundled from npm and served by the
 * gateway under a CSP that allows only this origin, renders every operation of the document, and
 * try-it calls this same gateway.
 */
import type { ServiceSchema } from "moleculer";
import { chromium, type Browser } from "playwright-core";
import CatalogService from "../../services/catalog.service";
import { findBinary } from "../harness/binaries";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { startGateway, type TestGateway } from "../harness/gateway";
import { eventually } from "../harness/ports";

/** Counted in the page: it is a string because this project compiles without the DOM's types. */
const RENDERED = `(() => ({
	operations: document.querySelectorAll(".opblock").length,
	summaries: [...document.querySelectorAll(".opblock-summary-description")].map(e => e.textContent ?? "")
}))()`;

describeWithBinaries(["chromium"], "the /api/docs page in headless Chromium", () => {
	let gw: TestGateway;
	let browser: Browser;
	let trackId = "";
	beforeAll(async () => {
		gw = await startGateway([CatalogService as ServiceSchema]);
		const [track] = await gw.broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", {
			tracks: [{ provider: "deezer", id: "d1", name: "Docs Song", artists: [{ id: "a", name: "Docs Band" }] }]
		});
		trackId = track.id;
		browser = await chromium.launch({ executablePath: findBinary("chromium") });
	}, 60_000);
	afterAll(async () => {
		await browser?.close();
		await gw?.stop();
	});

	it("serves the renderer's files from this origin with their content types, and nothing else of the package", async () => {
		const js = await fetch(`${gw.base}/api/docs/assets/swagger-ui-bundle.js`);
		expect([js.status, js.headers.get("content-type"), js.headers.get("x-content-type-options")]).toEqual([200, "text/javascript; charset=utf-8", "nosniff"]);
		expect((await js.text()).length).toBeGreaterThan(100_000);
		const css = await fetch(`${gw.base}/api/docs/assets/swagger-ui.css`);
		expect([css.status, css.headers.get("content-type")]).toEqual([200, "text/css; charset=utf-8"]);
		for (const other of ["package.json", "index.html", "..%2Fpackage.json", "swagger-initializer.js"]) {
			const res = await fetch(`${gw.base}/api/docs/assets/${other}`);
			expect({ other, status: res.status }).toEqual({ other, status: 404 });
		}
		const page = await fetch(`${gw.base}/api/docs`);
		expect(page.headers.get("content-security-policy")).toMatch(/script-src 'sha256-[^']+' 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'/);
	});

	it("renders every operation under the CSP, with nothing refused, and try-it calls this gateway", async () => {
		const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
		const problems: string[] = [];
		page.on("pageerror", err => problems.push(err.message));
		page.on("console", msg => {
			if (msg.type() === "error") problems.push(msg.text());
		});
		const outside: string[] = [];
		page.on("request", req => {
			if (!req.url().startsWith(gw.base) && !req.url().startsWith("data:")) outside.push(req.url());
		});
		const doc = (await gw.request<{ paths: Record<string, Record<string, unknown>> }>("GET", "/api/openapi.json")).body;
		const operations = Object.values(doc.paths).flatMap(Object.keys).length;
		await page.goto(`${gw.base}/api/docs`);
		const rendered = await eventually("every operation rendered", async () => {
			const r = await page.evaluate<{ operations: number; summaries: string[] }>(RENDERED);
			return r.operations === operations ? r : null;
		});
		expect(rendered.summaries).toEqual(expect.arrayContaining(["Songs for running at a cadence: tracks near a BPM, personalised when signed in", "One track with its tempo and audio features"]));

		const op = page.locator(".opblock-get").filter({ has: page.locator('[data-path="/api/v1/tracks/{id}"]') });
		await op.locator(".opblock-summary").first().click();
		await op.locator(".try-out__btn").click();
		await op.locator('input[placeholder="id"]').fill(trackId);
		await op.locator(".execute").click();
		const answer = op.locator(".live-responses-table .response .response-col_status");
		await eventually("the try-it answer", async () => ((await answer.count()) ? (await answer.first().textContent())?.trim() === "200" : false));
		expect(JSON.parse((await op.locator(".live-responses-table .response .response-col_description pre").first().textContent()) ?? "")).toMatchObject({ id: trackId, name: "Docs Song" });
		expect(problems).toEqual([]);
		expect(outside).toEqual([]);
		await page.close();
	}, 60_000);
});
