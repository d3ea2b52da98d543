"""Facet keys pack an item's facets into one integer and unpack them again."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exchange.catalog.search import facets


@given(
    st.sampled_from(facets.LEVELS),
    st.sampled_from(facets.GRADES),
    st.sampled_from(facets.SHARINGS),
    st.sampled_from(facets.OPENINGS),
    st.integers(min_value=0, max_value=15),
    st.sampled_from(facets.CITY_CODES),
    st.integers(min_value=1, max_value=2**40),
    st.booleans(),
)
def test_keys_round_trip(
    level: str,
    grade: str,
    sharing: str,
    opening: str,
    usage: int,
    city: str,
    department: int,
    in_name: bool,
) -> None:
    base = facets.base_key(
        level=level, grade=grade, sharing=sharing, opening=opening, usage_mask=usage, city_code=city
    )
    key = facets.posting_key(base, department_seq=department, in_name=in_name)
    attributes = (key >> facets.ATTRIBUTES.shift) & facets.ATTRIBUTES.mask
    places = (key >> facets.PLACE_AND_USAGE.shift) & facets.PLACE_AND_USAGE.mask
    assert facets.decode_attributes(attributes) == (level, grade, sharing, opening)
    assert facets.decode_place_and_usage(places) == (city, usage)
    assert key >> facets.DEPARTMENT_SHIFT == department
    assert key & 1 == int(in_name)


def test_codes_outside_guangdong_have_no_city() -> None:
    base = facets.base_key(
        level="county",
        grade="core",
        sharing="not_shared",
        opening="not_open",
        usage_mask=0,
        city_code="110000",
    )
    places = (base >> facets.PLACE_AND_USAGE.shift) & facets.PLACE_AND_USAGE.mask
    assert facets.decode_place_and_usage(places) == (None, 0)
