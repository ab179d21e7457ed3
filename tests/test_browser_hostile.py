"""The hostile corpus in a real browser: no payload runs, whatever the reader does."""

from __future__ import annotations

from pathlib import Path

from browser import chromium, serve
from conftest import Site
from hostile import PAYLOADS, add_hostile_papers


def test_no_payload_runs_in_chromium(tmp_path: Path) -> None:
    site = Site(tmp_path)
    ids = add_hostile_papers(site)
    site.build()
    pages = sorted(
        p.relative_to(site.site_dir).parent.as_posix() + "/"
        for p in site.site_dir.rglob("index.html")
    )
    assert {f"papers/{i}/" for i in ids} <= set(pages)
    dialogs: list[str] = []
    outside: list[str] = []
    with serve(site.site_dir) as base, chromium() as browser:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))

        def only_local(route, request):  # noqa: ANN001
            if request.url.startswith(base):
                route.continue_()
            else:
                outside.append(request.resource_type)
                route.abort()

        page.route("**/*", only_local)
        for path in pages:
            page.goto(base + path.removeprefix("./"), wait_until="load")
            page.hover("body")
            assert page.evaluate("() => window.__pwned === undefined")
        # the search results show payloads too: type one and look at what comes back
        page.goto(base, wait_until="load")
        page.keyboard.press("s")  # Material's search shortcut
        page.keyboard.type("author")
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
        results = page.inner_text(".md-search-result")
        assert "<script>alert(1)</script>" in results
        page.wait_for_timeout(300)
    assert dialogs == []
    # thumbnails are remote, so pages never load them: nothing leaves the machine
    assert outside == []
    assert len(PAYLOADS) == len(ids)
