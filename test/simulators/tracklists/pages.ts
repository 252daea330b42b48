/**
 * HTML in the shape of 1001tracklists-style pages (REFERENCE.md), written from generated sets,
 * and the listing pages (search, DJ, event) in the shape docs/scraper.md assumes.
 */
import type { SimSet, SimTrack } from "./sets";

export function esc(text: string): string {
	return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function clock(sec: number): string {
	const pad = (n: number) => String(n).padStart(2, "0");
	const h = Math.floor(sec / 3600);
	return h > 0 ? `${h}:${pad(Math.floor(sec / 60) % 60)}:${pad(sec % 60)}` : `${pad(Math.floor(sec / 60))}:${pad(sec % 60)}`;
}

function iso(sec: number): string {
	return `PT${Math.floor(sec / 60)}M${sec % 60}S`;
}

export function trackText(t: SimTrack): string {
	return `${t.artist} - ${t.title}${t.remix ? ` (${t.remix})` : ""}`;
}

function row(t: SimTrack, rowId: number, shownNumber: string): string {
	const microdata = t.unknown
		? ""
		: [
				`<meta itemprop="name" content="${esc(trackText(t))}">`,
				`<meta itemprop="byArtist" content="${esc(t.artist)}">`,
				t.label ? `<meta itemprop="publisher" content="${esc(t.label)}">` : "",
				t.durationSec ? `<meta itemprop="duration" content="${iso(t.durationSec)}">` : "",
				t.genre ? `<meta itemprop="genre" content="${esc(t.genre)}">` : "",
				`<meta itemprop="url" content="/track/t${rowId}/index.html">`
			].join("\n");
	const scope = t.unknown ? `<div class="bCont tl">` : `<div class="bCont tl" itemprop="tracks" itemscope itemtype="http://schema.org/MusicRecording">`;
	return `<div class="tlpItem tlpTog bItm trRow${(rowId % 2) + 1}${t.with ? " con" : ""}" id="tlp${rowId}_content" data-trno="${rowId}" data-id="${rowId}" data-trackid="${t.unknown ? "" : 500000 + rowId}">
<input type="hidden" id="tlp${rowId}_cue_seconds" value="${t.cueSec ?? 0}">
<div class="cue noWrap action mt5">${t.cueSec !== undefined && !t.with ? clock(t.cueSec) : ""}</div>
<div class="bPlay"><span class="fontXL" id="tlp${rowId}_tracknumber_value">${shownNumber}</span></div>
${scope}
${microdata}
<span class="trackValue notranslate blueTxt">${esc(trackText(t))}</span>
${t.label ? `<span class="trackLabel">[${esc(t.label.toUpperCase())}]</span>` : ""}
</div>
</div>`;
}

/** A tracklist page; cue times go in the page script too, a w/ row named in its partner's entry. */
export function renderSetPage(set: SimSet): string {
	const rows: string[] = [];
	const entries: Array<{ sec: number; ids: string[] }> = [];
	let n = 0;
	set.tracks.forEach((t, i) => {
		const rowId = 1000 + i;
		if (!t.with) n++;
		rows.push(row(t, rowId, t.with ? "w/" : String(n).padStart(2, "0")));
		if (t.cueSec === undefined) return;
		const last = entries[entries.length - 1];
		if (t.with && last) last.ids.push(`tlp${rowId}_content`);
		else entries.push({ sec: t.cueSec, ids: [`tlp${rowId}_content`] });
	});
	const script = entries
		.map(e => `cueValuesEntry = new Object(); cueValuesEntry.seconds = ${e.sec}; cueValuesEntry.ids = new Array(); ${e.ids.map((id, k) => `cueValuesEntry.ids[${k}] = '${id}';`).join(" ")} cueValues.push(cueValuesEntry);`)
		.join("\n");
	const djLinks = set.djs.map(d => `<a href="/dj/${d.slug}/index.html">${esc(d.name)}</a>`).join(" &amp; ");
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(set.title)} Tracklist</title></head>
<body>
<div id="middle" itemscope itemtype="http://schema.org/MusicPlaylist">
<meta itemprop="name" content="${esc(set.title)}">
<meta itemprop="datePublished" content="${set.date}">
<meta itemprop="numTracks" content="${set.tracks.filter(t => !t.with).length}">
<meta itemprop="genre" content="${esc(set.genre)}">
<div id="pageTitle"><h1>${djLinks} @ <a href="/source/${set.event.slug}/index.html">${esc(set.event.name)}</a> ${set.date}</h1></div>
<div id="tlTab">
${rows.join("\n")}
</div>
</div>
<script type="text/javascript">
var cueValues = [];
var cueValuesEntry;
${script}
</script>
</body></html>
`;
}

export function setPath(set: SimSet): string {
	return `/tracklist/${set.id}/${set.slug}.html`;
}

/** A listing page: entries and, when there are more, a link to the next page. */
export function renderListing(sets: SimSet[], next?: string): string {
	const items = sets
		.map(
			s => `<div class="bItm tlLink" data-id="${s.id}">
<div class="bTitle"><a href="${setPath(s)}">${esc(s.title)}</a></div>
<span class="tlDate" data-date="${s.date}">${s.date}</span>
<span class="tlTracks" data-count="${s.tracks.length}">${s.tracks.length} tracks</span>
<span class="tlDjs">${s.djs.map(d => `<a href="/dj/${d.slug}/index.html">${esc(d.name)}</a>`).join(", ")}</span>
</div>`
		)
		.join("\n");
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tracklists</title>${next ? `<link rel="next" href="${esc(next)}">` : ""}</head>
<body><div id="middle">
${items || '<div class="noResults">No tracklists found.</div>'}
${next ? `<div class="pagination"><a class="next" href="${esc(next)}">Next</a></div>` : ""}
</div></body></html>
`;
}
