"""The demo site as a reader uses it, in headless Chromium served from 127.0.0.1.

Screenshots of the home page and a paper page land in tests/artifacts/ to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from browser import chromium, serve
from conftest import REPO

ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's demo feed, built as at https://user.github.io/feed/ (a sub-path)."""
    root = tmp_path_factory.mktemp("demo")
    for name in ("papers", "docs", "overrides"):
        shutil.copytree(REPO / name, root / name)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    config["site_url"] = "https://user.github.io/feed/"
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    cfg = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "served" / "feed"))
    cfg.plugins.on_startup(command="build", dirty=False)
    build(cfg)
    ARTIFACTS.mkdir(exist_ok=True)
    return root / "served"


@pytest.fixture
def reader(demo: Path):  # noqa: ANN201
    """A page in Chromium on the demo; it records every request that leaves 127.0.0.1."""
    with serve(demo) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.outside = []  # type: ignore[attr-defined]

        def only_local(route, request):  # noqa: ANN001
            if request.url.startswith(base):
                route.continue_()
            else:
                page.outside.append(request.url)  # type: ignore[attr-defined]
                route.abort()

        page.route("**/*", only_local)
        page.base = base + "feed/"  # type: ignore[attr-defined]
        yield page
        assert page.outside == []  # type: ignore[attr-defined]


def test_home_shows_the_latest_days_cards(reader) -> None:  # noqa: ANN001
    reader.goto(reader.base)
    assert "Friday, November 29, 2024" in reader.inner_text(".pf-day-heading")
    titles = reader.locator(".pf-card__title").all_inner_texts()
    assert "Neural Machine Translation by Jointly Learning to Align and Translate" in titles
    reader.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)


def test_search_finds_a_paper_by_a_word_of_its_abstract_and_opens_it(reader) -> None:  # noqa: ANN001
    reader.goto(reader.base)
    reader.keyboard.press("s")
    reader.keyboard.type("softmax temperature")
    first = reader.locator(".md-search-result__item a").first
    first.wait_for(timeout=10_000)
    assert "Distilling the Knowledge" in first.inner_text()
    first.click()
    reader.wait_for_url("**/papers/1503.02531/**")
    assert reader.inner_text("h1") == "Distilling the Knowledge in a Neural Network"


def test_search_narrows_by_tag_and_year(reader) -> None:  # noqa: ANN001
    reader.goto(reader.base + "papers/1503.02531/")  # from any page, not just home
    reader.keyboard.press("/")
    reader.keyboard.type("attention")
    items = reader.locator(".md-search-result__item h1")
    reader.wait_for_function("document.querySelectorAll('.md-search-result__item').length == 3")
    assert "Contributing" in items.all_inner_texts()  # hand-written pages are searched too
    tags = reader.locator(".pf-search-filters select[name=tag]")
    tags.focus()  # the lists of tags and years load when a reader reaches for them
    reader.wait_for_function("document.querySelector('select[name=tag]').options.length > 1")
    tags.select_option("machine-translation")
    reader.wait_for_function("document.querySelectorAll('.md-search-result__item').length == 2")
    assert sorted(items.all_inner_texts()) == [
        "Attention Is All You Need",
        "Neural Machine Translation by Jointly Learning to Align and Translate",
    ]
    reader.locator("select[name=year]").select_option("2017")
    reader.wait_for_function("document.querySelectorAll('.md-search-result__item').length == 1")
    assert items.all_inner_texts() == ["Attention Is All You Need"]
    assert reader.inner_text(".md-search-result__meta") == "1 matching document"
    reader.keyboard.press("Escape")
    assert not reader.is_checked("#__search")


def test_math_renders_and_no_raw_latex_is_left(reader) -> None:  # noqa: ANN001
    reader.goto(reader.base + "papers/2106.09685/")
    assert reader.locator(".pf-paper__abstract math").count() >= 4
    box = reader.locator(".pf-paper__abstract math").first.bounding_box()
    assert box and box["width"] > 5 and box["height"] > 5  # laid out, not hidden
    abstract = reader.inner_text(".pf-paper__abstract")
    assert "$" not in abstract and "\\mathbb" not in abstract
    reader.screenshot(path=str(ARTIFACTS / "paper.png"), full_page=True)


def test_copy_puts_the_bibtex_on_the_clipboard(reader) -> None:  # noqa: ANN001
    reader.goto(reader.base + "papers/1706.03762/")
    reader.click("text=Copy BibTeX")
    reader.wait_for_selector("text=Copied")
    copied = reader.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("@misc{vaswani2017attention,")
    assert "Łukasz Kaiser" in copied


def test_the_dark_mode_toggle_switches_the_scheme(reader) -> None:  # noqa: ANN001
    reader.emulate_media(color_scheme="light")
    reader.goto(reader.base)
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    assert reader.evaluate(scheme) == "default"
    reader.click("label.md-header__button[for^='__palette']:visible")
    assert reader.evaluate(scheme) == "slate"


def test_a_phone_never_scrolls_sideways(reader) -> None:  # noqa: ANN001
    reader.set_viewport_size({"width": 375, "height": 800})
    for path in ("", "papers/2010.11929/", "archive/", "tags/"):
        reader.goto(reader.base + path)
        width = reader.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, path
