"""Metadata: sidecar wins, then the file, then inference (title, date from a signature or the opening, kind)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import build_index

from typing import Any

from ingest.metadata import (
    address_date, file_title, hearing_title, infer_date, infer_kind, infer_title, load_sidecar, web_kind,
)
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
    ("text", "expected"),
    [  # a report's first page, as extracted: the title, not the imprint page's notice or address
        ("AMNESTY INTERNATIONAL REPORT 2008\nTHE STATE OF THE WORLD'S HUMAN RIGHTS\n\nFirst published in 2008 by "
         "Amnesty International\n1 Easton Street London WC1X ODW United Kingdom\nAmnesty International Publications "
         "2008\n", "AMNESTY INTERNATIONAL REPORT 2008"),
        ("Key recommendations\n\nBackground\n\nShelter under pressure in Calais\n\nBody.", "Shelter under pressure in Calais"),
        ("Principales recommandations\n\nLes expulsions de l'hiver à Grande-Synthe\n", "Les expulsions de l'hiver à Grande-Synthe"),
        ("© Copyright Border Watch 2021\nAll rights reserved\nEvictions in Calais, 2021\n", "Evictions in Calais, 2021"),
        ("TRIBUNAL ADMINISTRATIF DE LILLE\nOrdonnance du juge des référés\n\nBody.", "Ordonnance du juge des référés"),
        ("12 rue de la Paix 75002 Paris\nRapport annuel sur les droits des étrangers\n", "Rapport annuel sur les droits des étrangers"),
        ("12 mars 2021 Rapport d'observation\n", "12 mars 2021 Rapport d'observation"),  # a date, not an address
    ],
)
def test_infer_title_skips_notices_addresses_and_section_names(tmp_path: Path, text: str, expected: str) -> None:
    assert infer_title(text, tmp_path / "report.txt") == expected


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


# Hearing transcripts we wrote, in the two layouts international tribunals publish: numbered lines with the
# case called by the registrar and repeated in page footers, and a header block with the parties in columns.
NUMBERED_TRANSCRIPT = (
    " 1                          Tuesday, 4 March 2003\n"
    " 2                          [Open session]\n"
    " 3                          [The accused entered court]\n"
    " 4                          --- Upon commencing at 9.05 a.m.\n"
    " 5            JUDGE ALVAREZ:  Call the case, please.\n"
    " 6            THE REGISTRAR:  Case number IT-99-77-T, the Prosecutor versus\n"
    " 7    Tomas Velden.\n"
    " 8            JUDGE ALVAREZ:  Thank you.  The witness may come in.  Counsel\n"
    " 9    referred yesterday to the appeal in Case No. IT-90-1-A; we will come back to it.\n"
    "10            MR. HALE:  Thank you, Your Honour.  On 2 February 2003 the witness\n"
    "11    saw the convoy leave the school at night.\n\n"
    "Tuesday, 4 March 2003\t\tCase No. IT-99-77-T\n\n"
    " 1            Q.   Where were you standing?\n"
    " 2            A.   Near the gate, with my brother.\n\n"
    "Tuesday, 4 March 2003\t\tCase No. IT-99-77-T\n"
)
HEADER_TRANSCRIPT = (
    "THE INTERNATIONAL CRIMINAL TRIBUNAL\n\n"
    "CASE NO. : ICTR-03-55-T\t\t\tTHE PROSECUTOR\n"
    "CHAMBER II\t\t\tOF THE TRIBUNAL\n"
    "\t\t\tv.\n"
    "\t\t\tODILON VERMANDE\n\n\n"
    "12 MAY 2004\n0930H\nCONTINUED TRIAL\n\n"
    "Before the Judges:\n\tA. Presiding Judge\n\tB. Second Judge\n\n"
    "For the Prosecution:\n\tMs. C. Counsel\n\n"
    "Court Reporters:\n\tMr. D. Reporter\n\n"
    "P R O C E E D I N G S\n"
    "MR. PRESIDENT:\nGood morning.  The witness is in the box; Counsel, you may begin.\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (NUMBERED_TRANSCRIPT, ("Prosecutor v. Tomas Velden (IT-99-77-T), hearing of 2003-03-04", "2003-03-04")),
        (HEADER_TRANSCRIPT, ("Prosecutor v. Odilon Vermande (ICTR-03-55-T), hearing of 2004-05-12", "2004-05-12")),
        (
            # a report that quotes a hearing once is not a transcript
            "Report on the hearings of 2019\n\nThe association followed the trial. During the cross-examination "
            "of 12 May 2019, counsel asked about Case No. C-411/10 of the Court of Justice.\n",
            None,
        ),
    ],
)
def test_hearing_title(text: str, expected: tuple[str, str] | None) -> None:
    assert hearing_title(text) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [  # small capitals read letter by letter (Amnesty's 2011 report) are mended; ordinary titles are left
        ("THe sTATe oF THe world’s HumAN rIgHTs", "The State Of The World’s Human Rights"),
        ("AMNESTY INTERNATIONAL REPORT 2008", "AMNESTY INTERNATIONAL REPORT 2008"),
        ("McDonald v iPhone Ltd", "McDonald v iPhone Ltd"),
        ("Rapport annuel de la CNCDH", "Rapport annuel de la CNCDH"),
    ],
)
def test_file_title_mends_broken_case(title: str, expected: str) -> None:
    assert file_title(title) == expected


def test_file_title_drops_file_names() -> None:
    assert file_title("10811.exe") is None
    assert file_title("Microsoft Word - rapport final v3.doc") is None
    assert file_title("countries-final.amended.qxp") is None  # a QuarkXPress layout's name
    assert file_title("index.html") is None
    assert file_title("2011") is None  # a year alone is no title
    assert file_title("\ufffc Annual report 2011 ") == "Annual report 2011"
    assert file_title("Annual report 2019: the right to shelter") == "Annual report 2019: the right to shelter"
    assert file_title(None) is None


def test_an_ingested_transcript_is_a_testimony_cited_by_its_case(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    path = tmp_path / "transcript-0412.txt"
    path.write_text(NUMBERED_TRANSCRIPT, encoding="utf-8")
    build_index([path], tmp_path / "ix", pipelines)
    from index.search import Searcher

    searcher = Searcher(tmp_path / "ix")
    [doc] = searcher.documents()
    searcher.close()
    assert (doc["title"], doc["kind"], doc["date"]) == (
        "Prosecutor v. Tomas Velden (IT-99-77-T), hearing of 2003-03-04", "testimony", "2003-03-04"
    )
