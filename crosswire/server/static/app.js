// crosswire's page: the story list and one story's coverage side by side.
//
// Article text is untrusted. Every piece of it reaches the page through
// document.createTextNode / textContent or a plain attribute (lang, dir, title),
// never as markup, and links are kept only when they are http(s). The server's
// Content-Security-Policy forbids inline script as a second wall.
"use strict";

const RTL = new Set(["ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur", "yi"]);
const COMMON = ["ar", "de", "en", "es", "fr", "hi", "it", "ja", "nb", "nl", "pl", "pt", "ru", "tr", "uk", "zh"];
const STORE_KEY = "crosswire.readerLang";
const SVG_NS = "http://www.w3.org/2000/svg";

let readerLang = initialLang();
let renderCount = 0;  // a newer render makes an older, slower fetch drop its result
const knownLangs = new Set(COMMON);

// --- small helpers ---------------------------------------------------------------------------

function primary(code) {
  const head = String(code || "").toLowerCase().split(/[-_]/)[0];
  return head === "no" ? "nb" : head;
}

function dirOf(code) {
  if (!code || code === "und") return "auto";
  return RTL.has(primary(code)) ? "rtl" : "ltr";
}

function initialLang() {
  let saved = null;
  try { saved = localStorage.getItem(STORE_KEY); } catch (e) { /* storage may be off */ }
  return primary(saved || navigator.language || "en") || "en";
}

function langName(code) {
  try {
    const names = new Intl.DisplayNames([readerLang, "en"], { type: "language" });
    return names.of(code) || code;
  } catch (e) {
    return code;
  }
}

// el("p", {class: "x", lang: "ar"}, "text", child): strings become text nodes, never markup.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (/^on/i.test(name)) throw new Error("event attributes are not set from data");
    node.setAttribute(name, String(value));
  }
}

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  return node;
}

// Attributes for a piece of text in a language: lang, and the direction it is read in.
function langAttrs(code) {
  return { lang: code && code !== "und" ? code : null, dir: dirOf(code) };
}

function safeUrl(value) {
  if (!value) return null;
  try {
    const url = new URL(String(value), location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (e) {
    return null;
  }
}

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON: reported below */ }
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return body;
}

function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes.filter((node) => node !== null && node !== undefined));
}

function showError(message) {
  show(el("div", { class: "error", role: "alert" }, message), el("p", {}, el("a", { href: "#/" }, "← All stories")));
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function day(iso) {
  return String(iso || "").slice(0, 10);
}

// --- reader's language -----------------------------------------------------------------------

function fillLanguageSelect() {
  const select = document.getElementById("reader-lang");
  const codes = [...new Set([...knownLangs, readerLang])].filter(Boolean).sort();
  const options = codes.map((code) => {
    const option = el("option", { value: code }, `${langName(code)} (${code})`);
    option.selected = code === readerLang;
    return option;
  });
  select.replaceChildren(...options);
}

function setReaderLang(code) {
  readerLang = primary(code) || "en";
  try { localStorage.setItem(STORE_KEY, readerLang); } catch (e) { /* storage may be off */ }
  fillLanguageSelect();
  route();
}

// --- routes ----------------------------------------------------------------------------------

function parseHash() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  return { path, params: new URLSearchParams(query || "") };
}

function route() {
  const { path, params } = parseHash();
  const story = path.match(/^\/story\/(\d{1,15})$/);
  markView(path === "/watches" ? "watches" : path === "/sources" ? "sources" : "stories");
  if (story) {
    showStory(story[1]);
  } else if (path === "/entity" && params.get("name")) {
    showList(new URLSearchParams({ q: params.get("name") }), true);
  } else if (path === "/watches") {
    showWatches();
  } else if (path === "/sources") {
    showSources();
  } else {
    document.getElementById("q").value = params.get("q") || "";
    showList(params);
  }
}

// --- the story list --------------------------------------------------------------------------

// The story list; with ``entity``, the stories naming one person, organisation or place, in any
// script: the search finds a name as written or by its romanised sound (Mark Rutte = مارك روتي).
const FILTERS = ["lang", "outlet", "since", "until"];  // the list's filters, kept in the address like q

async function showList(params, entity = false) {
  const mine = ++renderCount;
  const q = params.get("q") || "";
  const query = new URLSearchParams({ reader_lang: readerLang, limit: "200" });
  if (q) query.set("q", q);
  if (!entity) for (const name of FILTERS) if (params.get(name)) query.set(name, params.get(name));
  let data;
  try {
    data = await api(`/api/stories?${query}`);
  } catch (err) {
    if (mine === renderCount) showError(`Could not load the stories: ${err.message}`);
    return;
  }
  if (mine !== renderCount) return;
  data.stories.forEach((s) => s.languages.forEach((code) => knownLangs.add(primary(code))));
  fillLanguageSelect();
  document.title = entity ? `crosswire: ${q}` : "crosswire: stories";
  const heading = el("h1", { class: entity ? "entity-heading" : null }, entity ? `Stories naming “${q}”` : q ? `Stories matching “${q}”` : "Stories");
  const count = el("p", { class: "count" }, plural(data.total, "story", "stories"),
    entity ? " · in any script: as written, or by the sound of its name (Mark Rutte = مارك روتي)" : "");
  const filters = entity ? null : filterForm(params);
  const filtered = FILTERS.some((name) => params.get(name));
  if (!data.stories.length) {
    show(heading, filters, count, el("p", { class: "empty" }, q || filtered ? "No story matches." : "No stories yet: add articles with crosswire ingest or POST /api/articles."));
    return;
  }
  show(heading, filters, count, el("ol", { class: "story-list" }, data.stories.map(storyItem)));
}

// Language, outlet and dates: each a filter of GET /api/stories, kept in the page's address.
function filterForm(params) {
  const lang = el("select", { name: "lang", "aria-label": "Language" }, el("option", { value: "" }, "any language"),
    [...knownLangs].sort().map((code) => el("option", { value: code }, `${langName(code)} (${code})`)));
  lang.value = params.get("lang") || "";
  const input = (name, type, label) => {
    const box = el("input", { name, type, "aria-label": label, placeholder: label, maxlength: "200" });
    box.value = params.get(name) || "";
    return box;
  };
  const form = el("form", { class: "filters", role: "search", "aria-label": "Filter stories" },
    el("label", {}, "Language ", lang),
    el("label", {}, "Outlet ", input("outlet", "text", "outlet or site")),
    el("label", {}, "From ", input("since", "date", "from")),
    el("label", {}, "To ", input("until", "date", "to")),
    el("button", { type: "submit" }, "Filter"),
    el("a", { href: params.get("q") ? `#/?${new URLSearchParams({ q: params.get("q") })}` : "#/", class: "clear" }, "clear"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (params.get("q")) next.set("q", params.get("q"));
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) next.set(name, value);
    }
    location.hash = `#/?${next}`;
  });
  return form;
}

function storyItem(story) {
  const span = day(story.first_seen) === day(story.last_seen) ? day(story.first_seen)
    : `${day(story.first_seen)} – ${day(story.last_seen)}`;
  return el("li", { class: "story", "data-story": story.id },
    el("a", { class: "headline", href: `#/story/${story.id}`, ...langAttrs(story.headline_language) }, story.headline || `Story ${story.id}`),
    el("div", { class: "meta" },
      el("span", { class: "langs" }, story.languages.map(langChip)),
      el("span", { class: "size" }, plural(story.size, "article", "articles")),
      el("span", { class: "sources", dir: "auto" }, story.sources.join(", ")),
      timeline(story.timeline || []),
      el("span", { class: "when" }, span)));
}

function langChip(code) {
  return el("span", { class: "chip lang-chip", "data-lang": code, title: langName(code), ...langAttrs(null) }, code);
}

// Articles per day over the story's span, as small bars (an SVG made with DOM calls).
function timeline(days) {
  // A bar per day, the first and last day written under them, the busiest day's count above.
  const width = 132, bars = 22, height = 36;
  const graphic = svgEl("svg", { class: "timeline", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  if (!days.length) return graphic;
  const most = Math.max(...days.map((d) => d.count));
  const slot = width / days.length;
  const label = days.filter((d) => d.count).map((d) => `${d.day}: ${plural(d.count, "article", "articles")}`).join("\n");
  graphic.setAttribute("aria-label", `coverage by day: ${label}`);
  graphic.append(svgEl("title", {}));
  graphic.firstChild.textContent = label;
  const top = height - bars - 12;
  days.forEach((d, i) => {
    const h = d.count ? Math.max(2, Math.round((d.count / most) * (bars - 2))) : 0;
    graphic.append(svgEl("rect", { class: "bar", x: (i * slot + 0.5).toFixed(1), y: top + bars - h, width: Math.max(1, slot - 1).toFixed(1), height: h }));
  });
  graphic.append(svgEl("line", { class: "axis", x1: 0, y1: top + bars - 0.5, x2: width, y2: top + bars - 0.5 }));
  const text = (x, y, anchor, value, cls) => {
    const t = svgEl("text", { class: cls, x, y, "text-anchor": anchor });
    t.textContent = value;
    graphic.append(t);
  };
  const short = (d) => d.slice(5);  // MM-DD: the year is the list's
  text(0, height - 1, "start", short(days[0].day), "tick");
  if (days.length > 1) text(width, height - 1, "end", short(days[days.length - 1].day), "tick");
  text(0, top + 1, "start", `max ${most}/day`, "tick most");
  return graphic;
}

// --- coverage over time, by language, on a story's page -----------------------------------------

// One row per language (in the order they took the story up), a dot per dated article at its time,
// the time axis under them with dates; drawn here, as SVG, from the story's own articles.
function coverageSection(articlesList) {
  const dated = articlesList.map((a) => ({ a, t: a.published ? Date.parse(a.published) : NaN })).filter((d) => !Number.isNaN(d.t));
  if (dated.length < 2) return el("section", { class: "coverage" });
  dated.sort((x, y) => x.t - y.t);
  const langs = [...new Set(dated.map((d) => primary(d.a.language || "und")))];
  const rowH = 18, left = 48, right = 16, top = 8, axisH = 30;
  const width = 900, height = top + langs.length * rowH + axisH;
  const t0 = dated[0].t, t1 = dated[dated.length - 1].t, span = Math.max(1, t1 - t0);
  const x = (t) => left + ((t - t0) / span) * (width - left - right);
  const chart = svgEl("svg", { class: "coverage-chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `coverage over time by language: ${dated.length} dated articles in ${plural(langs.length, "language", "languages")}` });
  const yAxis = svgEl("g", { class: "y-axis" });
  langs.forEach((code, i) => {
    const y = top + i * rowH + rowH / 2;
    yAxis.append(svgEl("line", { class: "row", x1: left, y1: y, x2: width - right, y2: y }));
    const t = svgEl("text", { class: "lang", x: left - 6, y: y + 4, "text-anchor": "end" });
    t.textContent = code;
    yAxis.append(t);
  });
  chart.append(yAxis);
  const base = top + langs.length * rowH + 4;
  const xAxis = svgEl("g", { class: "x-axis" });
  xAxis.append(svgEl("line", { class: "axis", x1: left, y1: base, x2: width - right, y2: base }));
  const ticks = 5;
  const sameDay = span < 2 * 86400000;
  for (let k = 0; k < ticks; k++) {
    const t = t0 + (span * k) / (ticks - 1);
    const iso = new Date(t).toISOString();
    xAxis.append(svgEl("line", { class: "tick", x1: x(t), y1: base, x2: x(t), y2: base + 4 }));
    const label = svgEl("text", { class: "tick", x: x(t), y: base + 16, "text-anchor": k === 0 ? "start" : k === ticks - 1 ? "end" : "middle" });
    label.textContent = sameDay ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
    xAxis.append(label);
  }
  chart.append(xAxis);
  for (const { a, t } of dated) {
    const row = langs.indexOf(primary(a.language || "und"));
    const dot = svgEl("circle", { class: "article-dot", cx: x(t).toFixed(1), cy: top + row * rowH + rowH / 2, r: 5, "data-article": a.id });
    dot.append(svgEl("title", {}));
    dot.firstChild.textContent = `${outletOf(a)} · ${a.language || "?"} · ${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
    chart.append(dot);
  }
  const undated = articlesList.length - dated.length;
  return el("section", { class: "coverage" }, el("h2", {}, "Coverage over time"),
    el("p", { class: "meta" }, `${plural(dated.length, "article", "articles")} by language and time of publication (UTC)`,
      undated ? `; ${undated} without a date` : ""),
    el("div", { class: "chart-wrap" }, chart));
}

// --- one story -------------------------------------------------------------------------------

async function showStory(id) {
  const mine = ++renderCount;
  let data;
  try {
    data = await api(`/api/stories/${id}?lang=${encodeURIComponent(readerLang)}`);
  } catch (err) {
    if (mine === renderCount) showError(`Could not load story ${id}: ${err.message}`);
    return;
  }
  if (mine !== renderCount) return;
  data.articles.forEach((a) => a.language && knownLangs.add(primary(a.language)));
  fillLanguageSelect();
  const articles = new Map(data.articles.map((a) => [a.id, a]));
  const report = data.report;
  const columns = report.columns.filter((c) => articles.has(c));
  const head = headline(data, report);
  document.title = `crosswire: ${head.text}`;
  show(el("article", { class: "story-page", "data-story": data.id },
    el("p", { class: "back" }, el("a", { href: "#/" }, "← All stories")),
    el("h1", { class: "story-headline", ...langAttrs(head.language) }, head.text),
    el("p", { class: "meta" },
      plural(columns.length, "article", "articles"), " · ",
      el("span", { class: "langs" }, [...new Set(data.articles.map((a) => a.language).filter(Boolean))].map(langChip)), " · ",
      el("span", { dir: "auto" }, columns.map((c) => outletOf(articles.get(c))).join(", "))),
    summarySection(report, articles),
    coverageSection(data.articles),
    sideBySide(report, columns, articles),
    quotesSection(report, articles)));
}

// --- which articles sit side by side ------------------------------------------------------------

// A column narrower than this is one word a line (a 24-article story once gave 24 columns of ~50 px).
const MIN_COLUMN_PX = 220;
const NARROW_MIN_COLUMN_PX = 140;  // on a phone: two columns (~18 characters a line) still fit in 400 px
const NARROW_PX = 700;

// How many article columns fit a table this wide, each at least a readable width.
function columnsThatFit(width) {
  const narrow = width < NARROW_PX;
  const factColumn = narrow ? 40 : 120;  // on a phone the fact's badge reads upwards (app.css)
  return Math.max(1, Math.floor((width - factColumn) / (narrow ? NARROW_MIN_COLUMN_PX : MIN_COLUMN_PX)));
}

// The writing system of an article's text (its first letter's): five Latin-script languages side by
// side show less of how a story is told around the world than Latin, Arabic, Cyrillic and Han.
const SCRIPTS = ["Latin", "Cyrillic", "Arabic", "Hebrew", "Greek", "Han", "Hiragana", "Katakana", "Hangul",
  "Devanagari", "Bengali", "Thai", "Georgian", "Armenian", "Ethiopic", "Tamil", "Telugu", "Gujarati", "Gurmukhi",
  "Kannada", "Malayalam", "Sinhala", "Khmer", "Myanmar", "Tibetan", "Lao", "Thaana"].map((name) => [name, new RegExp(`\\p{Script=${name}}`, "u")]);

function scriptOf(article) {
  const text = ((article.sentences || []).find((s) => !s.furniture) || {}).text || article.title || "";
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    const found = SCRIPTS.find(([, re]) => re.test(ch));
    return found ? (found[0] === "Hiragana" || found[0] === "Katakana" ? "Kana" : found[0]) : "other";
  }
  return "none";
}

// The pivot (the fullest account), then, one at a time, the article that differs most from those
// already shown: a script not shown yet counts most, then a language, then an outlet; ties go to the
// report's order. Returned in the report's order, so columns keep their places as the choice changes.
function defaultColumns(columns, articles, pivot, count) {
  const first = columns.includes(pivot) ? pivot : columns[0];
  const chosen = new Set();
  const scripts = new Set(), langs = new Set(), outlets = new Set();
  const take = (id) => {
    const a = articles.get(id);
    chosen.add(id);
    scripts.add(scriptOf(a));
    langs.add(primary(a.language || "und"));
    outlets.add(outletOf(a));
  };
  take(first);
  while (chosen.size < Math.min(count, columns.length)) {
    let best = null, bestScore = -1;
    for (const id of columns) {
      if (chosen.has(id)) continue;
      const a = articles.get(id);
      const score = (scripts.has(scriptOf(a)) ? 0 : 4) + (langs.has(primary(a.language || "und")) ? 0 : 2)
        + (outlets.has(outletOf(a)) ? 0 : 1);
      if (score > bestScore) { best = id; bestScore = score; }
    }
    take(best);
  }
  return columns.filter((id) => chosen.has(id));
}

function articleLabel(a) {
  return [outletOf(a), a.language || "?", a.published ? day(a.published) : null].filter(Boolean).join(" · ");
}

// The facts table for the articles chosen, and the list that chooses them: every article of the
// story is one click away (a checkbox), whatever fits on the screen at first.
function sideBySide(report, columns, articles) {
  const width = Math.min(window.innerWidth, document.documentElement.clientWidth || window.innerWidth) - 24;
  const fit = columnsThatFit(width);
  let shown = defaultColumns(columns, articles, report.pivot, fit);
  const holder = el("section", { class: "comparison" });
  let open = columns.length > shown.length && columns.length <= 12;  // a long list starts folded
  const draw = () => {
    const chooser = el("details", { class: "column-chooser", open: open ? "" : null },
      el("summary", {}, `Showing ${shown.length} of ${plural(columns.length, "article", "articles")}`,
        columns.length > shown.length ? ": choose which (each one click away)" : ": choose which"),
      el("ul", {}, columns.map((id) => {
        const a = articles.get(id);
        const box = el("input", { type: "checkbox", value: id, "data-article": id });
        box.checked = shown.includes(id);
        box.addEventListener("change", () => {
          const next = columns.filter((c) => (c === id ? box.checked : shown.includes(c)));
          if (!next.length) { box.checked = true; return; }  // at least one article stays
          shown = next;
          draw();
        });
        return el("li", {}, el("label", { dir: "auto" }, box, " ", articleLabel(a),
          id === report.pivot ? el("span", { class: "pivot" }, " (pivot)") : null));
      })));
    chooser.addEventListener("toggle", () => { open = chooser.open; });  // kept as the reader left it
    holder.replaceChildren(el("h2", {}, "Side by side"), chooser, ...factsParts(report, shown, articles, fit).filter(Boolean));
  };
  draw();
  return holder;
}


// Names an article as the story list names its sources (storyview.source_label): the outlet, else
// the host of its URL, else the name of the file it was read from, else its own id. An article sent
// to the server has no file: its source is the request body's name in messages ("body", "body:3").
const URL_HOST = /^(?:[a-z][a-z0-9+.-]*:)?\/\/(?:[^/?#@\s]*@)?([^/?#:@\s[\]]+)/i;
const LINE_OR_ENTRY = /(?::\d+|#\d+)$/;  // "a.jsonl:3" (a JSON Lines line), "feed.xml#2" (a feed entry)

function outletOf(article) {
  if (article.outlet && article.outlet.trim()) return article.outlet.trim();
  const host = article.url ? URL_HOST.exec(article.url.trim()) : null;
  if (host) {
    const name = host[1].toLowerCase().replace(/\.+$/, "");
    return name.startsWith("www.") && name.length > 4 ? name.slice(4) : name;
  }
  const source = article.source || "";
  if (source && source.replace(LINE_OR_ENTRY, "") !== "body") {
    const name = source.replace(/[\\/]+$/, "").split(/[\\/]/).pop().replace(LINE_OR_ENTRY, "");
    if (name) return name;
  }
  return article.id;
}

function headline(data, report) {
  if (report.headline && report.headline.text) return { text: report.headline.text, language: report.headline.language };
  const lead = (report.summary || [])[0];  // no titles: the first fact, in the reader's language where one tells it
  if (lead) {
    const source = data.articles.find((a) => a.id === lead.article);
    const first = source && (lead.sentences || []).length ? source.sentences.find((s) => s.id === lead.sentences[0]) : null;
    return { text: first ? first.text : lead.text, language: lead.language };
  }
  const pivot = data.articles.find((a) => a.id === report.pivot) || data.articles[0];
  const first = (pivot.sentences || []).find((s) => !s.furniture);
  return { text: first ? first.text : `Story ${data.id}`, language: first ? first.language || pivot.language : null };
}

function summarySection(report, articles) {
  const items = (report.summary || []).map((item) => {
    const article = articles.get(item.article);
    return el("li", { class: "summary-item", "data-fact": item.fact },
      el("span", { class: "text", ...langAttrs(item.language) }, item.text),
      " ", el("span", { class: "from" }, `— ${article ? outletOf(article) : item.article}`,
        item.in_reader_language ? "" : ` (${langName(item.language)})`));
  });
  if (!items.length) return el("section", { class: "summary" });
  return el("section", { class: "summary" }, el("h2", {}, "In short"), el("ul", {}, items));
}

function factsParts(report, columns, articles, fit) {
  const sentence = new Map();
  for (const a of articles.values()) for (const s of a.sentences) sentence.set(`${a.id}\u0000${s.id}`, s);
  const entitiesOf = (articleId) => (report.entities || []).filter((e) => e.mentions && e.mentions[articleId]);
  const headRow = el("tr", {}, el("th", { class: "fact-kind-head", scope: "col" }, "fact"),
    columns.map((id) => {
      const a = articles.get(id);
      const link = safeUrl(a.url);
      return el("th", { class: "article-head", scope: "col", "data-article": id, ...langAttrs(a.language) },
        el("div", { class: "outlet" }, link ? el("a", { href: link, rel: "noopener noreferrer nofollow", target: "_blank" }, outletOf(a)) : outletOf(a)),
        a.title ? el("div", { class: "title" }, a.title) : null,
        el("div", { class: "article-meta", dir: "ltr" }, langChip(a.language || "und"), a.published ? ` ${day(a.published)}` : "",
          id === report.pivot ? el("span", { class: "pivot", title: "the other articles are aligned to this one" }, " pivot") : null),
        el("div", { class: "entities" }, entitiesOf(id).map((e) => entityChip(e, id))));
    }));
  // A fact none of the articles shown reports would be a row of dashes: it is counted instead.
  const visible = report.facts.filter((fact) => columns.some((c) => (fact.cells[c] || []).length));
  const hidden = report.facts.length - visible.length;
  const rows = visible.map((fact) => {
    const shared = fact.kind === "shared" || (fact.kind !== "single" && fact.sources > 1);
    const kind = shared ? "shared" : "single";
    const only = shared ? null : columns.find((c) => fact.cells[c] && fact.cells[c].length);
    const label = shared ? `shared by ${fact.sources}` : `only ${only ? outletOf(articles.get(only)) : "one source"}`;
    return el("tr", { class: `fact ${kind}`, "data-fact": fact.id, "data-sources": fact.sources },
      el("th", { class: "fact-kind", scope: "row", title: fact.score === null || fact.score === undefined ? null : `alignment confidence ${fact.score}` },
        el("span", { class: `badge ${kind}`, dir: "auto" }, label)),
      columns.map((id) => {
        const a = articles.get(id);
        const ids = fact.cells[id] || [];
        const texts = ids.map((sid) => sentence.get(`${id}\u0000${sid}`)).filter(Boolean);
        const code = (texts[0] && texts[0].language) || a.language;
        if (!texts.length) return el("td", { class: "cell empty", "data-article": id, ...langAttrs(a.language) }, el("span", { class: "none", "aria-label": "not reported" }, "—"));
        return el("td", { class: "cell", "data-article": id, ...langAttrs(code) },
          texts.map((s) => el("p", { class: "sentence", "data-sentence": s.id, ...langAttrs(s.language || a.language) }, s.text)));
      }));
  });
  const filter = el("div", { class: "filter", role: "group", "aria-label": "show facts" },
    ["all", "shared", "single"].map((which) => {
      const button = el("button", { type: "button", "data-show": which, "aria-pressed": which === "all" ? "true" : "false" },
        which === "all" ? `All facts (${report.facts.length})` : which === "shared" ? `Shared (${report.facts.filter((f) => f.kind === "shared").length})` : `One source only (${report.facts.filter((f) => f.kind === "single").length})`);
      button.addEventListener("click", () => {
        const table = button.closest("section").querySelector("table.facts");
        table.dataset.show = which;
        button.parentNode.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      });
      return button;
    }));
  const table = el("table", { class: "facts", "data-show": "all", "data-columns": columns.length }, el("thead", {}, headRow), el("tbody", {}, rows));
  table.style.setProperty("--columns", String(columns.length));  // its least width: each column readable
  const scrolls = columns.length > fit;
  return [
    el("p", { class: "legend" }, el("span", { class: "badge shared" }, "shared"), " facts reported by more than one article, ",
      el("span", { class: "badge single" }, "only …"), " facts one article alone reports.",
      hidden ? ` ${plural(hidden, "fact", "facts")} only in articles not shown.` : ""),
    filter,
    scrolls ? el("p", { class: "scroll-cue", dir: "ltr" }, "More columns than fit: scroll the table sideways →") : null,
    el("div", { class: `table-wrap${scrolls ? " scrolls" : ""}` }, table)];
}

function entityChip(entity, articleId) {
  const mentions = entity.mentions[articleId] || [];
  const chip = el("button", { type: "button", class: `chip entity kind-${String(entity.kind || "MISC").replace(/[^A-Z]/g, "")}`,
    "data-entity": entity.id, title: `${entity.kind || ""}: ${mentions.join(", ")}`, dir: "auto" }, entity.name);
  chip.addEventListener("click", () => highlightEntity(entity, chip));
  // Every story naming it, whatever the script: the entity's page.
  const link = el("a", { class: "entity-link", href: `#/entity?${new URLSearchParams({ name: entity.name })}`,
    title: `every story naming ${entity.name}`, "aria-label": `every story naming ${entity.name}` }, "↗");
  return el("span", { class: "entity-chip" }, chip, link);
}

// Mark the cells that mention the entity (by any of its names); a second click clears.
function highlightEntity(entity, chip) {
  const table = chip.closest("table");
  const on = table.dataset.entity !== entity.id;
  table.dataset.entity = on ? entity.id : "";
  table.querySelectorAll("td.cell").forEach((cell) => {
    const names = (entity.mentions[cell.dataset.article] || []).filter(Boolean);
    cell.classList.toggle("mentions", on && names.some((n) => cell.textContent.includes(n)));
  });
  table.querySelectorAll("button.entity").forEach((b) => b.classList.toggle("active", on && b.dataset.entity === entity.id));
}

function quotesSection(report, articles) {
  const speakers = report.quotes || [];
  if (!speakers.length) return el("section", { class: "quotes" });
  return el("section", { class: "quotes" }, el("h2", {}, "Quotes by speaker"),
    speakers.map((speaker) => {
      const groups = new Map();  // the same words quoted by several articles sit together
      speaker.quotes.forEach((q, i) => {
        const key = q.group === null || q.group === undefined ? `solo${i}` : `g${q.group}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(q);
      });
      return el("div", { class: "speaker", "data-entity": speaker.entity },
        el("h3", { dir: "auto" }, speaker.speaker || "Speaker not named"),
        el("ul", { class: "quote-groups" }, [...groups.values()].map((quotes) =>
          el("li", { class: `quote-group${quotes.length > 1 ? " shared" : ""}` }, quotes.map((q) => {
            const article = articles.get(q.article);
            return el("figure", { class: "quote", "data-article": q.article },
              el("blockquote", { ...langAttrs(q.language || (article && article.language)) }, q.text),
              el("figcaption", {}, `${article ? outletOf(article) : q.article} · ${langName(q.language || (article && article.language) || "und")}`));
          })))));
    }));
}

// --- watch-lists ------------------------------------------------------------------------------

// The navigation shows which view is open.
function markView(view) {
  document.querySelectorAll(".views a").forEach((a) => {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

const ALERTS_SHOWN = 10;

async function showWatches() {
  const mine = ++renderCount;
  let watches, alerts;
  try {
    watches = (await api("/api/watches")).watches;
    // Each watch's latest alerts, asked for together.
    alerts = await Promise.all(watches.map((w) => api(`/api/alerts?watch=${w.id}&limit=${ALERTS_SHOWN}`)));
  } catch (err) {
    if (mine === renderCount) showError(`Could not load the watch-lists: ${err.message}`);
    return;
  }
  if (mine !== renderCount) return;
  document.title = "crosswire: watch-lists";
  const heading = el("h1", {}, "Watch-lists");
  if (!watches.length) {
    show(heading, el("p", { class: "empty" }, "No watch-lists yet: add one with crosswire watch add or POST /api/watches."));
    return;
  }
  show(heading, el("p", { class: "count" }, plural(watches.length, "watch-list", "watch-lists")),
    el("div", { class: "watch-list" }, watches.map((w, i) => watchItem(w, alerts[i].alerts))));
}

function watchItem(watch, alerts) {
  const conditions = [];
  if (watch.entities.length) {
    conditions.push(el("li", {}, "Names: ", watch.entities.map((name) => el("span", { class: "chip entity", dir: "auto" }, name))));
  }
  if (watch.text) conditions.push(el("li", {}, "Words: ", el("q", { dir: "auto" }, watch.text)));
  if (watch.languages.length) conditions.push(el("li", {}, "In: ", watch.languages.map(langChip)));
  if (watch.min_languages) conditions.push(el("li", {}, `Reaching ${watch.min_languages} languages`));
  const hook = safeUrl(watch.webhook);
  if (hook) conditions.push(el("li", {}, `Webhook to ${new URL(hook).host}${watch.signed ? " (signed)" : ""}`));
  const latest = watch.latest_alert_at ? ` · latest ${when(watch.latest_alert_at)}` : "";
  return el("section", { class: "watch", "data-watch": watch.id },
    el("h2", { dir: "auto" }, watch.name),
    el("ul", { class: "conditions" }, conditions),
    el("p", { class: "meta" }, plural(watch.alerts, "alert", "alerts"), latest, " · ",
      el("a", { class: "atom", href: watch.atom, type: "application/atom+xml" }, "Atom feed")),
    alerts.length ? el("ol", { class: "alerts" }, alerts.map(alertItem)) : el("p", { class: "empty" }, "No alerts yet."));
}

function alertItem(alert) {
  const detail = alert.detail || {};
  const reason = detail.reason || `${alert.event}: story ${alert.story_id}`;
  return el("li", { class: "alert", "data-alert": alert.id, "data-story": alert.story_id },
    el("a", { href: `#/story/${alert.story_id}`, dir: "auto" }, reason),
    " ", el("span", { class: "chip event" }, alert.event),
    " ", el("time", { datetime: alert.created_at }, when(alert.created_at)));
}

// "2025-03-10 14:05 UTC": the same for every reader, as the API's times are.
function when(iso) {
  return iso ? `${String(iso).slice(0, 16).replace("T", " ")} UTC` : "";
}

// --- sources ---------------------------------------------------------------------------------

// The feeds the store follows (crosswire follow add), as the poller last found them.
async function showSources() {
  const mine = ++renderCount;
  let sources;
  try {
    sources = (await api("/api/sources")).sources;
  } catch (err) {
    if (mine === renderCount) showError(`Could not load the sources: ${err.message}`);
    return;
  }
  if (mine !== renderCount) return;
  document.title = "crosswire: sources";
  const heading = el("h1", {}, "Sources");
  if (!sources.length) {
    show(heading, el("p", { class: "empty" }, "No sources followed yet: follow a feed with ",
      el("code", {}, "crosswire follow add URL"), ", then fetch it with ", el("code", {}, "crosswire poll"),
      " or ", el("code", {}, "crosswire serve --poll"), "."));
    return;
  }
  const failing = sources.filter((s) => s.failures > 0).length;
  const columns = ["Outlet", "Language", "Feed", "Articles", "Last fetch", "Last new article", "Next fetch", "Errors"];
  show(heading,
    el("p", { class: "count" }, plural(sources.length, "source", "sources"), failing ? ` · ${failing} failing` : ""),
    el("div", { class: "table-wrap" }, el("table", { class: "sources" },
      el("caption", {}, "Followed feeds"),
      el("thead", {}, el("tr", {}, columns.map((name) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, sources.map(sourceRow)))));
}

function sourceRow(source) {
  const failing = source.failures > 0;
  const link = safeUrl(source.url);
  const name = outletOf({ outlet: source.title, url: source.url, source: null, id: source.url });
  const fetched = source.last_fetch_at
    ? [timeEl(source.last_fetch_at), source.last_status ? " " : null, source.last_status ? el("span", { class: "status" }, `HTTP ${source.last_status}`) : null]
    : el("span", { class: "none" }, "not yet");
  const errors = [el("span", { class: "error-count" }, String(source.errors))];
  if (failing) errors.push(" ", el("span", { class: "badge failing" }, source.failures > 1 ? `failing: ${source.failures} fetches in a row` : "failing"));
  if (source.errors > 0 && source.last_error) errors.push(el("div", { class: "last-error", dir: "auto" }, source.last_error));
  return el("tr", { class: `source${failing ? " failing" : ""}`, "data-source": source.id },
    el("td", { class: "outlet", lang: source.language || null, dir: "auto" }, name),
    el("td", { class: "language" }, source.language ? langChip(source.language) : el("span", { class: "none" }, "—")),
    el("td", { class: "feed", dir: "auto" }, link ? el("a", { href: link, rel: "noopener noreferrer", target: "_blank" }, source.url) : source.url),
    el("td", { class: "articles num" }, String(source.articles)),
    el("td", { class: "fetched" }, fetched),
    el("td", { class: "new" }, source.last_new_at ? timeEl(source.last_new_at) : el("span", { class: "none" }, "none yet")),
    el("td", { class: "next" }, source.next_fetch_at ? timeEl(source.next_fetch_at) : ""),
    el("td", { class: `errors${source.errors > 0 ? " problem" : ""}` }, errors));
}

// A time as when() writes it, in two parts a narrow column may break between (day, then clock).
function timeEl(iso) {
  const [date, clock] = when(iso).split(/ (.*)/);
  return el("time", { datetime: iso }, el("span", {}, date), " ", el("span", {}, clock));
}

// --- start -----------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  fillLanguageSelect();
  document.getElementById("reader-lang").addEventListener("change", (event) => setReaderLang(event.target.value));
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = document.getElementById("q").value.trim();
    location.hash = q ? `#/?${new URLSearchParams({ q })}` : "#/";
  });
  window.addEventListener("hashchange", route);
  route();
});
