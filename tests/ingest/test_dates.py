"""Dates to ISO partial dates, English and French, table-driven."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.dates import date_bounds, find_dates, parse_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("31 juillet 2017", "2017-07-31"),
        ("le 1er août 2016", "2016-08-01"),
        ("3 févr. 2019", "2019-02-03"),
        ("mi-mars 2019", "2019-03"),
        ("July 2018", "2018-07"),
        ("mid-March 2019", "2019-03"),
        ("April 12 2013", "2013-04-12"),
        ("April 12, 2013", "2013-04-12"),
        ("12th April 2013", "2013-04-12"),
        ("in the summer of 2018", "2018"),
        ("2019-06-07", "2019-06-07"),
        ("12/04/2013", "2013-04-12"),
        ("December 2018", "2018-12"),
        ("décembre 2018", "2018-12"),
        ("Monday", None),
        ("recent years", None),
        ("31 February 2019", "2019-02"),  # no such day: keep what is certain, the month
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_find_dates_spans_in_running_text() -> None:
    text = "Interviewed in Calais, July 2018. Le Conseil d’État a statué le 31 juillet 2017."
    found = find_dates(text)
    assert [(d.text, d.value) for d in found] == [("July 2018", "2018-07"), ("le 31 juillet 2017", "2017-07-31")]
    for d in found:
        assert text[d.start : d.end] == d.text


@pytest.mark.parametrize(
    ("value", "bounds"),
    [("2018", (20180101, 20181231)), ("2019-02", (20190201, 20190228)), ("2020-02", (20200201, 20200229)),
     ("2017-07-31", (20170731, 20170731))],
)
def test_date_bounds(value: str, bounds: tuple[int, int]) -> None:
    assert date_bounds(value) == bounds


@given(st.text(max_size=400))
def test_find_dates_never_raises_and_spans_hold(text: str) -> None:
    for d in find_dates(text, bare_years=True):
        assert text[d.start : d.end] == d.text
        assert len(d.value) in (4, 7, 10)
