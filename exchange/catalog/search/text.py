"""Search terms (检索词) of the catalog's own inverted index; pure functions, no I/O.

Chinese text has no spaces, and a two-character query such as 社保 or 医保 must work, so
CJK runs are indexed as overlapping character bigrams plus the run's last character (so a
one-character query finds every occurrence: it looks up the bigrams that character starts,
and the run-final characters). Latin words are lowercased and indexed whole; a query word
of three letters or more also matches the indexed words it begins (looked up in the term
vocabulary, not stored as extra postings). The same terms are produced on SQLite and
PostgreSQL; the repository intersects their postings in SQL and checks the phrases the
postings alone cannot prove against the item's normalized text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

MAX_QUERY_CHARS = 100
MAX_TERM_CHARS = 32
MAX_PHRASES = 8
PREFIX_MIN = 3

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lowercase, control characters and NUL to spaces."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub(" ", text.lower())


@dataclass(frozen=True, slots=True)
class Run:
    """A maximal stretch of CJK ideographs or of word characters."""

    text: str
    cjk: bool


def runs(text: str) -> list[Run]:
    """Split normalized text into CJK runs and word runs; everything else separates."""
    return [Run(m.group(0), m.group(1) is not None) for m in _RUN.finditer(text)]


@lru_cache(maxsize=65536)
def text_terms(text: str) -> frozenset[str]:
    """The terms of one text (normalized here); cached, field names repeat a lot."""
    terms: set[str] = set()
    for match in _RUN.finditer(normalize(text)):
        run = match.group(0)
        if match.group(1) is None:
            terms.add(run[:MAX_TERM_CHARS])
        elif len(run) == 1:
            terms.add(run)
        else:
            terms.update(run[i : i + 2] for i in range(len(run) - 1))
            terms.add(run[-1])
    return frozenset(terms)


def index_terms(texts: Iterable[str]) -> set[str]:
    """The terms an item is indexed under, from its raw texts."""
    terms: set[str] = set()
    for text in texts:
        if text:
            terms |= text_terms(text)
    return terms


@lru_cache(maxsize=65536)
def _normalized(text: str) -> str:
    return normalize(text)


def search_text(texts: Iterable[str]) -> str:
    """The normalized text query phrases are checked against (one line per source text)."""
    return "\n".join(_normalized(t) for t in texts if t)


class ClauseKind(StrEnum):
    """How a clause finds its postings."""

    EXACT = "exact"  # the term itself
    HEAD = "head"  # one CJK character: the term and every bigram it starts
    PREFIX = "prefix"  # a Latin word: every indexed word it begins


@dataclass(frozen=True, slots=True)
class Clause:
    """Postings an item must have (one of the terms the clause stands for)."""

    term: str
    kind: ClauseKind = ClauseKind.EXACT


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A parsed query: clauses to intersect, phrases each hit contains.

    `checks` are the phrases the postings alone do not prove (CJK runs longer than a
    bigram, over-long words): hits are confirmed against them.
    """

    clauses: tuple[Clause, ...]
    phrases: tuple[str, ...]
    checks: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.clauses


def plan_query(q: str | None) -> QueryPlan:
    """Parse any input into a bounded plan; never raises (odd input becomes no clauses)."""
    if not q:
        return QueryPlan((), (), ())
    text = normalize(q[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
    clauses: dict[Clause, None] = {}
    phrases: dict[str, None] = {}
    checks: dict[str, None] = {}
    for run in runs(text):
        if len(phrases) >= MAX_PHRASES:
            break
        if run.cjk:
            if len(run.text) == 1:
                clauses[Clause(run.text, ClauseKind.HEAD)] = None
            else:
                for i in range(len(run.text) - 1):
                    clauses[Clause(run.text[i : i + 2])] = None
            phrase = run.text
            if len(phrase) > 2:
                checks[phrase] = None
        else:
            phrase = run.text[:MAX_TERM_CHARS]
            kind = ClauseKind.PREFIX if len(phrase) >= PREFIX_MIN else ClauseKind.EXACT
            clauses[Clause(phrase, kind)] = None
        phrases[phrase] = None
    return QueryPlan(tuple(clauses), tuple(phrases), tuple(checks))


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix` (for range scans)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def like_pattern(phrase: str) -> str:
    """A LIKE pattern matching `phrase` anywhere (escape character: backslash)."""
    escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
