"""Metadata: sidecar wins, then the file, then inference (title, date from a signature or the opening, kind)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import build_index

from typing import Any

from ingest.metadata import address_date, infer_date, infer_kind, infer_title, load_sidecar, web_kind
from ingest.records import Kind

BODY = "Some text about the situation in the camps.\n" * 30


@pytest.mark.parametrize(
    ("text", "date"),
    [
        (BODY + "\nParis, April 12 2013\n\nSigned by twelve organisations.", "2013-04-12"),
        (BODY + "\nFait à Lille, le 12 avril 2021.\n", "2021-04-12"),
        ("Report published on 3 May 2019.\n" + BODY + "As of 24 May 2019, we wrote.\n", "2019-05-24"),
        ("Camp in Grande-Synthe, August 2018\n" + BODY * 5 + "\nAs of 24 May 2019.", "2019-05-24"),
        (BODY, None),
    ],
)
def test_infer_date(text: str, date: str | None) -> None:
    assert infer_date(text) == date


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("JUDGMENT OF THE COURT (Grand Chamber)\n21 December 2011\nreference for a preliminary ruling", Kind.RULING),
        ("COUR DE CASSATION\nAudience publique\nARRÊT\nPourvoi n° 19-13.124\nREJETTE le pourvoi", Kind.RULING),
        ("PRESS RELEASE\nNGOs condemn evictions.\nPress contact: press@example.org", Kind.PRESS),
        ("WITNESS: Yes.\nQ. Where were you?\nA. At the church.\nCROSS-EXAMINATION by counsel", Kind.TESTIMONY),
        ("EXECUTIVE SUMMARY\nThis report documents...\nMETHODOLOGY\nRECOMMENDATIONS", Kind.REPORT),
        ("A shopping list: eggs, milk.", Kind.OTHER),
    ],
)
def test_infer_kind(text: str, kind: Kind) -> None:
    assert infer_kind(text) is kind


def test_infer_title_skips_generic_headings(tmp_path: Path) -> None:
    assert infer_title("EXECUTIVE SUMMARY\n\nThis report highlights the plight of people.", tmp_path / "my-report.txt") == "my report"
    assert infer_title("Police harassment of migrants in Calais\n\nBody.", tmp_path / "x.txt") == "Police harassment of migrants in Calais"


def test_sidecar(tmp_path: Path) -> None:
    doc = tmp_path / "statement.md"
    doc.write_text("# Title\n")
    (tmp_path / "statement.meta.json").write_text(json.dumps({"title": "Joint statement", "date": "20 April 2021", "kind": "press"}))
    meta = load_sidecar(doc)
    assert (meta.title, meta.date, meta.kind) == ("Joint statement", "2021-04-20", Kind.PRESS)


@pytest.mark.parametrize(
    ("addresses", "date"),
    [
        (("https://news.example.org/monde/2018/11/05/un-camp-evacue_123456",), "2018-11-05"),
        (("societe-2012-03-09-les-tentes-saisies-88123_www-example-fr.md",), "2012-03-09"),
        (("faits-divers-20190704-obs1234-un-jeune-exile-html_example-com.md",), "2019-07-04"),
        (("202106150930-une-audience-a-lille_www-example-fr.md",), "2021-06-15"),  # a time after the day
        ((None, "2023-01-30-PV.pdf"), "2023-01-30"),  # no address: the file name
        (("https://example.org/a/2019/",), None),  # a year alone
        (("rapport-2021-04.md", "ordonnance-2021-0412.txt"), None),  # a month; not a full date
        (("story-21647399_www-example-ch.md", "x-2019-13-45-y"), None),  # an article number; no 13th month
    ],
)
def test_address_date(addresses: tuple[str | None, ...], date: str | None) -> None:
    assert address_date(*addresses) == date


def test_web_kind() -> None:
    assert web_kind(Kind.OTHER, "https://example.org/article", None) is Kind.PRESS
    assert web_kind(Kind.OTHER, None, "Example") is Kind.PRESS
    assert web_kind(Kind.OTHER, None, None) is Kind.OTHER  # not from the web: no kind is said
    assert web_kind(Kind.TESTIMONY, "https://example.org/a", None) is Kind.TESTIMONY  # the text said one


def test_a_saved_web_article_is_press_of_the_day_its_address_says(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    """A press article saved as Markdown: its front matter names the address, which carries the day it
    appeared; its text mentions older dates and has no cue of a kind."""
    article = tmp_path / "france-2017-10-03-a-grande-synthe-les-tentes-repartent_www-example-fr.md"
    article.write_text(
        "---\ntitle: \"À Grande-Synthe, les tentes repartent\"\n"
        "url: https://www.example.fr/france/2017/10/03/a-grande-synthe-les-tentes-repartent_1600001\n---\n"
        "Depuis l'incendie du camp de la Linière, le 10 avril 2017, plusieurs centaines de personnes dorment "
        "dans les bois autour de Grande-Synthe. Les bénévoles distribuent des tentes chaque semaine, que les "
        "forces de l'ordre emportent lors des évacuations. Une habitante raconte avoir perdu ses papiers lors "
        "de la dernière opération, le 28 septembre 2017, et attend depuis une réponse de la préfecture.\n",
        encoding="utf-8",
    )
    build_index([article], tmp_path / "ix", pipelines)
    from index.search import Searcher

    searcher = Searcher(tmp_path / "ix")
    [doc] = searcher.documents()
    searcher.close()
    assert (doc["kind"], doc["date"]) == ("press", "2017-10-03")
