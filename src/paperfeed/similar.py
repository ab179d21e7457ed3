"""Similar papers: each paper's nearest neighbours by TF-IDF cosine, computed at build time.

Readers of Hugging Face's daily papers and arxiv-sanity get "similar papers" from a server;
a static site can ship the same lists as links. Words of the title, the TL;DR, the abstract
and the tags are weighted by TF-IDF (sublinear term frequency, smoothed inverse document
frequency, rows of unit length), and two papers are as similar as the cosine of their rows.

Comparing every pair costs N^2, which 100,000 papers cannot afford. Candidates come from
truncated lists instead: each paper asks with its strongest `QUERY_TERMS` words, and each
word answers with the `POSTINGS` papers that weigh it most, so the work grows with N. The
candidates are then scored exactly, on all their words. Every step is a sparse product or a
stable sort in a fixed order, so the same papers give the same neighbours whatever the
machine or its thread count; ties go to the smaller paper id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from paperfeed.entry import Paper

# A paper lists a neighbour only above this cosine: below it, two abstracts share little
# more than the vocabulary of their field, and a list of such papers is noise.
SIMILARITY_FLOOR = 0.12
# A paper with fewer distinct words than this (after stop words) gets no list at all: a
# title alone cannot say what a paper is about.
MIN_TERMS = 8
QUERY_TERMS = 16
POSTINGS = 128
CANDIDATES = 16
# Rows handled per sparse product, so the similarity block stays a few tens of MB.
CHUNK = 1024

_MATH = re.compile(r"\$[^$]*\$|\\[A-Za-z]+|https?://\S+")
_WORD = re.compile(r"[^\W\d_][^\W_]+")
# Words that say nothing about a paper's topic: English function words and the verbs
# every abstract uses.
STOP_WORDS = frozenset(
    """
    a about above after again against all also an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it its
    itself just more most no nor not now of off on once only or other our ours out over own
    same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who
    whom why will with would you your yours via per et al paper papers propose proposed
    proposes present presents show shows shown use used uses using based new approach
    approaches method methods result results work works existing however furthermore
    moreover well while thus therefore first second one two three many much may might
    """.split()
)


@dataclass(frozen=True)
class Neighbour:
    """One related paper: its id, and the tags both carry (the reason it is shown)."""

    id: str
    shared_tags: tuple[str, ...]


def words(text: str) -> list[str]:
    """Lower-case words of a text, without math, URLs, numbers and stop words."""
    text = unicodedata.normalize("NFKC", _MATH.sub(" ", text)).lower()
    return [word for word in _WORD.findall(text) if word not in STOP_WORDS]


def document(paper: Paper) -> list[str]:
    """What a paper is compared on: the title counts twice, tags are words of their own."""
    text = " ".join([paper.title, paper.title, paper.summary or "", paper.abstract])
    return words(text) + [f"#{tag}" for tag in paper.tags]


# What `document` reads of a paper: its title, TL;DR, abstract and tags.
_TextKey = tuple[str, str | None, str, tuple[str, ...]]


class WordCache:
    """The words of each paper (`document`) by the text they are read from, kept across
    the rebuilds of `mkdocs serve`: reading 10,000 papers' words takes over a second, and
    an edit changes one paper. TF-IDF and the neighbours are computed again (one paper
    changes every word's weight); they are given the same words in the same order as a
    fresh build, so they make the same columns and the same lists."""

    def __init__(self) -> None:
        self._documents: dict[_TextKey, list[str]] = {}

    def documents(self, papers: Iterable[Paper]) -> list[list[str]]:
        """The words of each of `papers`, in their order. What is kept is what these
        papers read as: an edited or removed paper's old words are forgotten."""
        known: dict[_TextKey, list[str]] = self._documents
        kept: dict[_TextKey, list[str]] = {}
        found: list[list[str]] = []
        for paper in papers:
            key = (paper.title, paper.summary, paper.abstract, tuple(paper.tags))
            if key not in kept:
                kept[key] = known[key] if key in known else document(paper)
            found.append(kept[key])
        self._documents = kept
        return found


def similar_papers(
    papers: Sequence[Paper], limit: int = 5, cache: WordCache | None = None
) -> dict[str, tuple[Neighbour, ...]]:
    """Up to `limit` neighbours of each paper, the most similar first; none for too little
    text. `cache` keeps the papers' words for the next call (see WordCache)."""
    ordered = sorted(papers, key=lambda paper: paper.id)
    if limit <= 0 or len(ordered) < 2:
        return {paper.id: () for paper in ordered}
    documents: Iterable[list[str]] = (
        (document(paper) for paper in ordered) if cache is None else cache.documents(ordered)
    )
    weights = tfidf(documents)
    found = _neighbours(weights, limit)
    return {
        paper.id: tuple(
            Neighbour(ordered[other].id, _shared(paper.tags, ordered[other].tags))
            for other in found.get(row, ())
        )
        for row, paper in enumerate(ordered)
    }


def tfidf(documents: Iterable[list[str]]) -> sparse.csr_matrix:
    """Documents as rows of unit length, kept only where a word occurs in two of them or more.

    Rows are normalised over all their words first: a paper whose words are mostly its own
    must stay far from the papers it shares a few common words with.
    """
    # Words become column numbers as each document is read: the words of 100,000
    # abstracts, kept as strings, would take a gigabyte.
    vocabulary: dict[str, int] = {}
    add = vocabulary.setdefault
    columns: list[np.ndarray] = []
    repeats: list[np.ndarray] = []
    for words in documents:
        found, times = np.unique(
            np.array([add(word, len(vocabulary)) for word in words], dtype=np.int32),
            return_counts=True,
        )
        columns.append(found)
        repeats.append(times)
    pointers = np.zeros(len(columns) + 1, dtype=np.int64)
    np.cumsum([len(found) for found in columns], out=pointers[1:])
    counts = sparse.csr_matrix(
        (
            np.concatenate(repeats).astype(np.float64) if repeats else np.zeros(0),
            np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32),
            pointers,
        ),
        shape=(len(columns), len(vocabulary)),
    )  # each row sorted, each word once with its count
    del columns, repeats
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + counts.shape[0]) / (1 + frequency)) + 1.0
    counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
    row_of = _row_of_entries(counts)
    norms = np.sqrt(np.bincount(row_of, weights=counts.data**2, minlength=counts.shape[0]))
    # Too little text: an empty row neither asks nor answers.
    enough = np.diff(counts.indptr) >= MIN_TERMS
    scale = np.divide(1.0, norms, out=np.zeros(counts.shape[0]), where=enough)
    # A word in one paper only links nothing: dropped, after it has weighed in the norm.
    counts.data *= scale[row_of] * (frequency[counts.indices] >= 2)
    counts.eliminate_zeros()
    return counts


def _neighbours(weights: sparse.csr_matrix, limit: int) -> dict[int, list[int]]:
    queries = _top_per_row(weights, QUERY_TERMS)
    answers = _top_per_row(sparse.csr_matrix(weights.T), POSTINGS).T.tocsc()
    found: dict[int, list[int]] = {}
    for start in range(0, weights.shape[0], CHUNK):
        block = sparse.csr_matrix(queries[start : start + CHUNK] @ answers.T)
        own = _row_of_entries(block) + start == block.indices
        block.data[own] = 0  # a paper is not its own neighbour
        block.eliminate_zeros()
        rows, others = _candidates(block, CANDIDATES)
        rows += start
        exact = np.asarray(weights[rows].multiply(weights[others]).sum(axis=1)).ravel()
        keep = exact >= SIMILARITY_FLOOR
        rows, others, exact = rows[keep], others[keep], np.round(exact[keep], 9)
        for row, other in zip(*_ranked(rows, others, exact, limit), strict=True):
            found.setdefault(int(row), []).append(int(other))
    return found


def _top_per_row(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    """The `keep` largest entries of each row, the rest dropped."""
    positions = _top_positions(matrix, keep)
    pruned = sparse.csr_matrix(
        (matrix.data[positions], (_row_of_entries(matrix)[positions], matrix.indices[positions])),
        shape=matrix.shape,
    )
    return pruned


def _candidates(block: sparse.csr_matrix, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of about the `keep` best entries of each row: the exact scores decide."""
    positions = _top_positions(block, keep)
    return _row_of_entries(block)[positions], block.indices[positions].astype(np.int64)


def _top_positions(matrix: sparse.csr_matrix, keep: int) -> np.ndarray:
    """Where in `matrix.data` the `keep` largest entries of each row are.

    A partial sort per row (introselect, deterministic for the same input) is linear, where a
    full sort of every entry would dominate the whole computation.
    """
    chosen: list[np.ndarray] = []
    pointers = matrix.indptr
    for row in np.flatnonzero(np.diff(pointers) > keep):
        begin, end = pointers[row], pointers[row + 1]
        chosen.append(begin + np.argpartition(-matrix.data[begin:end], keep)[:keep])
    short = np.flatnonzero(np.diff(pointers) <= keep)
    if short.size:
        lengths = pointers[short + 1] - pointers[short]
        chosen.append(
            np.repeat(pointers[short] - np.cumsum(lengths) + lengths, lengths)
            + np.arange(lengths.sum())
        )
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def _row_of_entries(matrix: sparse.csr_matrix) -> np.ndarray:
    return np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))


def _ranked(
    rows: np.ndarray, others: np.ndarray, scores: np.ndarray, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """The `limit` best (row, other) pairs of each row, best first, ties to the lower id."""
    order = np.lexsort((others, -scores, rows))
    rows, others = rows[order], others[order]
    starts = np.searchsorted(rows, rows, side="left")
    rank = np.arange(rows.size) - starts
    return rows[rank < limit], others[rank < limit]


def _shared(tags: Sequence[str], other: Sequence[str]) -> tuple[str, ...]:
    return tuple(tag for tag in tags if tag in other) if tags and other else ()
