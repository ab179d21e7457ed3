// paperfeed: "new since your last visit". What a reader has seen is kept in this browser
// only (localStorage: no cookie, no request), under the site's own path, since several
// feeds may share one host. A visit is a browser session: the papers newer than the newest
// one seen in earlier visits get a "New" badge, and the page's heading says how many.
// Without JavaScript, or with storage refused, nothing is marked and nothing breaks.
(() => {
  const cards = [...document.querySelectorAll("[data-pf-added]")];
  if (!cards.length) return;
  const scope = typeof __md_scope !== "undefined" ? __md_scope.pathname : "/";
  const key = `${scope}.paperfeed.seen`;
  let stored, session;
  try {
    stored = JSON.parse(localStorage.getItem(key) || "null");
    session = sessionStorage;
  } catch {
    return;
  }
  const added = (card) => Date.parse(card.dataset.pfAdded) || 0;
  const newestHere = Math.max(...cards.map(added));
  // The first page of a visit moves what was seen up to where the last visit ended.
  let state = stored && typeof stored.newest === "number" ? stored : null;
  if (state && !session.getItem(key)) state = { before: state.newest, newest: state.newest };
  session.setItem(key, "1");
  const save = (value) => {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* full or refused */ }
  };
  if (!state) {  // a first visit: everything is new, so nothing is marked
    save({ before: newestHere, newest: newestHere });
    return;
  }
  save({ before: state.before, newest: Math.max(state.newest, newestHere) });

  const fresh = cards.filter((card) => added(card) > state.before);
  const notice = document.querySelector("[data-pf-new]");
  if (!fresh.length) return;
  for (const card of fresh) {
    card.classList.add("pf-card--new");
    const badge = document.createElement("span");
    badge.className = "pf-new-badge";
    badge.textContent = "New";
    card.prepend(badge);
  }
  if (!notice) return;
  notice.hidden = false;
  notice.querySelector("[data-pf-new-count]").textContent =
    `${fresh.length} new since your last visit`;
  notice.querySelector("button").addEventListener("click", () => {
    const newest = Math.max(state.newest, newestHere);
    save({ before: newest, newest });
    for (const card of fresh) {
      card.classList.remove("pf-card--new");
      card.querySelector(".pf-new-badge")?.remove();
    }
    notice.hidden = true;
  });
})();
