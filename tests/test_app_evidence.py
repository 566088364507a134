"""The Testimonies and Rulings views and the document view's testimonies and rulings, run headless with
AppTest against an index built from a few files written here: an English report quoting a witness and citing
the Conseil d'État, a French press article with « … », raconte-t-il, a Lille ordonnance, and notes whose
testimony carries a script tag."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from search_app import ui_render as ui
from tests.conftest import build_index


REPORT = """\
Nowhere to go: evictions on the northern coast

Interviewed in Calais, 14 April 2021

“Samir”, a 19-year-old from Sudan, told us, “They took our tents again. We slept on the ground in the rain.”

The French courts have repeatedly reminded the State of its duties towards people sleeping outside: the
order to install water points in Calais was upheld on appeal (Conseil d'État, 31 juillet 2017, n° 412125).
"""

PRESS = """\
À Grande-Synthe, les tentes confisquées chaque semaine

Ahmad, un Érythréen de 24 ans, dort depuis trois mois près du canal à Grande-Synthe. « On nous prend tout, même \
les sacs de couchage », raconte-t-il.

Les associations rappellent la décision du Conseil d'État du 31 juillet 2017, n° 412125, qui imposait l'accès \
à l'eau.
"""

ORDONNANCE = """\
TRIBUNAL ADMINISTRATIF DE LILLE

N° 2102345

ORDONNANCE DU JUGE DES RÉFÉRÉS

Le juge des référés enjoint au préfet du Pas-de-Calais d'installer des points d'eau potable à Calais dans un \
délai de huit jours.

ORDONNE :

Article 1er : Il est enjoint au préfet du Pas-de-Calais d'installer des points d'eau dans un délai de huit jours.

Fait à Lille, le 12 avril 2021.
"""

SCRIPT = """\
Notes from Dunkirk

Interviewed in Dunkirk, 3 May 2021

“Kawa”, 22, from Iran, told us, “They wrote <script>alert(1)</script> on the wall of the shelter.”
"""


@pytest.fixture(scope="module")
def evidence_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    base = tmp_path_factory.mktemp("evidence")
    corpus = base / "corpus"
    corpus.mkdir()
    files = {
        "tents-report": (
            REPORT,
            {"title": "Nowhere to go", "kind": "report", "date": "2021-06", "publisher": "Border Watch"},
        ),
        "article-grande-synthe": (
            PRESS,
            {"title": "Les tentes confisquées", "kind": "press", "date": "2021-05-03",
             "publisher": "La Voix du Nord", "language": "fr"},
        ),
        "ordonnance-lille": (ORDONNANCE, None),
        "dunkirk-notes": (
            SCRIPT,
            {"title": "Notes <b>Dunkirk</b>", "kind": "report", "date": "2021-05",
             "publisher": "Observatoire <i>des</i> frontières"},
        ),
    }
    for name, (text, meta) in files.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
        if meta:
            (corpus / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    summary = build_index([corpus], base / "index", pipelines)
    assert summary.count("added") == 4, [(r.path, r.reason) for r in summary.results]
    return base / "index"


@pytest.fixture
def app(evidence_index: Path, start_app: Callable[[Path], AppTest]) -> AppTest:
    at = start_app(evidence_index)
    assert not at.exception, at.exception
    return at


def go(at: AppTest, view: str) -> AppTest:
    at.segmented_control(key="view").set_value(view).run()
    assert not at.exception, at.exception
    return at


def cards(at: AppTest, css: str) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(f'<div class="{css}">')]


def text_of(html_card: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_card)).strip())


def set_text(at: AppTest, key: str, value: str) -> AppTest:
    at.text_input(key=key).input(value).run()
    assert not at.exception, at.exception
    return at


# ------------------------------------------------------------------ testimonies


def test_testimonies_list_speaker_quote_and_where_when(app: AppTest) -> None:
    go(app, "Testimonies")
    quotes = cards(app, "tm-quote")
    samir = next(c for c in quotes if "Samir" in c)
    assert "They took our tents again." in samir
    assert "a 19-year-old from Sudan" in samir
    assert "Calais · 2021-04-14" in text_of(samir)
    assert "Nowhere to go · Border Watch" in text_of(samir)
    ahmad = next(c for c in quotes if "Ahmad" in c)
    assert "On nous prend tout" in ahmad
    # The article states no date for the words: the document's date stands in, and the card says so.
    assert "2021-05-03 (date of the document" in text_of(ahmad)


def test_citation_is_ready_to_copy(app: AppTest) -> None:
    go(app, "Testimonies")
    citations = [c.value for c in app.code]
    assert any(
        c.startswith("“They took our tents again.")
        and "— Samir, a 19-year-old from Sudan (Calais, 2021-04-14)" in c
        and "Nowhere to go, Border Watch" in c
        for c in citations
    ), citations


@pytest.mark.parametrize(
    ("speaker", "expected"), [("samir", ["Samir"]), ("“Ahmad”", ["Ahmad"]), ("ahmád", ["Ahmad"])]
)
def test_speaker_filter_narrows(app: AppTest, speaker: str, expected: list[str]) -> None:
    go(app, "Testimonies")
    assert len(cards(app, "tm-quote")) == 3
    set_text(app, "t_speaker", speaker)
    found = cards(app, "tm-quote")
    assert [name for name in ("Samir", "Ahmad", "Kawa") if any(name in c for c in found)] == expected


def test_words_and_date_filters(app: AppTest) -> None:
    go(app, "Testimonies")
    set_text(app, "t_q", "tents")
    assert len(cards(app, "tm-quote")) == 1
    set_text(app, "t_q", "")
    set_text(app, "t_since", "2021-05")
    found = cards(app, "tm-quote")
    assert {n for n in ("Samir", "Ahmad", "Kawa") if any(n in c for c in found)} == {"Ahmad", "Kawa"}
    set_text(app, "t_since", "May 2021")
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in app.error[0].value


def test_no_testimony_matches(app: AppTest) -> None:
    go(app, "Testimonies")
    set_text(app, "t_speaker", "Nobody Atall")
    assert not cards(app, "tm-quote")
    assert "No testimony matches" in app.info[0].value


def test_a_testimony_opens_its_document_with_the_words_shaded(app: AppTest) -> None:
    go(app, "Testimonies")
    set_text(app, "t_speaker", "Samir")
    next(b for b in app.button if b.key == "quote-open-0").click().run()
    assert not app.exception, app.exception
    page = next(m.value for m in app.markdown if m.value.startswith('<div class="tm-page">'))
    words = "They took our tents again. We slept on the ground in the rain."
    assert f'<span class="tm-passage">{words}</span>' in page
    # the document view lists the document's testimonies and the rulings it cites
    labels = [b.label for b in app.button]
    assert any(lab.startswith("Samir — “They took our tents again") for lab in labels), labels
    assert any("Conseil d'État, 2017\\-07\\-31, n° 412125" in lab for lab in labels), labels


def test_script_text_is_escaped(app: AppTest) -> None:
    go(app, "Testimonies")
    kawa = next(c for c in cards(app, "tm-quote") if "Kawa" in c)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in kawa
    assert "<script>" not in kawa
    assert "Notes &lt;b&gt;Dunkirk&lt;/b&gt;" in kawa
    assert "Observatoire &lt;i&gt;des&lt;/i&gt; frontières" in kawa


# ------------------------------------------------------------------ rulings


def test_rulings_list_the_conseil_d_etat_with_who_cites_it(app: AppTest) -> None:
    go(app, "Rulings")
    rulings = [text_of(c) for c in cards(app, "tm-hit")]
    assert rulings[0].startswith("Conseil d'État, 2017-07-31, n° 412125"), rulings
    assert "not in the index" in rulings[0]
    assert "in 2 documents" in rulings[0]
    labels = [b.label for b in app.button if (b.key or "").startswith("ruling-0-cite-")]
    assert sorted(labels) == ["Les tentes confisquées", "Nowhere to go"]
    lille = next(r for r in rulings if r.startswith("Tribunal administratif de Lille"))
    assert "2021-04-12, n° 2102345" in lille and "in the index" in lille


def test_court_filter_and_bad_date(app: AppTest) -> None:
    go(app, "Rulings")
    box = app.selectbox(key="r_court")
    assert set(box.options) == {"Conseil d'État", "Tribunal administratif de Lille"}
    box.set_value("Tribunal administratif de Lille").run()
    assert [text_of(c).split(",")[0] for c in cards(app, "tm-hit")] == ["Tribunal administratif de Lille"]
    set_text(app, "r_since", "2021")
    assert len(cards(app, "tm-hit")) == 1
    set_text(app, "r_until", "2020-13")
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in app.error[0].value


def test_a_ruling_opens_with_its_particulars(app: AppTest) -> None:
    go(app, "Rulings")
    next(b for b in app.button if b.label == "Open the ruling").click().run()
    assert not app.exception, app.exception
    table = next(m.value for m in app.markdown if 'class="tm-metadata tm-ruling"' in m.value)
    assert "<th>Court</th><td>Tribunal administratif de Lille</td>" in table
    assert "<th>Number</th><td>2102345</td>" in table


def test_a_citing_document_opens_at_the_citation(app: AppTest) -> None:
    go(app, "Rulings")
    next(b for b in app.button if b.label == "Nowhere to go").click().run()
    assert not app.exception, app.exception
    page = next(m.value for m in app.markdown if m.value.startswith('<div class="tm-page">'))
    assert '<span class="tm-passage">Conseil d&#x27;État, 31 juillet 2017, n° 412125</span>' in page


# ------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    ("date", "source", "footnote", "shown"),
    [
        ("2021-04-14", "sentence", None, "2021-04-14"),
        ("2018-07", "footnote", 7, "2018-07 (footnote 7)"),
        ("2021-06", "document", None, "2021-06 (date of the document: the testimony gives none)"),
        (None, "none", None, "undated"),
    ],
)
def test_quote_date(date: str | None, source: str, footnote: int | None, shown: str) -> None:
    assert ui.quote_date(date, source, footnote) == shown


@pytest.mark.parametrize(
    ("label", "escaped"),
    [
        ("Field notes <b>Dunkirk</b>", "Field notes \\<b\\>Dunkirk\\</b\\>"),
        ("[x](javascript:alert(2))", "\\[x\\]\\(javascript\\:alert\\(2\\)\\)"),
        ("*asterisks* :material/home:", "\\*asterisks\\* \\:material/home\\:"),
    ],
)
def test_labels_take_markdown_literally(label: str, escaped: str) -> None:
    assert ui.md_escape(label) == escaped
