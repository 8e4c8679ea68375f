// Live story feed: listens to /api/events (server-sent events) and re-renders the
// current page of stories from /api/stories. Untrusted text is only ever set with
// textContent; no HTML string is built from data.
"use strict";
(function () {
  const feed = document.getElementById("feed");
  const status = document.getElementById("live-status");
  if (!feed || !status || !window.EventSource) return;

  const LANGS = { en: "English", fr: "French", de: "German", es: "Spanish", it: "Italian", pl: "Polish",
    ru: "Russian", zh: "Chinese", ar: "Arabic", tr: "Turkish", nl: "Dutch", pt: "Portuguese",
    uk: "Ukrainian", ja: "Japanese", ko: "Korean" };
  const page = new URLSearchParams(window.location.search);
  const query = new URLSearchParams();
  for (const key of ["q", "lang", "source", "entity", "sort", "offset"]) {
    const value = page.get(key);
    if (value) query.set(key, value);
  }
  query.set("limit", status.dataset.limit || "20");
  let updates = 0;
  let timer = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function when(iso) {
    if (!iso) return "–";
    return iso.slice(0, 16).replace("T", " ");
  }

  function storyItem(story, fresh) {
    const li = el("li", fresh ? "story fresh" : "story");
    li.dataset.storyId = story.id;
    const h = el("h2", "story-headline");
    const a = el("a", "", story.headline);
    a.href = "/stories/" + encodeURIComponent(story.id);
    h.appendChild(a);
    li.appendChild(h);
    const meta = el("p", "meta");
    meta.appendChild(el("span", "count", story.size + (story.size === 1 ? " article" : " articles")));
    const langs = el("span", "langs");
    for (const code of Object.keys(story.languages).sort()) {
      const tag = el("abbr", "tag", code);
      tag.title = (LANGS[code] || code) + ": " + story.languages[code];
      langs.appendChild(tag);
    }
    meta.appendChild(langs);
    meta.appendChild(el("span", "sources", Object.keys(story.sources).sort().join(", ")));
    const time = el("time", "", when(story.last_seen));
    if (story.last_seen) time.dateTime = story.last_seen;
    meta.appendChild(time);
    li.appendChild(meta);
    return li;
  }

  async function refresh(changed) {
    const response = await fetch("/api/stories?" + query.toString(), { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    const items = data.items.map((s) => storyItem(s, changed.has(s.id)));
    feed.replaceChildren(...items);
    const empty = document.getElementById("empty");
    if (empty && items.length) empty.remove();
  }

  const changed = new Set();
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => { status.textContent = "Live updates: on"; status.dataset.state = "open"; });
  source.addEventListener("error", () => { status.textContent = "Live updates: reconnecting…"; status.dataset.state = "error"; });
  source.addEventListener("story", (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch (e) { return; }
    updates += 1;
    changed.add(event.story_id);
    status.textContent = "Live updates: on · " + updates + (updates === 1 ? " new article" : " new articles");
    window.clearTimeout(timer);
    timer = window.setTimeout(() => { refresh(new Set(changed)).catch(() => {}); changed.clear(); }, 250);
  });
  window.addEventListener("pagehide", () => source.close());
})();
