import { STATUS_SECTIONS, type StatusSectionId } from "./sections";

/*
 * The status page: one HTML document with its style and script inline, no build step and nothing
 * fetched from elsewhere. The script signs in with an admin's email and password (POST
 * /api/v1/auth/login), keeps the session in sessionStorage and renews its access token with the
 * refresh token before it runs out, polls GET /api/v1/status and redraws. Every figure element carries `data-figure` (its path
 * in the JSON) and `data-value` (the raw value), so a script or a test can check the page against
 * the endpoint. Data go into the DOM through textContent and attributes only, never as markup.
 */

const title = (id: StatusSectionId): string => STATUS_SECTIONS.find(s => s.id === id)?.title ?? id;

const STYLE = `
:root { color-scheme: dark; --bg:#101418; --card:#1a2027; --line:#2c343d; --text:#e6e9ec; --dim:#8b96a3; --high:#ff7a59; --medium:#f5c04a; --low:#5fb3f9; --ok:#5cc98a; --bad:#ff5d6c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center; padding: 12px 20px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header form { display: flex; gap: 6px; align-items: center; }
input { background: var(--card); color: var(--text); border: 1px solid var(--line); padding: 4px 8px; border-radius: 4px; width: 14em; }
[hidden] { display: none !important; }
button { background: #2d6cdf; color: #fff; border: 0; padding: 5px 12px; border-radius: 4px; cursor: pointer; }
#state.ok { color: var(--ok); } #state.warn { color: var(--medium); } #state.error { color: var(--bad); }
#problems { margin: 12px 20px 0; padding: 8px 12px; border: 1px solid var(--medium); border-radius: 4px; color: var(--medium); }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 15px; margin: 0 0 8px; }
.figures { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-bottom: 6px; color: var(--dim); }
.figures b { color: var(--text); font-size: 20px; font-weight: 600; margin-left: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
#dead-rows td { overflow-wrap: anywhere; }
th { color: var(--dim); font-weight: 500; }
.tag { display: inline-block; padding: 0 6px; margin: 0 4px 2px 0; border-radius: 8px; background: #243447; font-size: 12px; }
.dim { color: var(--dim); } .bad { color: var(--bad); } .good { color: var(--ok); }
svg { width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--line); } svg .axis-title { font-style: italic; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 14px; list-style: none; margin: 4px 0 0; padding: 0; color: var(--dim); font-size: 12px; }
.legend i { display: inline-block; width: 14px; height: 3px; margin: 0 5px 3px 0; vertical-align: middle; }
svg text { fill: var(--dim); font-size: 11px; }
.meter { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; min-width: 80px; }
.meter span { display: block; height: 100%; background: var(--ok); }
.meter span.hot { background: var(--medium); } .meter span.over { background: var(--bad); }
ol { margin: 0; padding-left: 20px; } li { margin-bottom: 4px; overflow-wrap: anywhere; }
`;

const BODY = `
<header>
  <h1>cratedigger status</h1>
  <form id="auth" hidden><input id="email" type="email" autocomplete="username" placeholder="admin email" required><input id="password" type="password" autocomplete="current-password" placeholder="password" required><button id="sign-in" type="submit">Sign in</button></form>
  <span id="signed-in" hidden><span id="who" class="dim"></span> <button id="sign-out" type="button">Sign out</button></span>
  <span id="state" role="status">loading…</span>
  <span class="dim">sample <time id="sample-at" data-at="">–</time></span>
</header>
<div id="problems" hidden></div>
<main>
  <section id="nodes" class="wide"><h2>${title("nodes")}</h2>
    <div class="figures">nodes <b data-figure="nodes.length"></b></div>
    <table><thead><tr><th>node</th><th>roles</th><th>services</th><th>workers (concurrency / in flight)</th><th>CPU %</th><th>RSS MB</th><th>version</th><th>state</th></tr></thead><tbody id="nodes-rows"></tbody></table>
  </section>
  <section id="queue"><h2>${title("queue")}</h2>
    <div class="figures">high <b data-figure="crawl.tiers.high.queued"></b> medium <b data-figure="crawl.tiers.medium.queued"></b> low <b data-figure="crawl.tiers.low.queued"></b> leased <b data-figure="leased"></b> done <b data-figure="crawl.done"></b></div>
    <svg id="queue-chart" viewBox="0 0 600 190" role="img" aria-label="queued jobs per tier over time"></svg><ul class="legend" id="queue-chart-legend"></ul>
    <div id="paused" class="dim"></div>
  </section>
  <section id="tracks"><h2>${title("tracks")}</h2>
    <div class="figures">per minute <b data-figure="tracks.perMin"></b> since start <b data-figure="tracks.processed"></b></div>
    <svg id="tracks-chart" viewBox="0 0 600 190" role="img" aria-label="tracks processed per minute over time"></svg><ul class="legend" id="tracks-chart-legend"></ul>
  </section>
  <section id="upstreams"><h2>${title("upstreams")}</h2>
    <table><thead><tr><th>upstream</th><th>calls/s</th><th>limit/s</th><th></th><th>pause</th><th>mode</th></tr></thead><tbody id="upstream-rows"></tbody></table>
  </section>
  <section id="errors"><h2>${title("errors")}</h2>
    <div class="figures">failed jobs/min <b data-figure="errors.perMin"></b> failures (10 min) <b data-figure="errors.recentFailures"></b> dead-letter <b data-figure="errors.dead"></b></div>
    <svg id="errors-chart" viewBox="0 0 600 190" role="img" aria-label="failed jobs per minute and dead-letter over time"></svg><ul class="legend" id="errors-chart-legend"></ul>
    <table><thead><tr><th>dead job</th><th>last error</th></tr></thead><tbody id="dead-rows"></tbody></table>
  </section>
  <section id="bpm"><h2>${title("bpm")}</h2>
    <div class="figures">tracks with tempo <b data-figure="bpm.total"></b> bin <b data-figure="bpm.binSize"></b></div>
    <svg id="bpm-chart" viewBox="0 0 600 190" role="img" aria-label="tracks per tempo"></svg>
  </section>
  <section id="tracklists"><h2>${title("tracklists")}</h2>
    <div class="figures">shown <b data-figure="tracklists.items.length"></b> <span id="tracklists-source"></span></div>
    <ol id="tracklist-items"></ol>
  </section>
</main>
`;

/* Client script. Plain ES5-style functions and string concatenation: it is served as written. */
const SCRIPT = `
(function () {
  "use strict";
  var SESSION_KEY = "cratedigger.statusSession";
  var TIER_COLORS = { high: "var(--high)", medium: "var(--medium)", low: "var(--low)" };
  var SVG = "http://www.w3.org/2000/svg";
  // Renew the access token this long before it runs out.
  var RENEW_BEFORE_MS = 60000;
  var session = readSession();
  var everyMs = 5000;
  var timer = null;
  var form = document.getElementById("auth");

  function readSession() {
    try { return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null"); } catch (e) { return null; }
  }

  function keep(s) {
    session = s ? { accessToken: s.accessToken, refreshToken: s.refreshToken, expiresAt: Date.parse(s.expiresAt), email: s.user && s.user.email } : null;
    if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session)); else sessionStorage.removeItem(SESSION_KEY);
    document.getElementById("signed-in").hidden = !session;
    document.getElementById("who").textContent = session ? session.email || "" : "";
    if (session) form.hidden = true;
  }

  function askToSignIn(text) {
    keep(null);
    form.hidden = false;
    setState(text, "warn");
  }

  function post(path, body) {
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), cache: "no-store" })
      .then(function (res) {
        return res.json().then(function (b) {
          if (!res.ok) throw new Error((b && b.error && b.error.message) || "HTTP " + res.status);
          return b;
        });
      });
  }

  // The access token lives minutes; the refresh token renews it, and rotates each time.
  function freshToken() {
    if (!session) return Promise.resolve(null);
    if (session.expiresAt - Date.now() > RENEW_BEFORE_MS) return Promise.resolve(session.accessToken);
    return post("/api/v1/auth/refresh", { refreshToken: session.refreshToken })
      .then(function (s) { keep(s); return s.accessToken; }, function () { keep(null); return null; });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    setState("signing in…", "");
    post("/api/v1/auth/login", { email: document.getElementById("email").value.trim(), password: document.getElementById("password").value })
      .then(function (s) {
        document.getElementById("password").value = "";
        keep(s);
        poll();
      }, function (err) { setState("sign-in failed: " + err.message, "warn"); });
  });

  document.getElementById("sign-out").addEventListener("click", function () {
    var s = session;
    if (s) post("/api/v1/auth/logout", { refreshToken: s.refreshToken }).catch(function () {});
    askToSignIn("signed out");
  });

  function setState(text, kind) {
    var s = document.getElementById("state");
    s.textContent = text;
    s.className = kind;
  }

  function poll() {
    clearTimeout(timer);
    freshToken()
      .then(function (token) {
        var headers = token ? { Authorization: "Bearer " + token } : {};
        return fetch("/api/v1/status", { headers: headers, cache: "no-store" });
      })
      .then(function (res) {
        if (res.status === 401 || res.status === 403) {
          askToSignIn(res.status === 401 ? "sign in with an admin account to see the status" : "this account is not an admin");
          return "stop";
        }
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json().then(function (s) {
          render(s);
          everyMs = Math.max(500, s.sampleMs || 5000);
          setState("live, every " + everyMs / 1000 + " s", "ok");
        });
      })
      .catch(function (err) { setState("cannot read /api/v1/status: " + err.message, "error"); })
      .then(function (stop) { if (stop !== "stop") timer = setTimeout(poll, everyMs); });
  }

  function get(obj, path) {
    return path.split(".").reduce(function (o, k) { return o === null || o === undefined ? undefined : o[k]; }, obj);
  }

  function el(tag, attrs, children) {
    var e = tag.indexOf("svg:") === 0 ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c); });
    return e;
  }

  function replace(id, children) {
    var box = document.getElementById(id);
    while (box.firstChild) box.removeChild(box.firstChild);
    children.forEach(function (c) { box.appendChild(c); });
  }

  function fmt(v) { return v === null || v === undefined ? "–" : String(v); }

  function render(s) {
    var leased = s.crawl ? s.crawl.tiers.high.leased + s.crawl.tiers.medium.leased + s.crawl.tiers.low.leased : null;
    var view = Object.assign({}, s, { leased: leased });
    renderNodes(s.nodes);
    renderQueue(s);
    lineChart("tracks-chart", [{ name: "tracks/min", color: "var(--ok)", points: s.history.map(function (h) { return [h.at, h.tracksPerMin]; }) }], { left: "tracks/min" });
    renderUpstreams(s.upstreams, s.at);
    renderErrors(s);
    renderBpm(s.bpm);
    renderTracklists(s.tracklists);
    // Rows above carry data-figure too, so this fills them in with the same formatting.
    document.querySelectorAll("[data-figure]").forEach(function (f) {
      var v = get(view, f.getAttribute("data-figure"));
      f.setAttribute("data-value", v === null || v === undefined ? "" : String(v));
      f.textContent = fmt(v);
    });
    var at = document.getElementById("sample-at");
    at.setAttribute("data-at", String(s.at));
    at.textContent = new Date(s.at).toLocaleTimeString();
    var problems = document.getElementById("problems");
    problems.hidden = s.problems.length === 0;
    problems.textContent = s.problems.join(" · ");
  }

  function renderNodes(nodes) {
    replace("nodes-rows", nodes.map(function (n) {
      var state = n.workers.length === 0 ? "serving" : n.draining ? (n.workers.every(function (w) { return w.inFlight === 0; }) ? "drained" : "draining") : "leasing";
      return el("tr", { "data-node": n.nodeID }, [
        el("td", {}, [n.nodeID]),
        el("td", { "data-roles": n.roles.join(",") }, n.roles.map(function (r) { return el("span", { class: "tag" }, [r]); })),
        el("td", { class: "dim" }, [n.services.join(", ")]),
        el("td", {}, [n.workers.map(function (w) { return w.service + " " + w.concurrency + " / " + w.inFlight; }).join(", ") || "–"]),
        el("td", {}, [fmt(n.cpuPercent)]),
        el("td", {}, [fmt(n.rssMb)]),
        el("td", {}, [n.version]),
        el("td", { class: state === "leasing" || state === "serving" ? "good" : "" }, [state])
      ]);
    }));
  }

  function renderQueue(s) {
    lineChart("queue-chart", ["high", "medium", "low"].map(function (t) {
      return { name: t, color: TIER_COLORS[t], points: s.history.map(function (h) { return [h.at, h.queued[t]]; }) };
    }), { left: "jobs queued" });
    document.getElementById("paused").textContent = s.crawl && s.crawl.paused.length ? "paused: " + s.crawl.paused.join(", ") : "";
  }

  function renderUpstreams(list, now) {
    replace("upstream-rows", list.map(function (u, i) {
      var share = u.ratePerSec === null || u.limitPerSec <= 0 ? 0 : u.ratePerSec / u.limitPerSec;
      var pause = u.pausedUntil ? "paused " + Math.ceil((u.pausedUntil - now) / 1000) + " s" : "–";
      return el("tr", { "data-limiter": u.name }, [
        el("td", {}, [u.name + (u.overridden ? " (override)" : "")]),
        el("td", { "data-figure": "upstreams." + i + ".ratePerSec" }),
        el("td", { "data-figure": "upstreams." + i + ".limitPerSec" }),
        el("td", {}, [el("div", { class: "meter", title: Math.round(share * 100) + "% of the limit" }, [el("span", { class: share > 1 ? "over" : share > 0.8 ? "hot" : "", style: "width:" + Math.min(100, Math.round(share * 100)) + "%" })])]),
        el("td", { class: u.pausedUntil ? "bad" : "dim", "data-paused": u.pausedUntil ? "yes" : "no" }, [pause]),
        el("td", { class: "dim" }, [u.modes.join(", ")])
      ]);
    }));
  }

  function renderErrors(s) {
    // A count of jobs and a rate: each on its own axis, so neither flattens the other.
    lineChart("errors-chart", [
      { name: "failed jobs/min", color: "var(--bad)", points: s.history.map(function (h) { return [h.at, h.errorsPerMin]; }) },
      { name: "dead-letter jobs", color: "var(--medium)", axis: "right", points: s.history.map(function (h) { return [h.at, h.dead]; }) }
    ], { left: "failed/min", right: "dead jobs" });
    replace("dead-rows", s.errors.latestDead.map(function (d) {
      return el("tr", { "data-dead": d.key }, [el("td", {}, [d.type + " " + d.entity]), el("td", { class: "dim" }, [d.lastError || "–"])]);
    }));
  }

  function renderBpm(bpm) {
    var svg = document.getElementById("bpm-chart");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    if (!bpm || bpm.bins.length === 0) { svg.appendChild(el("svg:text", { x: 10, y: 20 }, ["no tempo data yet"])); return; }
    var max = niceMax(Math.max.apply(null, bpm.bins.map(function (b) { return b.count; })));
    var w = (PLOT.right - PLOT.left) / bpm.bins.length;
    var every = Math.ceil(bpm.bins.length / 10);
    yAxis(svg, "left", max, "tracks");
    bpm.bins.forEach(function (b, i) {
      var h = (b.count / max) * (PLOT.bottom - PLOT.top);
      var bar = el("svg:rect", { x: PLOT.left + i * w, y: PLOT.bottom - h, width: Math.max(1, w - 1), height: h, fill: "var(--low)", "data-from": b.from, "data-to": b.to, "data-count": b.count });
      bar.appendChild(el("svg:title", {}, [b.from + "–" + b.to + " BPM: " + b.count]));
      svg.appendChild(bar);
    });
    xAxis(svg, bpm.bins.filter(function (_, i) { return i % every === 0; }).map(function (b) {
      return { x: PLOT.left + bpm.bins.indexOf(b) * w, value: b.from, label: String(b.from) };
    }), "BPM (bins of " + bpm.binSize + ")");
  }

  function renderTracklists(t) {
    document.getElementById("tracklists-source").textContent = "(from " + t.sources.map(function (s) { return s === "scraper" ? "the scraper" : "tracklist.processed events"; }).join(" and ") + ")";
    replace("tracklist-items", t.items.map(function (i) {
      var safe = /^https?:\\/\\//i.test(i.url);
      var text = i.title || i.url;
      var link = safe ? el("a", { href: i.url, rel: "noopener noreferrer", target: "_blank", title: i.url }, [text]) : el("span", {}, [text]);
      var meta = " · " + i.trackCount + " tracks" + (i.processingTimeMs === null ? "" : " · " + i.processingTimeMs + " ms") + (i.at ? " · " + new Date(i.at).toLocaleTimeString() : "");
      return el("li", { "data-tracklist": i.tracklistId, "data-tracks": i.trackCount }, [link, el("span", { class: "dim" }, [meta])]);
    }));
  }

  /** Where charts draw, in viewBox units: room on the left and right for axes, below for time. */
  var PLOT = { left: 48, right: 552, top: 18, bottom: 150 };

  /** 1, 2 or 5 times a power of ten, at or above v: axis ends people can read. */
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log(v) / Math.LN10));
    var n = v / p;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * p;
  }

  /** A value axis with ticks at 0, half and the top, and its title above it. */
  function yAxis(svg, side, max, title) {
    var left = side === "left";
    var x = left ? PLOT.left : PLOT.right;
    var g = el("svg:g", { "data-axis": left ? "y" : "y2", "data-title": title });
    g.appendChild(el("svg:line", { x1: x, x2: x, y1: PLOT.top, y2: PLOT.bottom, stroke: "var(--dim)" }));
    [0, 0.5, 1].forEach(function (f) {
      var y = PLOT.bottom - f * (PLOT.bottom - PLOT.top);
      if (left && f > 0) g.appendChild(el("svg:line", { class: "grid", x1: PLOT.left, x2: PLOT.right, y1: y, y2: y }));
      g.appendChild(el("svg:text", { x: left ? x - 4 : x + 4, y: y + 4, "text-anchor": left ? "end" : "start", "data-tick": f * max }, [String(Math.round(f * max * 100) / 100)]));
    });
    g.appendChild(el("svg:text", { class: "axis-title", x: left ? 4 : 596, y: 11, "text-anchor": left ? "start" : "end" }, [title]));
    svg.appendChild(g);
  }

  /** The horizontal axis: ticks given as { x, value, label }, and its title below. */
  function xAxis(svg, ticks, title) {
    var g = el("svg:g", { "data-axis": "x", "data-title": title });
    g.appendChild(el("svg:line", { x1: PLOT.left, x2: PLOT.right, y1: PLOT.bottom, y2: PLOT.bottom, stroke: "var(--dim)" }));
    ticks.forEach(function (t) { g.appendChild(el("svg:text", { x: t.x, y: PLOT.bottom + 14, "text-anchor": "middle", "data-tick": t.value }, [t.label])); });
    g.appendChild(el("svg:text", { class: "axis-title", x: (PLOT.left + PLOT.right) / 2, y: 186, "text-anchor": "middle" }, [title]));
    svg.appendChild(g);
  }

  /**
   * Lines over time with a time axis, a value axis per side in use (series default to the left)
   * and a legend under the chart; nulls (unknown) leave gaps.
   */
  function lineChart(id, series, titles) {
    var svg = document.getElementById(id);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var twoAxes = series.some(function (s) { return s.axis === "right"; });
    replace(id + "-legend", series.map(function (s) {
      var side = s.axis === "right" ? "right" : "left";
      return el("li", { "data-series": s.name, "data-axis": side }, [el("i", { style: "background:" + s.color }), s.name + (twoAxes ? " (" + side + " axis)" : "")]);
    }));
    var known = function (p) { return p[1] !== null && p[1] !== undefined; };
    var all = [];
    series.forEach(function (s) { s.points.filter(known).forEach(function (p) { all.push(p); }); });
    if (all.length === 0) { svg.appendChild(el("svg:text", { x: 10, y: 20 }, ["no samples yet"])); return; }
    var t0 = Math.min.apply(null, all.map(function (p) { return p[0]; }));
    var t1 = Math.max.apply(null, all.map(function (p) { return p[0]; }));
    var x = function (t) { return t1 === t0 ? PLOT.right : PLOT.left + ((t - t0) / (t1 - t0)) * (PLOT.right - PLOT.left); };
    var maxOf = function (side) {
      var values = [];
      series.forEach(function (s) { if ((s.axis === "right" ? "right" : "left") === side) s.points.filter(known).forEach(function (p) { values.push(p[1]); }); });
      return niceMax(Math.max.apply(null, values.concat([0])));
    };
    var max = { left: maxOf("left"), right: maxOf("right") };
    yAxis(svg, "left", max.left, titles.left);
    if (twoAxes) yAxis(svg, "right", max.right, titles.right);
    var times = t1 === t0 ? [t0] : [t0, (t0 + t1) / 2, t1];
    xAxis(svg, times.map(function (t) { return { x: x(t), value: Math.round(t), label: new Date(t).toLocaleTimeString() }; }), "time");
    series.forEach(function (s) {
      var top = s.axis === "right" ? max.right : max.left;
      var y = function (v) { return PLOT.bottom - (v / top) * (PLOT.bottom - PLOT.top); };
      var pts = s.points.filter(known).map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); });
      if (pts.length) svg.appendChild(el("svg:polyline", { points: pts.join(" "), fill: "none", stroke: s.color, "stroke-width": 2, "data-series": s.name }));
    });
  }

  if (session) {
    document.getElementById("signed-in").hidden = false;
    document.getElementById("who").textContent = session.email || "";
  }
  poll();
})();
`;

export function statusPageHtml(): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cratedigger status</title>
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;
}
