"""Similar papers: on a corpus whose neighbours are known, each paper's come from its own topic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from random import Random

import lxml.html
import pytest

from conftest import Site
from paperfeed.entry import Paper
from paperfeed.similar import document, similar_papers, words

# Three topics with words of their own, and the words every abstract uses.
TOPICS = {
    "proteins": "protein folding structure residues amino sequence alignment enzyme binding "
    "molecular dynamics conformations backbone cryo microscopy ligand docking",
    "robots": "robot manipulation grasping locomotion policy reward simulator sim-to-real "
    "controller actuator trajectory legged quadruped gripper dexterous",
    "translation": "translation multilingual languages bilingual corpus lexical decoder "
    "sentence alignment parallel idioms dialects morphology tokenizer vocabulary",
}
COMMON = "model models learning results we study approach large data training evaluation"


def topic_paper(rng: Random, topic: str, number: int) -> Paper:
    own, common = TOPICS[topic].split(), COMMON.split()

    def text(size: int) -> str:
        return " ".join(rng.choice(own if rng.random() < 0.6 else common) for _ in range(size))

    return Paper.model_validate(
        {
            "id": f"{topic}-{number:02d}",
            "title": text(8).capitalize(),
            "authors": ["Ada Lovelace"],
            "abstract": text(80).capitalize() + ".",
            "published": "2024-01-02",
            "added": "2024-11-27",
            "tags": [topic] if number % 2 else [],
        }
    )


def corpus(per_topic: int = 12, seed: int = 7) -> list[Paper]:
    rng = Random(seed)
    return [topic_paper(rng, topic, n) for topic in TOPICS for n in range(per_topic)]


def topic_of(paper_id: str) -> str:
    return paper_id.rsplit("-", 1)[0]


def test_every_neighbour_comes_from_the_papers_own_topic() -> None:
    found = similar_papers(corpus(), limit=5)
    assert len(found) == 36
    for paper_id, neighbours in found.items():
        assert len(neighbours) == 5, paper_id
        assert {topic_of(n.id) for n in neighbours} == {topic_of(paper_id)}, paper_id
        assert paper_id not in {n.id for n in neighbours}


def test_the_reason_shown_is_the_tags_both_papers_carry() -> None:
    found = similar_papers(corpus(), limit=11)
    neighbours = {n.id: n for n in found["robots-01"]}
    assert neighbours["robots-03"].shared_tags == ("robots",)
    assert neighbours["robots-02"].shared_tags == ()  # robots-02 has no tags


@pytest.mark.parametrize("limit", [0, 1, 3])
def test_a_list_has_at_most_limit_papers(limit: int) -> None:
    assert {len(n) for n in similar_papers(corpus(), limit=limit).values()} == {limit}


def test_the_same_papers_in_any_order_give_the_same_lists() -> None:
    papers = corpus()
    shuffled = papers[:]
    Random(1).shuffle(shuffled)
    assert similar_papers(shuffled) == similar_papers(papers)


def test_a_paper_with_too_little_text_gets_none_rather_than_noise() -> None:
    papers = corpus()
    terse = Paper.model_validate(
        {
            "id": "terse",
            "title": "Protein robot",
            "authors": ["A. B."],
            "abstract": "Translation.",
            "published": "2024-01-02",
            "added": "2024-11-27",
        }
    )
    found = similar_papers([*papers, terse])
    assert found["terse"] == ()
    assert "terse" not in {n.id for lists in found.values() for n in lists}


def test_a_paper_alone_on_its_topic_gets_none() -> None:
    lonely = Paper.model_validate(
        {
            "id": "lonely",
            "title": "Glacier ice sheets and sea level under warming oceans",
            "authors": ["A. B."],
            "abstract": "Glaciers calve icebergs as oceans warm; ice sheets thin, sea level "
            "rises, and meltwater freshens the currents of polar seas and fjords. We study "
            "models of the ice with large data and evaluation of the training.",
            "published": "2024-01-02",
            "added": "2024-11-27",
        }
    )
    assert similar_papers([*corpus(), lonely])["lonely"] == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UniF$^2$ace: fine-grained face", ["unif", "ace", "fine", "grained", "face"]),
        ("Attention in $\\mathcal{O}(n)$ time", ["attention", "time"]),
        ("Code at https://github.com/a/b and 3D meshes", ["code", "meshes"]),
        ("Über die Faltung", ["über", "die", "faltung"]),
    ],
)
def test_words_drop_math_links_numbers_and_stop_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_tags_are_words_of_their_own() -> None:
    paper = corpus()[1]
    assert document(paper)[-1] == "#proteins"


def test_lists_do_not_depend_on_the_thread_count() -> None:
    script = (
        "import json, sys; sys.path.insert(0, 'tests'); from test_similar import corpus; "
        "from paperfeed.similar import similar_papers; "
        "print(json.dumps({k: [n.id for n in v] for k, v in similar_papers(corpus(40)).items()}))"
    )
    outputs = []
    for threads in ("1", "2"):
        env = {**os.environ, "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads}
        run = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 120


# -- on the site ------------------------------------------------------------------------


def add_corpus(site: Site, papers: list[Paper]) -> None:
    for paper in papers:
        site.add(**{**paper.fields(), "published": "2024-01-02", "added": "2024-11-27"})


def similar_rows(site: Site, paper_id: str) -> list[tuple[str, str]]:
    html = lxml.html.fromstring(site.html(f"papers/{paper_id}"))
    return [
        (row.find("a").get("href").split("/")[-2], row.find("span").text_content())
        for row in html.xpath('//*[@class="pf-similar"]//li[@class="pf-similar__row"]')
    ]


def test_a_paper_page_lists_its_neighbours_with_the_tags_they_share(tmp_path: Path) -> None:
    site = Site(tmp_path)
    add_corpus(site, corpus(6))
    site.build()
    for paper in corpus(6):
        rows = similar_rows(site, paper.id)
        assert len(rows) == 5, paper.id
        assert {topic_of(other) for other, _ in rows} == {topic_of(paper.id)}
        for other, why in rows:
            both_tagged = paper.tags and int(other[-2:]) % 2
            assert why == (f"#{topic_of(paper.id)}" if both_tagged else "similar words")


def test_similar_limit_0_lists_none(tmp_path: Path) -> None:
    site = Site(tmp_path)
    add_corpus(site, corpus(3))
    site.plugin_options["similar_limit"] = 0
    site.build()
    assert "pf-similar" not in site.html("papers/robots-01")


def test_an_edit_moves_a_paper_and_every_list_it_changes_is_rebuilt(tmp_path: Path) -> None:
    papers = corpus(6)
    edited, fresh = Site(tmp_path / "edited"), Site(tmp_path / "fresh")
    add_corpus(edited, papers)
    edited.build()  # the first build, whose pages the next one may keep
    # robots-00 now writes about proteins: its list, and the lists it joins, change
    moved = papers[6].model_copy(update={"abstract": papers[0].abstract, "title": "Folding"})
    for site in (edited, fresh):
        add_corpus(site, [*papers[:6], moved, *papers[7:]])
        site.build()
    assert {topic_of(other) for other, _ in similar_rows(edited, "robots-00")} == {"proteins"}
    assert edited.files() == fresh.files()
