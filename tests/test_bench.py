"""The benchmark script still runs end to end; its figures are not checked, only its shape,
except the ratios and linearity it derives from them, which are plain arithmetic."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from paperfeed.authors import author_slug

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
BENCH = SCRIPTS / "bench.py"
STAGES = ("load+validate", "convert", "load+validate+convert", "feeds", "mkdocs build")
SEARCH = "search (browser)"
SERVE = "serve edit"

# scripts/ is on the path by pytest's `pythonpath` setting (pyproject.toml).
bench = importlib.import_module("bench")
bench_search = importlib.import_module("bench_search")
bench_serve = importlib.import_module("bench_serve")


def run_bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def seconds_of(stage: str, n: int, table: str) -> float:
    row = re.search(rf"^{re.escape(stage)}\s+{n}\s+(\d+\.\d+)\s", table, re.MULTILINE)
    assert row, f"no row for {stage!r} at N={n} in:\n{table}"
    return float(row.group(1))


@pytest.mark.slow  # half a minute: the smoke test below runs by default
def test_bench_reports_every_stage_searches_in_the_browser_and_edits_while_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = run_bench("-n", "30", "--keep", str(tmp_path))
    for stage in (*STAGES, SEARCH, SERVE):
        assert seconds_of(stage, 30, table) > 0
    served = re.search(
        r"^N=30: serve: first build (\d+\.\d) s; an edited paper shows after (\d+\.\d) s "
        r"\(median of 3\), a new paper after (\d+\.\d) s; target <= 5 s$",
        table,
        re.MULTILINE,
    )
    assert served, f"no serve line in:\n{table}"
    assert all(float(figure) > 0 for figure in served.groups()), served.group(0)
    # The server was stopped as an author stops it, so mkdocs removed its temporary site.
    assert "Shutting down..." in (tmp_path / "n30" / "serve.log").read_text()
    assert "peer:" not in table and "vs material" not in table
    for word in (bench_search.COMMON, bench_search.RARE):
        line = re.search(
            rf"^N=30: search '{word}' \((\d+) results\): results in (\d+) ms, (\d+) KB for the "
            r"query \(\+ (\d+) KB, (\d+) ms to open the box; (\d+) KB in all\); "
            r"target <= 300 ms and <= 300 KB",
            table,
            re.MULTILINE,
        )
        assert line, f"no search line for {word!r} in:\n{table}"
        assert all(int(figure) > 0 for figure in line.groups()), line.group(0)
    # Results that never show fail the measurement: Pagefind finds the papers, but
    # without their fragments no result can be rendered.
    site = tmp_path / "n30" / "site"
    for fragment in (site / "pagefind" / "fragment").iterdir():
        fragment.unlink()
    monkeypatch.setattr(bench_search, "TIMEOUT_MS", 3000)
    with pytest.raises(bench_search.SearchError, match="no result shown for diffusion"):
        bench_search.measure_site(site, ("diffusion",), runs=1)


def test_bench_smoke_run_without_a_browser_times_every_build_stage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = run_bench("-n", "3", "--no-browser", "--no-serve")
    for stage in STAGES:
        assert seconds_of(stage, 3, table) > 0
    assert SEARCH not in table and SERVE not in table
    monkeypatch.setattr(bench_search, "CHROMIUM", Path("/nonexistent/chromium"))
    skipped = bench.stage_search(Path("/nonexistent"))
    assert skipped == {"skipped": bench_search.missing()}
    assert "Chromium not found at /nonexistent/chromium" in skipped["skipped"]
    table = bench.report({3: {"mkdocs build": build_result(1.0), SEARCH: skipped}})
    assert re.search(r"^search \(browser\)\s+3 skipped \(Chromium not found", table, re.M)


@pytest.mark.parametrize(
    ("query_ms", "open_kb", "flag"),
    [
        (299.0, 100, ""),
        (301.0, 100, "  over target (time)"),
        # The first search on a page pays for opening the box too.
        (120.0, 250, "  over target (bytes)"),
    ],
)
def test_search_summary_flags_what_is_over_target(query_ms: float, open_kb: int, flag: str) -> None:
    search = {
        "word": "diffusion",
        "results": 6100,
        "open_ms": 90.0,
        "open_bytes": open_kb * 1024,
        "query_ms": query_ms,
        "query_bytes": 60 * 1024,
    }
    line = bench_search.summary("N=10000: ", search)
    assert line.startswith("N=10000: search 'diffusion' (6100 results): results in ")
    assert line.endswith(f"target <= 300 ms and <= 300 KB{flag}")


@pytest.mark.parametrize(
    ("edited", "new", "flag"),
    [
        (4.9, 5.0, ""),
        (5.1, 4.0, "  over target (edited)"),
        (3.0, 5.2, "  over target (new)"),
        (6.0, 7.0, "  over target (edited, new)"),
    ],
)
def test_serve_summary_flags_what_is_over_target(edited: float, new: float, flag: str) -> None:
    result = {
        "seconds": edited,
        "first_build_seconds": 31.24,
        "edit_seconds": [edited - 0.1, edited, edited + 0.2],
        "new_paper_seconds": new,
    }
    assert bench_serve.summary("N=10000: ", result) == (
        f"N=10000: serve: first build 31.2 s; an edited paper shows after {edited:.1f} s "
        f"(median of 3), a new paper after {new:.1f} s; target <= 5 s{flag}"
    )


def test_an_edit_replaces_a_folded_title_whole() -> None:
    text = "id: '2401.00008'\ntitle: Agent agents achieves\n  which data\nauthors:\n- Ada Li\n"
    edited = bench_serve.with_fields(text, title='New: it\'s "quoted"', id="9912.99999")
    assert edited == 'id: "9912.99999"\ntitle: "New: it\'s \\"quoted\\""\nauthors:\n- Ada Li\n'
    assert yaml.safe_load(edited)["title"] == 'New: it\'s "quoted"'


def test_bench_measures_peers_on_the_same_papers() -> None:
    table = run_bench("-n", "30", "--peers", "--no-browser", "--no-serve")
    ours = seconds_of("mkdocs build", 30, table)
    peers = {name: seconds_of(f"peer: {name}", 30, table) for name in ("material", "blog+rss")}
    assert all(seconds > 0 for seconds in peers.values())
    header = re.search(r"^stage\s.*\bvs material\s+vs blog\+rss$", table, re.MULTILINE)
    assert header, table
    build = re.search(
        r"^mkdocs build\s+30(?:\s+\d+\.\d+){3}\s+(\d+\.\d+)x\s+(\d+\.\d+)x$", table, re.MULTILINE
    )
    assert build, f"no ratios on the mkdocs build row in:\n{table}"
    for ratio, peer in zip(build.groups(), peers.values(), strict=True):
        assert float(ratio) == pytest.approx(peer / ours, rel=0.05, abs=0.01)
    assert "x faster = peer seconds / paperfeed seconds" in table
    assert re.search(r"^N=30: peer: material .* search index \(lunr\)", table, re.MULTILINE)


def timed(**seconds_by_size: dict[str, float]) -> dict[int, dict[str, dict[str, Any]]]:
    """Made-up results: {"n1000": {"stage": seconds}} as the bench's results dict."""
    return {
        int(size[1:]): {stage: {"seconds": s} for stage, s in stages.items()}
        for size, stages in seconds_by_size.items()
    }


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        # Tenfold papers, tenfold time: exactly linear.
        (timed(n1000={"feeds": 1.0}, n10000={"feeds": 10.0}), [(1000, 10000, {"feeds": 1.0})]),
        # Twentyfold time for tenfold papers: twice the linear cost.
        (timed(n1000={"a": 2.0}, n10000={"a": 40.0}), [(1000, 10000, {"a": 2.0})]),
        # The pair is N1 < N2 whatever the order sizes were measured in.
        (timed(n100000={"a": 120.0}, n10000={"a": 10.0}), [(10000, 100000, {"a": 1.2})]),
        # Not a tenfold step: 30 -> 1000 is 33.3 times the papers.
        (timed(n30={"a": 0.3}, n1000={"a": 12.0}), [(30, 1000, {"a": 1.2})]),
        # Three sizes: each consecutive pair, not the first with the last.
        (
            timed(n10={"a": 1.0}, n100={"a": 5.0}, n1000={"a": 100.0}),
            [(10, 100, {"a": 0.5}), (100, 1000, {"a": 2.0})],
        ),
        # A stage measured at one size only has no figure.
        (timed(n1000={"a": 1.0, "b": 1.0}, n10000={"a": 10.0}), [(1000, 10000, {"a": 1.0})]),
        # One size: nothing to compare.
        (timed(n1000={"a": 1.0}), []),
    ],
)
def test_linearity(results: dict[int, Any], expected: list[tuple[int, int, dict]]) -> None:
    found = bench.linearity(results)
    assert [(n1, n2, set(f)) for n1, n2, f in found] == [(n1, n2, set(f)) for n1, n2, f in expected]
    for (_, _, figures), (_, _, want) in zip(found, expected, strict=True):
        assert figures == pytest.approx(want)


def test_linearity_skips_a_skipped_peer() -> None:
    results = timed(n1000={"peer: blog+rss": 5.0}, n10000={})
    results[10000]["peer: blog+rss"] = {"skipped": "N > peer max 5000"}
    assert bench.linearity(results) == [(1000, 10000, {})]


@pytest.mark.parametrize(
    ("later", "label", "flagged"),
    [
        (11.9, "linearity 10000->100000 (t2 / (10 x t1)); target <= 1.2", False),
        (12.1, "linearity 10000->100000 (t2 / (10 x t1)); target <= 1.2", True),
    ],
    ids=["within target", "over target"],
)
def test_linearity_report(later: float, label: str, flagged: bool) -> None:
    lines = bench.linearity_report(
        timed(n10000={"mkdocs build": 1.0}, n100000={"mkdocs build": later})
    )
    assert label in lines
    row = next(line for line in lines if "mkdocs build" in line)
    assert re.fullmatch(rf"\s+mkdocs build\s+{later / 10:.2f}(  over target)?", row), row
    assert row.endswith("over target") == flagged


def build_result(seconds: float) -> dict[str, Any]:
    return {
        "seconds": seconds,
        "peak_mb": 100.0,
        "output_bytes": 1024 * 1024,
        "paper_page_bytes": 2048,
        "search_kind": None,
    }


def test_report_names_a_skipped_peer_and_gives_no_ratio_for_it() -> None:
    sizes = {
        1000: {"mkdocs build": build_result(2.0), "peer: blog+rss": build_result(10.0)},
        10000: {
            "mkdocs build": build_result(20.0),
            "peer: blog+rss": {"skipped": "N > peer max 5000"},
        },
    }
    table = bench.report(sizes)
    assert re.search(r"^mkdocs build\s+1000 .* 5\.00x$", table, re.MULTILINE), table
    assert re.search(r"^mkdocs build\s+10000 .* -$", table, re.MULTILINE), table
    assert re.search(r"^peer: blog\+rss\s+10000 skipped \(N > peer max 5000\)$", table, re.M)
    assert "vs material" not in table
    assert "no search index found" in table


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"pagefind/pagefind.js": 300, "pagefind/index/a.pf_index": 5000},
            {
                "search_kind": "pagefind",
                "search_index_bytes": 5300,
                "search_files": 2,
                "search_largest_bytes": 5000,
                "search_largest": "pagefind/index/a.pf_index",
            },
        ),
        (
            {"search/search_index.json": 1234},
            {"search_kind": "lunr", "search_index_bytes": 1234},
        ),
        ({"index.html": 10}, {"search_kind": None}),
    ],
)
def test_search_index(tmp_path: Path, files: dict[str, int], expected: dict[str, Any]) -> None:
    for name, size in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    assert bench.search_index(tmp_path) == expected


bench_corpus = importlib.import_module("bench_corpus")


def test_the_corpus_is_the_same_every_run_and_a_longer_one_starts_with_a_shorter() -> None:
    short = list(bench_corpus.papers(60))
    assert short == list(bench_corpus.papers(60))
    assert list(bench_corpus.papers(120))[:60] == short


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return list(bench_corpus.papers(3000))


def test_the_corpus_authors_are_as_many_and_as_reused_as_a_real_feeds(
    corpus: list[dict[str, Any]],
) -> None:
    papers_of = Counter(name for fields in corpus for name in fields["authors"])
    assert 2.2 <= len(papers_of) / len(corpus) <= 2.9
    assert 0.45 <= sum(n == 1 for n in papers_of.values()) / len(papers_of) <= 0.7
    assert 30 <= max(papers_of.values()) <= 300
    sizes = [len(fields["authors"]) for fields in corpus]
    assert 0.004 <= sum(size >= 50 for size in sizes) / len(sizes) <= 0.02
    # Distinct names get distinct author pages.
    assert len({author_slug(name) for name in papers_of}) == len(papers_of)


def test_the_searched_common_word_is_in_about_81_percent_of_papers(
    corpus: list[dict[str, Any]],
) -> None:
    assert bench_corpus.COMMON == bench_search.COMMON
    share = re.search(r"'(\w+)' in (\d+)% of papers", bench_corpus.census(corpus))
    assert share and share.group(1) == bench_search.COMMON
    assert 77 <= int(share.group(2)) <= 85
    tagged = Counter(tag for fields in corpus for tag in fields["tags"])
    assert 0.2 <= tagged.most_common(1)[0][1] / len(corpus) <= 0.35
    assert 0 < tagged[bench_search.RARE] / len(corpus) < 0.02


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("papers/2401.00001/index.html", "paper pages"),
        ("authors/ada-li/index.html", "author pages"),
        ("authors/index.html", "author pages"),
        ("authors/ada-li/atom.xml", "author feeds"),
        ("tags/nlp/index.html", "tag pages"),
        ("tags/nlp/feed.xml", "tag feeds"),
        ("weeks/2017-W01/index.html", "day/week/month listings"),
        ("digest/daily.xml", "site feeds"),
        ("code/feed.xml", "site feeds"),
        ("code/index.html", "other"),
        ("papers.json", "data export"),
        ("sitemap.xml.gz", "sitemap"),
        ("pagefind/fragment/en_1.pf_fragment", "search index"),
        ("assets/javascripts/bundle.js", "assets"),
        ("404.html", "other"),
    ],
)
def test_kind_of(path: str, kind: str) -> None:
    assert bench.kind_of(path) == kind


def test_the_kind_table_adds_up_to_a_real_site_and_leaves_little_unclassified(
    tmp_path: Path,
) -> None:
    bench_corpus.write_papers(tmp_path, 40)
    bench_corpus.write_site(tmp_path)
    built = bench.stage_mkdocs(tmp_path)
    kinds = built["kinds"]
    assert sum(k["bytes"] for k in kinds.values()) == built["output_bytes"]
    files = [f for f in (tmp_path / "site").rglob("*") if f.is_file()]
    assert sum(k["files"] for k in kinds.values()) == len(files)
    # Every pattern still names files the build makes; what is left is a few site pages.
    assert all(kinds[kind]["files"] > 0 for kind, _ in bench.KINDS)
    assert kinds[bench.OTHER]["files"] <= 8
    assert kinds["paper pages"]["files"] == 40
    table = bench.kinds_table(40, kinds)
    total = re.fullmatch(r"total\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)\s+100\.0", table[-1])
    assert total, table[-1]
    assert int(total.group(3)) == len(files)
    assert float(total.group(2)) == pytest.approx(built["output_bytes"] / 1024 / 40, abs=0.01)
