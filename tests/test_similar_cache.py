"""Similar papers in `mkdocs serve`: the words of unchanged papers are kept, and the
lists after an edit are those a fresh computation makes."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from random import Random
from typing import Any

import numpy as np
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import Site, write_entry
from paperfeed import load, similar, urls
from paperfeed.entry import Paper
from paperfeed.plugin import serve
from paperfeed.similar import WordCache, document, similar_papers, tfidf
from test_similar import TOPICS, corpus, topic_paper


def count_tokenising(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts `similar.words` is called on from now on (the real one still answers)."""
    calls: list[str] = []
    real = similar.words

    def counted(text: str) -> list[str]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(similar, "words", counted)
    return calls


def moved(paper: Paper, topic: str) -> Paper:
    """`paper` with the title and abstract of a paper on `topic`."""
    other = topic_paper(Random(99), topic, 0)
    return paper.model_copy(update={"title": other.title, "abstract": other.abstract})


def same_matrix(papers: Sequence[Paper], cache: WordCache) -> bool:
    fresh = tfidf(document(paper) for paper in papers)
    kept = tfidf(cache.documents(papers))
    return all(
        np.array_equal(getattr(fresh, part), getattr(kept, part))
        for part in ("indptr", "indices", "data")
    ) and (fresh.shape == kept.shape)


def test_after_an_edit_only_the_edited_paper_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    papers = corpus()
    cache = WordCache()
    assert similar_papers(papers, 5, cache) == similar_papers(papers, 5)
    papers[3] = moved(papers[3], "robots")  # a protein paper now reads as a robot paper
    calls = count_tokenising(monkeypatch)
    found = similar_papers(papers, 5, cache)
    assert len(calls) == 1 and papers[3].abstract in calls[0]
    calls.clear()
    assert found == similar_papers(papers, 5)
    assert {n.id.split("-")[0] for n in found[papers[3].id]} == {"robots"}
    # The same columns, in the same order, with the same weights: the same bytes.
    assert same_matrix(sorted(papers, key=lambda p: p.id), cache)


def test_a_removed_paper_is_forgotten_and_an_added_one_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    papers = corpus()
    cache = WordCache()
    similar_papers(papers, 5, cache)
    removed = papers.pop(5)
    added = topic_paper(Random(3), "translation", 40)
    calls = count_tokenising(monkeypatch)
    found = similar_papers([*papers, added], 5, cache)
    assert len(calls) == 1 and added.abstract in calls[0]
    assert found == similar_papers([*papers, added], 5)
    calls.clear()
    similar_papers([*papers, removed], 5, cache)  # back: its words were not kept
    assert len(calls) == 1 and removed.abstract in calls[0]


def test_papers_with_the_same_text_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = corpus(per_topic=4)
    twin = papers[0].model_copy(update={"id": "twin"})
    calls = count_tokenising(monkeypatch)
    WordCache().documents([*papers, twin])
    assert len(calls) == len(papers)


def serve_build(site: Site) -> None:
    """One rebuild of `mkdocs serve`, as its server makes it: new config, new plugin."""
    config = load_config(str(site.config()), site_dir=str(site.site_dir))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config, serve_url="http://127.0.0.1:8000/lab/")
    serve.SESSION.afterwards.wait()


def record_lists(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What each call of `similar_papers` returns, from now on."""
    results: list[dict[str, Any]] = []
    real: Callable[..., Any] = similar.similar_papers

    def recorded(*args: Any, **kwargs: Any) -> Any:
        results.append(real(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(similar, "similar_papers", recorded)
    return results


def test_a_serve_rebuild_reads_only_the_edited_paper(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "SESSION", serve.ServeSession())
    papers = {paper.id: paper for paper in corpus(per_topic=6)}
    for paper in papers.values():
        write_entry(site.papers, paper.fields())
    serve_build(site)
    assert serve.SESSION.words is not None
    edited = moved(papers["proteins-02"], "translation")
    write_entry(site.papers, edited.fields())
    calls = count_tokenising(monkeypatch)
    lists = record_lists(monkeypatch)
    serve_build(site)
    assert len(calls) == 1 and edited.abstract in calls[0]
    calls.clear()
    (found,) = lists
    fresh = similar_papers([e.paper for e in load.load_entries(site.papers)], 5)
    assert found == fresh
    assert {n.id.split("-")[0] for n in found["proteins-02"]} == {"translation"}
    # and the page shows them
    (shown,) = re.findall(
        r'<ul class="pf-similar__list">(.*?)</ul>', site.html("papers/proteins-02"), re.S
    )
    assert all(urls.paper_path(n.id).strip("/") in shown for n in fresh["proteins-02"])


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_tags_are_part_of_what_is_kept(topic: str, monkeypatch: pytest.MonkeyPatch) -> None:
    papers = corpus(per_topic=4)
    cache = WordCache()
    cache.documents(papers)
    retagged = [papers[0].model_copy(update={"tags": [topic]}), *papers[1:]]
    calls = count_tokenising(monkeypatch)
    documents = cache.documents(retagged)
    assert len(calls) == 1 and documents[0][-1] == f"#{topic}"


def test_the_word_cache_stays_out_of_the_plugins_import() -> None:
    script = "import sys, paperfeed.plugin.plugin; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
