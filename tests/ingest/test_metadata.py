"""Metadata: sidecar wins, then the file, then inference (title, date from a signature or the opening, kind)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.metadata import infer_date, infer_kind, infer_title, load_sidecar
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
