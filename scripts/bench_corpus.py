"""The benchmark's corpus: N synthetic but realistic papers, the same every run.

paperfeed reads them as YAML entries; the peers (bench_peers) get the very same papers
from `papers()`, so every site in one run is built from one corpus.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
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

# The word bench_search.COMMON searches for: like "model" in real abstracts, it is in
# about 81% of papers, which HEAD's order (its rank in the Zipf law) sets.
COMMON = "diffusion"
# The head of the vocabulary, most frequent first: function words, then the ML words.
HEAD = """
the of and a to in we for is that on with diffusion by this our model as are from which
learning an data at or these models training performance method results neural network
propose show large approach task language tasks deep framework image methods existing
based novel across efficient representation attention transformer generative reasoning
benchmark dataset accuracy vision video images representations networks graph policy
reward agent agents reinforcement optimization gradient stochastic convergence loss
objective supervised self-supervised contrastive pretraining fine-tuning inference
latency memory scaling parameters architecture layers embedding embeddings token tokens
sequence sequences retrieval alignment robustness adversarial uncertainty calibration
evaluation introduce demonstrate analyze study present simple effective prior
state-of-the-art baselines experiments empirical theoretical analysis multiple diverse
domains while maintaining improving reducing compared significantly outperforms achieves
consistent gains under settings real-world synthetic efficiency transformers graphs
""".split()
LEXICON_SIZE = 25_000
ZIPF = 1.0
MATH = ("$O(n^2)$", "$O(n \\log n)$", "$\\epsilon$", "$\\mathbb{R}^d$", "$k$")
# The tags a feed uses most, most common first; "quantization" (bench_search.RARE) is
# in the tail, on a few papers in a thousand. Synthetic tags make up the rest.
TAGS_HEAD = """
llm transformers computer-vision reinforcement-learning diffusion nlp optimization
theory multimodal benchmarks agents reasoning alignment efficiency graph-neural-networks
representation-learning self-supervised robotics retrieval datasets evaluation safety
interpretability speech audio code-generation math generative-models rlhf
object-detection segmentation image-generation video-generation 3d nerf rag
contrastive-learning scaling-laws federated-learning privacy fairness
machine-translation question-answering summarization gans vaes attention
vision-language medical-imaging biology chemistry climate time-series
recommender-systems tabular causal-inference bayesian uncertainty continual-learning
meta-learning few-shot quantization pruning distillation
""".split()
TAG_COUNT = 350
TAGS_PER_PAPER = (10, 25, 30, 20, 15)  # weights of 0, 1, 2, 3 and 4 tags
# Authors: each slot is a new author with NEW_AUTHOR, else an earlier one, picked with
# weight papers**REUSE (sublinear preferential attachment): about 2.5 distinct authors
# per paper at any N, most with one paper and the busiest with a few hundred at 100k.
NEW_AUTHOR = 0.35
REUSE = 0.85
ONSETS = (
    "b c d f g h j k l m n p r s t v w z br ch d dr g gr k kr l m n p s sh st t th tr v".split()
)
VOWELS = "a e i o u a e i o ia ai ou ei".split()
CODAS = [""] * 6 + "n r l s m k".split()
FIRST_ENDS = "a o in el an ia er on i".split()
LAST_ENDS = "son ez ski ova berg ini ani ov ard sen ek ić ez ura".split()
ACCENTED = dict(zip("aeiou", ("áàä", "éèë", "íï", "óöø", "úü"), strict=True))
NON_ASCII_FIRST = "José Łukasz Zoë Léon Tomás Jürgen Søren Ramón Çağla Ólafur Míriam Anaïs".split()
PINYIN = """an bo chen dong fei gang hao hui jia jie jun kai lei li lin ming na ning peng qi
qian rui shan tao ting wei wen xi xiao xin yan yang yi ying yu yuan yun ze zhi zhen""".split()
CHINESE = (
    "Zhang Wang Li Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo".split()
)
KANA = "ha ru ki to shi ka ta yu mi na ko ro ke hi sa da ya".split()
JAPANESE = "Tanaka Suzuki Sato Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida".split()
KOREAN_GIVEN = "min ji seo hyun woo jun young soo eun hye sung tae".split()
KOREAN = "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim".split()


def word_of(rng: Random, syllables: int) -> str:
    """A pronounceable made-up word of a few syllables."""
    return "".join(
        rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables)
    )


@cache
def vocabulary() -> tuple[list[str], list[float]]:
    """HEAD then LEXICON_SIZE made-up words, with cumulative Zipf weights for choices()."""
    rng, seen = Random(SEED + 1), set(HEAD) | set(TAGS_HEAD)
    words = list(HEAD)
    while len(words) < LEXICON_SIZE:
        word = word_of(rng, rng.choice((1, 2, 2, 3, 3, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words, list(accumulate(1 / rank**ZIPF for rank in range(1, len(words) + 1)))


@cache
def tag_names() -> tuple[list[str], list[float]]:
    """TAGS_HEAD then made-up two-word tags up to TAG_COUNT, with cumulative Zipf weights."""
    rng, words = Random(SEED + 2), vocabulary()[0]
    tags = list(TAGS_HEAD)
    while len(tags) < TAG_COUNT:
        tag = f"{rng.choice(words[300:3000])}-{rng.choice(HEAD[20:])}"
        if tag not in tags:
            tags.append(tag)
    return tags, list(accumulate(1 / rank for rank in range(1, len(tags) + 1)))


def words(rng: Random, count: int) -> list[str]:
    """`count` words drawn from the Zipf law over the vocabulary."""
    population, cumulative = vocabulary()
    return rng.choices(population, cum_weights=cumulative, k=count)


def sentence(rng: Random, count: int) -> str:
    """A capitalised run of words ending in a full stop."""
    text = " ".join(words(rng, count))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: Random, count: int, extras: list[str]) -> str:
    """About `count` words of sentences, with `extras` (math, URLs) dropped in."""
    sentences: list[str] = []
    used = 0
    while used < count:
        size = min(rng.randint(12, 24), max(count - used, 6))
        sentences.append(sentence(rng, size))
        used += size
    for extra in extras:
        sentences.insert(rng.randint(1, len(sentences)), extra)
    return " ".join(sentences)


def abstract(rng: Random) -> str:
    """150-250 words in two paragraphs; some have inline math or a link, as real ones do."""
    first = [f"The cost is {rng.choice(MATH)} in the input size."] if rng.random() < 0.3 else []
    second = (
        [f"Code: https://github.com/{word_of(rng, 2)}/{rng.choice(words(rng, 1))}."]
        if rng.random() < 0.2
        else []
    )
    size = rng.randint(150, 250)
    return paragraph(rng, size // 2, first) + "\n\n" + paragraph(rng, size - size // 2, second)


def title(rng: Random) -> str:
    """6-14 words; a third start with a coined name and a colon, as many real ones do."""
    text = sentence(rng, rng.randint(6, 14))[:-1]
    if rng.random() < 1 / 3:
        return f"{word_of(rng, rng.randint(2, 3)).capitalize()}: {text}"
    return text


def accented(rng: Random, name: str) -> str:
    """The name with one vowel accented, as García or Müller are."""
    spots = [i for i, c in enumerate(name) if c in ACCENTED]
    if not spots:
        return name
    i = rng.choice(spots)
    return name[:i] + rng.choice(ACCENTED[name[i]]) + name[i + 1 :]


def western_name(rng: Random) -> str:
    """Syllable-built first and last names; some accented, some with a middle initial."""
    first = (word_of(rng, rng.randint(1, 2)) + rng.choice(FIRST_ENDS)).capitalize()
    if rng.random() < 0.05:
        first = rng.choice(NON_ASCII_FIRST)
    last = (word_of(rng, rng.randint(1, 2)) + rng.choice(LAST_ENDS)).capitalize()
    if rng.random() < 0.1:
        last = accented(rng, last)
    middle = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.15 else ""
    return f"{first}{middle} {last}"


def east_asian_name(rng: Random) -> str:
    """A romanised Chinese, Japanese or Korean name, given name first."""
    kind = rng.random()
    if kind < 0.6:
        given = "".join(rng.choice(PINYIN) for _ in range(rng.randint(1, 2)))
        return f"{given.capitalize()} {rng.choice(CHINESE)}"
    if kind < 0.8:
        given = "".join(rng.choice(KANA) for _ in range(rng.randint(2, 3)))
        return f"{given.capitalize()} {rng.choice(JAPANESE)}"
    given = "-".join(rng.choice(KOREAN_GIVEN) for _ in range(2))
    return f"{given.capitalize()} {rng.choice(KOREAN)}"


def name_key(name: str) -> str:
    """Roughly the author's slug: names that would share a page count as one."""
    folded = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    return re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode().lower())


def author_count(rng: Random) -> int:
    """Mostly 2-8 authors, a tail of 9-30, and 1% of collaborations with 50-300."""
    draw = rng.random()
    if draw < 0.01:
        return int(math.exp(rng.uniform(math.log(50), math.log(300))))
    if draw < 0.10:
        return int(math.exp(rng.uniform(math.log(9), math.log(31))))
    return rng.choices(range(1, 9), weights=(4, 10, 16, 18, 16, 13, 10, 8))[0]


class Authors:
    """The growing pool of authors, and who writes each next paper."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.papers: list[int] = []
        self.slots: list[int] = []  # one author index per authorship: a pick is by papers
        self.keys: set[str] = set()

    def new(self, rng: Random) -> int:
        """A new author, with a name no earlier one has."""
        while True:
            name = east_asian_name(rng) if rng.random() < 0.15 else western_name(rng)
            if (key := name_key(name)) not in self.keys:
                break
        self.keys.add(key)
        self.names.append(name)
        self.papers.append(0)
        return len(self.names) - 1

    def known(self, rng: Random, chosen: set[int]) -> int:
        """An earlier author not already on the paper, weighted by papers**REUSE."""
        for _ in range(50):  # an urn pick is by papers; keeping it with papers**(REUSE-1)
            i = self.slots[int(rng.random() * len(self.slots))]
            if i not in chosen and rng.random() < self.papers[i] ** (REUSE - 1):
                return i
        return self.new(rng)

    def paper(self, rng: Random) -> list[str]:
        """The authors of the next paper, in order."""
        chosen: dict[int, None] = {}
        for _ in range(author_count(rng)):
            fresh = not self.slots or rng.random() < NEW_AUTHOR
            chosen[self.new(rng) if fresh else self.known(rng, set(chosen))] = None
        for i in chosen:
            self.papers[i] += 1
            self.slots.append(i)
        return [self.names[i] for i in chosen]


def tags(rng: Random) -> list[str]:
    """0-4 distinct tags, each drawn from the Zipf law over the tags."""
    population, cumulative = tag_names()
    wanted = rng.choices(range(len(TAGS_PER_PAPER)), weights=TAGS_PER_PAPER)[0]
    picked: dict[str, None] = {}
    while len(picked) < wanted:
        picked[rng.choices(population, cum_weights=cumulative)[0]] = None
    return list(picked)


def entry(rng: Random, authors: Authors, paper_id: str, added: date) -> dict[str, Any]:
    """One entry as a contributor would write it; dates stay text, as the loader wants."""
    fields: dict[str, Any] = {
        "id": paper_id,
        "arxiv": paper_id,
        "title": title(rng),
        "authors": authors.paper(rng),
        "abstract": abstract(rng),
        "published": (added - timedelta(days=rng.randint(1, 365))).isoformat(),
        "added": added.isoformat(),
        "tags": tags(rng),
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
    rng, authors = Random(SEED), Authors()
    for paper_id, added in schedule(rng, n):
        yield entry(rng, authors, paper_id, added)


def write_papers(root: Path, n: int) -> None:
    """n entries as papers/YYYY/MM/<id>.yaml, the same every run."""
    for fields in papers(n):
        added = date.fromisoformat(fields["added"])
        folder = root / "papers" / f"{added:%Y}" / f"{added:%m}"
        folder.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(fields, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
        (folder / f"{fields['id']}.yaml").write_text(text, encoding="utf-8")


def write_site(root: Path, author_min: int | None = None) -> None:
    """A mkdocs.yml like the repo's (Material, paperfeed's theme, a short nav), an empty docs/."""
    options: dict[str, Any] = {"papers_dir": "papers"}
    if author_min is not None:  # else the plugin's own choice, as in a user's feed
        options["author_pages_min_papers"] = author_min
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
            {"paperfeed": options},
        ],
        "markdown_extensions": ["attr_list", "admonition", {"toc": {"permalink": True}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)


def census(entries: Iterable[dict[str, Any]]) -> str:
    """The corpus in one line, so readers of the figures know what was measured."""
    count, authorships, most, tags_seen, common = 0, Counter[str](), 0, set(), 0
    for fields in entries:
        count += 1
        authorships.update(fields["authors"])
        most = max(most, len(fields["authors"]))
        tags_seen.update(fields["tags"])
        text = " ".join((fields["title"], fields["abstract"], fields.get("summary", "")))
        common += bool(re.search(rf"\b{COMMON}\b", f"{text} {' '.join(fields['tags'])}".lower()))
    repeat = sum(1 for n in authorships.values() if n >= 2)
    return (
        f"corpus: {count} papers, {len(authorships)} distinct authors "
        f"({len(authorships) / count:.2f} per paper, {repeat} with >= 2 papers, top "
        f"{max(authorships.values())}), {authorships.total() / count:.1f} authors per paper "
        f"(max {most}), {len(tags_seen)} tags, '{COMMON}' in {common / count:.0%} of papers"
    )
