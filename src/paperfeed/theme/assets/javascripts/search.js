// paperfeed: the header's search box, answered by Pagefind (pagefind/pagefind.js).
//
// Material's look and keys: f, s or / opens the box, arrows walk the results, Escape
// closes. Pagefind is loaded only when the box opens, and then fetches just the index
// chunks for the words typed, so a search costs kilobytes whatever the feed's size.
// Results are built with DOM calls from text: nothing a paper says becomes markup.
(() => {
  "use strict";

  const box = document.querySelector("[data-pf-search]");
  const toggle = document.getElementById("__search");
  if (!box || !toggle) return;

  const shortcut = (event) => !(event.metaKey || event.ctrlKey || event.altKey) &&
    !typing(event.target) && ["f", "s", "/"].includes(event.key);

  // A page carries the box's frame; its inside, alike on every page, is one file the
  // browser fetches once and keeps (a feed's own partials/search.html may hold it all).
  // A key pressed before it is in opens the box, and what is typed then is kept for it.
  let typed = "";
  if (box.querySelector("[data-pf-search-query]")) {
    start();
  } else {
    const early = (event) => {
      if (!toggle.checked) {
        if (!shortcut(event)) return;
        toggle.checked = true;
        toggle.dispatchEvent(new Event("change"));
      } else if (event.key === "Backspace") {
        typed = typed.slice(0, -1);
      } else if (event.key.length === 1 && !(event.metaKey || event.ctrlKey || event.altKey)) {
        typed += event.key;
      } else {
        return;
      }
      event.preventDefault();
    };
    document.addEventListener("keydown", early, true);
    fetch(new URL(box.dataset.pfSearchBox, location.href))
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        document.removeEventListener("keydown", early, true);
        box.innerHTML = html;
        start();
      })
      .catch(() => { box.dataset.state = "failed"; });
  }

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function start() {
    const input = box.querySelector("[data-pf-search-query]");
    const form = input.form;
    const result = box.querySelector("[data-pf-search-result]");
    const meta = result.querySelector(".md-search-result__meta");
    const list = result.querySelector(".md-search-result__list");
    const filterRow = box.querySelector("[data-pf-search-filters]");
    const selects = Array.from(filterRow.querySelectorAll("select"));
    const PAGE = 10;
    const PAGES = "pages/"; // search_index.PAGES_SHARD: the hand-written pages' part

    // In the site's language, as search-box.html says them; in English if it does not.
    const said = result.dataset;
    const words = {
      ready: said.pfSayReady || "Type to start searching",
      none: said.pfSayNone || "No matching documents",
      one: said.pfSayOne || "1 matching document",
      other: said.pfSayOther || "# matching documents",
      failed: "Search is not available: the search index did not load.",
    };

    let pagefind = null;      // the promise of Pagefind loaded
    let module = null;        // pagefind.js, once loaded
    let parts = [];           // the index's parts in batches, newest first (below)
    let state = null;         // the current query's answer so far (newest(), reach())
    let rendered = 0;         // how many of its results are in the list
    let asked = 0;            // counts queries, so a slow answer cannot overwrite a newer one
    let busy = false;         // a search is running in Pagefind's worker

    // The bundle's URL is relative to this page; Pagefind wants the site's root path to
    // build result URLs, so the site also works under a sub-path (/feed/).
    const bundle = new URL(box.dataset.pfSearch, location.href);
    const siteRoot = new URL("..", bundle).pathname;

    // A big feed's index comes in parts (paperfeed-shards.json lists them; the first part
    // is pagefind/ itself, the last the newest papers, by id). Merged, every part answers
    // every query, and a word in most papers then costs each part's chunk and scoring:
    // seconds and megabytes at 100,000 papers. So the parts are searched newest first, in
    // batches of 1, 3, 12, 48 ... parts, and a batch only when the ones before it gave
    // fewer results than a reader is shown: a common word costs one part, a rare one a
    // few batches (each batch is one Pagefind instance, which fetches its own wasm).
    function batches(shards) {
      const papers = ["", ...shards.filter((s) => s !== PAGES)].reverse();
      const found = [];
      while (papers.length) {
        const size = found.length ? 3 * 4 ** (found.length - 1) : 1; // 1, 3, 12, 48 ...
        found.push(papers.splice(0, size));
      }
      // The hand-written pages are few: they answer with the newest papers.
      if (shards.includes(PAGES)) found[0].push(PAGES);
      return found.map((paths) => ({ paths, instance: null }));
    }

    // A batch's Pagefind instance: made, and its index's metadata fetched, when first asked.
    function instance(batch) {
      if (!batch.instance) {
        batch.instance = searcher(batch.paths.map((path) => new URL(path, bundle).href));
        batch.instance.catch(() => { batch.instance = null; }); // tried again next time
      }
      return batch.instance;
    }

    // One Pagefind instance for the parts at `urls`, merged.
    async function searcher([first, ...rest]) {
      const found = module.createInstance({ basePath: first, baseUrl: siteRoot });
      await found.options({ baseUrl: siteRoot, excerptLength: 24 });
      for (const url of rest) await found.mergeIndex(url, { baseUrl: siteRoot });
      await found.init();
      // init() returns before Pagefind's worker has its wasm and metadata; an empty
      // search waits for them and costs nothing.
      await found.search("");
      return found;
    }

    function load() {
      if (!pagefind) {
        pagefind = (async () => {
          module = await import(new URL("pagefind.js", bundle).href);
          const shards = await fetch(new URL("paperfeed-shards.json", bundle))
            .then((response) => (response.ok ? response.json() : []))
            .catch(() => []);
          parts = batches(shards);
          await instance(parts[0]);
          box.dataset.state = "ready"; // for tests and the benchmark: the index is loaded
          if (meta.dataset.state !== "done") setMeta(words.ready);
        })();
        pagefind.catch(() => {
          pagefind = null; // the next keystroke tries again
          setMeta(words.failed);
        });
      }
      return pagefind;
    }

    // The lists of tags and years are fetched when a reader reaches for them, not with
    // every first search: a feed with many tags would pay for them on each visit.
    let filtersLoaded = null;
    function loadFilters() {
      filtersLoaded ??= load().then(fillFilters).catch(() => {
        filtersLoaded = null;
      });
      return filtersLoaded;
    }

    // Every part's values and counts, so the lists name every tag and year of the feed.
    async function fillFilters() {
      const each = await Promise.all(parts.map(async (batch) => (await instance(batch)).filters()));
      const filters = {};
      for (const found of each) {
        for (const [name, counts] of Object.entries(found)) {
          filters[name] ??= {};
          for (const [value, n] of Object.entries(counts)) {
            filters[name][value] = (filters[name][value] || 0) + n;
          }
        }
      }
      const fill = (select, counts, order) => {
        for (const value of Object.keys(counts || {}).sort(order)) {
          const option = document.createElement("option");
          option.value = value;
          option.textContent = `${value} (${counts[value]})`;
          select.append(option);
        }
      };
      const [tag, year] = selects;
      fill(tag, filters.tag, (a, b) => a.localeCompare(b));
      fill(year, filters.year, (a, b) => b.localeCompare(a));
    }

    function chosenFilters() {
      const chosen = {};
      for (const select of selects) if (select.value) chosen[select.name] = select.value;
      return chosen;
    }

    function setMeta(text, state = "") {
      meta.textContent = text;
      meta.dataset.state = state;
    }

    // "N+" while older parts have not answered yet: at least N papers match.
    function count(n, more = false) {
      if (more) return words.other.replace("#", `${n.toLocaleString()}+`);
      if (n === 0) return words.none;
      if (n === 1) return words.one;
      return words.other.replace("#", n.toLocaleString());
    }

    // What to ask Pagefind for now: null when the box and the filters are empty.
    function question() {
      const query = input.value.trim();
      const filters = chosenFilters();
      return query || Object.keys(filters).length ? { query: query || null, filters } : null;
    }

    // Pagefind cannot stop a search it has begun, and a word in most papers keeps its
    // worker busy for a while (it scores every paper that has the word). A fixed wait
    // after each keystroke would delay every answer by that wait; instead a query is
    // searched at once, and the keystrokes that come while a search runs are answered
    // together, by one search for the newest query when it ends.
    async function run() {
      asked += 1;
      if (!question()) {
        state = null;
        list.replaceChildren();
        setMeta(words.ready);
        return;
      }
      if (busy) return; // the running search takes up the newest query when it ends
      try {
        const [ticket, found] = await newest();
        if (found) await show(found, ticket);
      } catch {
        list.replaceChildren();
        setMeta(words.failed, "done");
      }
    }

    // Searches until the query searched is still the newest: [its ticket, the answer].
    async function newest() {
      busy = true;
      try {
        for (;;) {
          const ticket = asked;
          const ask = question();
          const found = ask && { ask, results: [], searched: 0 };
          if (found) await load().then(() => reach(found, PAGE, ticket));
          if (ticket === asked) return [ticket, found];
        }
      } finally {
        busy = false;
      }
    }

    // Searches the next batches of parts, newest first, until `found` holds `want`
    // results or every part has answered; stops early once a newer query is asked.
    // Each batch's results are in Pagefind's order, after those of the newer batches.
    // Calls are chained: two at once (a double click on More) would search a batch twice.
    function reach(found, want, ticket) {
      found.reaching = (found.reaching ?? Promise.resolve()).then(async () => {
        while (found.results.length < want && unsearched(found) && ticket === asked) {
          const batch = await instance(parts[found.searched]);
          const answer = await batch.search(found.ask.query, { filters: found.ask.filters });
          found.results.push(...answer.results);
          found.searched += 1;
        }
      });
      return found.reaching;
    }

    function unsearched(found) {
      return found.searched < parts.length;
    }

    async function show(found, ticket) {
      state = found;
      rendered = 0;
      list.replaceChildren();
      setMeta(count(found.results.length, unsearched(found)), "done");
      await more(ticket);
    }

    // The next PAGE results: each needs a fetch of its fragment, so they come in pages.
    // Older parts are searched first if the parts searched have fewer left than a page.
    // The fetches start together and each result is shown once it and those above it
    // are in: the first one does not wait for the slowest of ten.
    async function more(ticket) {
      const found = state;
      await reach(found, rendered + PAGE, ticket);
      if (ticket !== asked) return;
      setMeta(count(found.results.length, unsearched(found)), "done");
      const slice = found.results.slice(rendered, rendered + PAGE);
      rendered += slice.length;
      const data = slice.map((r) => r.data());
      for (const item of data) item.catch(() => {}); // awaited below: one failure is enough
      list.querySelector(".pf-search-more")?.remove();
      for (const item of data) {
        const loaded = await item;
        if (ticket !== asked) return;
        list.append(resultItem(loaded));
      }
      if (rendered < found.results.length || unsearched(found)) list.append(moreButton(ticket));
    }

    function resultItem(item) {
      const li = document.createElement("li");
      li.className = "md-search-result__item";
      const link = document.createElement("a");
      link.className = "md-search-result__link";
      link.href = item.url;
      link.tabIndex = -1;
      const article = document.createElement("article");
      article.className = "md-search-result__article md-typeset";
      const icon = document.createElement("div");
      icon.className = "md-search-result__icon md-icon";
      const title = document.createElement("h1");
      title.textContent = item.meta.title || item.url;
      article.append(icon, title);
      const byline = [item.meta.year, shortAuthors(item.meta.authors)].filter(Boolean).join(" · ");
      if (byline) {
        const p = document.createElement("p");
        p.className = "pf-search-byline";
        p.textContent = byline;
        article.append(p);
      }
      const excerpt = document.createElement("p");
      excerpt.append(...marked(item.excerpt));
      article.append(excerpt);
      link.append(article);
      li.append(link);
      return li;
    }

    function shortAuthors(text) {
      if (!text) return "";
      const names = text.split(",").map((s) => s.trim()).filter(Boolean);
      return names.length > 3 ? `${names.slice(0, 3).join(", ")} et al.` : names.join(", ");
    }

    // Pagefind's excerpt is page text with <mark> around the hits. Only the marks are
    // kept as elements; every other piece is decoded into a text node. A textarea parses
    // what it is given as text (entities decoded, tags left as text, nothing run).
    const decoder = document.createElement("textarea");
    function marked(excerpt) {
      const text = (html) => {
        decoder.innerHTML = html;
        return document.createTextNode(decoder.value);
      };
      return excerpt.split(/(<mark>.*?<\/mark>)/s).filter(Boolean).map((piece) => {
        const hit = piece.match(/^<mark>(.*)<\/mark>$/s);
        if (!hit) return text(piece);
        const mark = document.createElement("mark");
        mark.append(text(hit[1]));
        return mark;
      });
    }

    function moreButton(ticket) {
      const li = document.createElement("li");
      li.className = "md-search-result__item pf-search-more";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "md-search-result__more md-button";
      const left = state.results.length - rendered;
      button.textContent = `Show more (${left}${unsearched(state) ? "+" : ""})`;
      button.addEventListener("click", () => {
        button.disabled = true; // until the page it asks for is in
        more(ticket).catch(() => setMeta(words.failed));
      });
      li.append(button);
      return li;
    }

    function open() {
      if (!toggle.checked) {
        toggle.checked = true;
        toggle.dispatchEvent(new Event("change"));
      }
      load();
      filterRow.hidden = false;
    }

    function close() {
      if (toggle.checked) {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
      }
      input.blur();
    }

    input.addEventListener("focus", open);
    input.addEventListener("input", run);
    for (const select of selects) {
      select.addEventListener("change", run);
      select.addEventListener("focus", loadFilters);
      // A click opens the list at once: hold it until the options are there.
      select.addEventListener("pointerdown", (event) => {
        if (select.options.length > 1) return;
        event.preventDefault();
        loadFilters().then(() => select.showPicker?.());
      });
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      list.querySelector(".md-search-result__link")?.click();
    });
    form.addEventListener("reset", () => setTimeout(() => { run(); input.focus(); }));
    toggle.addEventListener("change", () => { if (toggle.checked) input.focus(); });

    document.addEventListener("keydown", (event) => {
      if (!toggle.checked) {
        if (shortcut(event)) {
          event.preventDefault();
          input.focus();
          input.select();
        }
        return;
      }
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const stops = [input, ...list.querySelectorAll(".md-search-result__link")];
        const here = stops.indexOf(document.activeElement);
        const step = event.key === "ArrowDown" ? 1 : -1;
        stops[(Math.max(here, 0) + step + stops.length) % stops.length].focus();
        event.preventDefault();
      }
    }, true);
    if (toggle.checked) { // opened before the box was in
      input.focus();
      if (typed) {
        input.value = typed;
        input.dispatchEvent(new Event("input"));
      }
    }
  }
})();
