"""The benchmark's corpus: N synthetic but realistic papers, the same every run.

paperfeed reads them as YAML entries; the peers (bench_peers) get the very same papers
from `papers()`, so every site in one run is built from one corpus.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SITE_URL = "https://bench.example.org/feed/"
SEED = 20241127
# 100,000 papers at 30-50 a day span seven years: they start early enough to end before
# today, since entries added in the future are refused.
FIRST_DAY = date(2017, 1, 2)

# Vocabulary of the generated text: enough variety that pages and the search index
# are not trivially compressible repetitions of a few words.
WORDS = """
model models learning network networks neural deep training data dataset benchmark
method approach framework task tasks performance results accuracy efficient efficiency
large language vision image images video representation representations attention
transformer transformers diffusion generative reinforcement policy reward agent agents
graph graphs optimization gradient stochastic convergence loss objective supervised
self-supervised contrastive pretraining fine-tuning inference latency memory scaling
parameters architecture layers embedding embeddings token tokens sequence sequences
retrieval reasoning alignment robustness adversarial uncertainty calibration evaluation
we propose introduce show demonstrate analyze study present novel simple effective
existing prior state-of-the-art baselines experiments empirical theoretical analysis
across multiple diverse domains while maintaining improving reducing compared
significantly outperforms achieves consistent gains under settings real-world synthetic
this that these our the a an of to in for on with by from and or as at is are which
""".split()
MATH = ("$O(n^2)$", "$O(n \\log n)$", "$\\epsilon$", "$\\mathbb{R}^d$", "$k$")
FIRST_NAMES = """
Ada Alan Grace Yoshua Geoffrey Fei-Fei Andrew Ilya Oriol Demis Kaiming Ross Jitendra
Pieter Sergey Chelsea Percy Christopher Dan Emma Li Wei Xin Yann Léon Łukasz José Zoë
Priya Arjun Mei Hiroshi Sven Ingrid Olga Tomás Amara Kwame Fatima Noor Mateo Elena
""".split()
LAST_NAMES = """
Lovelace Turing Hopper Bengio Hinton Li Ng Sutskever Vinyals Hassabis He Girshick
Malik Abbeel Levine Finn Liang Manning Jurafsky Strubell Zhang Wang Chen Liu Yang LeCun
Bottou Kaiser García Müller Patel Sharma Tanaka Suzuki Andersson Johansson Ivanova
Novak Okafor Mensah Haddad Rossi Silva Kowalski Nakamura Kim Park Nguyen Schmidt Dubois
""".split()
TAGS = """
transformers attention diffusion gans vaes reinforcement-learning robotics nlp
machine-translation question-answering summarization speech audio computer-vision
object-detection segmentation image-generation video-generation 3d nerf
self-supervised contrastive-learning representation-learning graph-neural-networks
optimization theory scaling-laws efficiency quantization pruning distillation
federated-learning privacy fairness interpretability alignment rlhf safety
benchmarks datasets evaluation retrieval rag agents reasoning code-generation math
multimodal vision-language medical-imaging biology chemistry climate time-series
recommender-systems tabular causal-inference bayesian uncertainty continual-learning
meta-learning few-shot
""".split()


def sentence(rng: Random, words: int) -> str:
    """A capitalised run of words ending in a full stop."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: Random, words: int, extras: list[str]) -> str:
    """About `words` words of sentences, with `extras` (math, URLs) dropped in."""
    sentences: list[str] = []
    used = 0
    while used < words:
        size = min(rng.randint(12, 24), max(words - used, 6))
        sentences.append(sentence(rng, size))
        used += size
    for extra in extras:
        sentences.insert(rng.randint(1, len(sentences)), extra)
    return " ".join(sentences)


def abstract(rng: Random) -> str:
    """About 190 words in two paragraphs; some have inline math or a link, as real ones do."""
    first = [f"The cost is {rng.choice(MATH)} in the input size."] if rng.random() < 0.3 else []
    second = (
        [f"Code: https://github.com/{rng.choice(LAST_NAMES).lower()}/{rng.choice(WORDS)}."]
        if rng.random() < 0.2
        else []
    )
    return paragraph(rng, 95, first) + "\n\n" + paragraph(rng, 95, second)


def entry(rng: Random, paper_id: str, added: date) -> dict[str, Any]:
    """One entry as a contributor would write it; dates stay text, as the loader wants."""
    fields: dict[str, Any] = {
        "id": paper_id,
        "arxiv": paper_id,
        "title": sentence(rng, 12)[:-1],
        "authors": [
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(3, 12))
        ],
        "abstract": abstract(rng),
        "published": (added - timedelta(days=rng.randint(1, 365))).isoformat(),
        "added": added.isoformat(),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "upvotes": int(rng.expovariate(1 / 25)),
    }
    if rng.random() < 0.5:
        fields["summary"] = sentence(rng, rng.randint(10, 18))
    return fields


def schedule(rng: Random, n: int) -> Iterator[tuple[str, date]]:
    """(arXiv-style id, added day) for n papers at 30-50 a day, ids numbered per month."""
    day, left_today, per_month = FIRST_DAY, rng.randint(30, 50), 0
    for _ in range(n):
        if left_today == 0:
            next_day = day + timedelta(days=1)
            per_month = 0 if next_day.month != day.month else per_month
            day, left_today = next_day, rng.randint(30, 50)
        per_month += 1
        left_today -= 1
        yield f"{day:%y%m}.{per_month:05d}", day


def papers(n: int) -> Iterator[dict[str, Any]]:
    """The n entries of the corpus in order; one seed, so every caller gets the same ones."""
    rng = Random(SEED)
    for paper_id, added in schedule(rng, n):
        yield entry(rng, paper_id, added)


def write_papers(root: Path, n: int) -> None:
    """n entries as papers/YYYY/MM/<id>.yaml, the same every run."""
    for fields in papers(n):
        added = date.fromisoformat(fields["added"])
        folder = root / "papers" / f"{added:%Y}" / f"{added:%m}"
        folder.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(fields, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
        (folder / f"{fields['id']}.yaml").write_text(text, encoding="utf-8")


def write_site(root: Path, author_min: int = 1) -> None:
    """A mkdocs.yml like the repo's (Material, paperfeed's theme, a short nav), an empty docs/."""
    config = {
        "site_name": "Bench Feed",
        "site_url": SITE_URL,
        "theme": {
            "name": "material",
            "font": False,
            "features": ["navigation.tabs"],
        },
        "nav": [{"Home": "index.md"}, {"Archive": "archive.md"}, {"Tags": "tags/index.md"}],
        "plugins": [
            "search",
            {"paperfeed": {"papers_dir": "papers", "author_pages_min_papers": author_min}},
        ],
        "markdown_extensions": ["attr_list", "admonition", {"toc": {"permalink": True}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
