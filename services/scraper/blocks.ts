/**
 * Recognises the pages a site serves instead of content: JavaScript challenges (Cloudflare
 * Turnstile and its "Just a moment..." interstitial; the site's own "Please wait, you will be
 * forwarded" page, whose real text reads "forwared"; its 2026 image captcha "We need to validate
 * your are real human!") and IP-block notices. The site's own pages keep the set's title and
 * og: metadata, so the title says nothing. Only pages without
 * tracklist rows or listing entries are checked, so a set titled "Blocked" is not mistaken for a block.
 */
import type { BlockReason } from "./errors";

const CHALLENGE = [
	/challenges\.cloudflare\.com/i,
	/class=["'][^"']*\bcf-turnstile\b/i,
	/_cf_chl_opt|__cf_chl_/i,
	/<title>\s*just a moment\.*\s*<\/title>/i,
	/verify you are (a )?human/i,
	/checking (if the site connection is secure|your browser)/i,
	/you will be forwa?r?d?ed to the wanted page/i,
	/please wait,? you will be forwa/i,
	/validate (that )?you(r)? are (a )?real human/i,
	/<img[^>]+alt=["']captcha["']/i,
	/<input[^>]+(name|id)=["']captcha["']/i
];

const IP_BLOCK = [
	/your ip( address)? (has been|is|was) (temporarily )?(blocked|banned)/i,
	/you have been (temporarily )?blocked/i,
	/access (to this (site|page) )?(has been )?denied/i,
	/error code:?\s*10(0[5-9]|20)\b/i,
	/too many requests from your ip/i
];

/** True when the page carries tracklist rows or listing entries: real content, whatever else it says. */
export function hasContentRows(html: string): boolean {
	return /class=["'][^"']*\b(tlpItem|tlLink)\b/.test(html);
}

export function detectBlock(html: string): Exclude<BlockReason, "forbidden"> | undefined {
	if (hasContentRows(html)) return undefined;
	const head = html.length > 200_000 ? html.slice(0, 200_000) : html;
	if (CHALLENGE.some(re => re.test(head))) return "challenge";
	if (IP_BLOCK.some(re => re.test(head))) return "ip-block";
	return undefined;
}
