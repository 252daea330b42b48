export { DEFAULT_ROBOTS, readFixture, startTracklistSite, type RequestRecord, type SiteOptions, type TracklistSite } from "./site";
export { expectedLines, generateSet, generateSets, slugify, type SimSet, type SimTrack } from "./sets";
export { renderListing, renderSetPage, setPath, trackText } from "./pages";
