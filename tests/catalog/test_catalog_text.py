"""Search terms: CJK bigrams, Latin words, query plans that never fail."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exchange.catalog.search.text import (
    ClauseKind,
    index_terms,
    like_pattern,
    normalize,
    plan_query,
    prefix_upper_bound,
    runs,
    search_text,
)


def test_chinese_is_indexed_as_bigrams_plus_the_last_character() -> None:
    terms = index_terms(["社保缴费记录"])
    assert {"社保", "保缴", "缴费", "费记", "记录", "录"} <= terms
    # A two-character query term is a posting of its own.
    assert "社保" in terms
    assert "社" not in terms  # only a run's last character stands alone


def test_latin_words_are_lowercased_whole_words_and_full_width_is_folded() -> None:
    terms = index_terms(["Social Insurance", "ＩＤ_number", "12345热线"])
    assert {"social", "insurance", "id", "number", "12345", "热线", "线"} <= terms
    assert "soc" not in terms  # prefixes are looked up in the vocabulary, not stored


def test_runs_split_chinese_latin_and_digits() -> None:
    found = [(r.text, r.cjk) for r in runs(normalize("2022年度医保结算 Details!"))]
    assert found == [("2022", False), ("年度医保结算", True), ("details", False)]


def test_query_plans() -> None:
    two = plan_query("社保")
    assert [(c.term, c.kind) for c in two.clauses] == [("社保", ClauseKind.EXACT)]
    assert two.checks == ()  # the bigram posting proves the phrase
    longer = plan_query("社会保险")
    assert [c.term for c in longer.clauses] == ["社会", "会保", "保险"]
    assert longer.checks == ("社会保险",)  # bigrams alone do not prove adjacency
    one = plan_query("险")
    assert [(c.term, c.kind) for c in one.clauses] == [("险", ClauseKind.HEAD)]
    word = plan_query("Insur")
    assert [(c.term, c.kind) for c in word.clauses] == [("insur", ClauseKind.PREFIX)]
    short = plan_query("id")
    assert [(c.term, c.kind) for c in short.clauses] == [("id", ClauseKind.EXACT)]
    assert plan_query("%%% ___ !!!").empty
    assert plan_query(None).empty and plan_query("").empty


@given(st.text(max_size=2000))
def test_any_input_gives_a_bounded_plan(q: str) -> None:
    plan = plan_query(q)
    assert len(plan.phrases) <= 8
    assert all("\x00" not in p for p in plan.phrases)
    assert all(len(c.term) <= 100 for c in plan.clauses)


def test_search_text_and_like_patterns() -> None:
    assert search_text(["医保 Settlement", "", "ＡＢＣ"]) == "医保 settlement\nabc"
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"
    assert prefix_upper_bound("insur") == "insus"
