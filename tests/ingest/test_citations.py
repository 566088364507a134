"""Ruling citations in English and French: court, date and number side by side with the text, what is not a
citation, one key per ruling, and the labelled set's precision and recall."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.citations import find_citations, resolve
from ingest.ruling_keys import ruling_key
from tests.conftest import needs_shared

CJ = "Court of Justice of the European Union"
ECTHR = "European Court of Human Rights"
CE = "Conseil d'État"
CASS = "Cour de cassation"
DDD = "Défenseur des Droits"
TA_LILLE = "Tribunal administratif de Lille"
UT_IAC = "Upper Tribunal (IAC)"
EWCA = "Court of Appeal (England and Wales)"
NB = "\u2011"  # non-breaking hyphen, as EUR-Lex writes case numbers


# fmt: off
_CITATIONS = [
    # Court of Justice of the EU: case numbers, any dash, joined cases, ECLIs, report years
    ("Case C-411/10", CJ, None, "C-411/10"),
    (f"C{NB}493/10 N.S. and Others", CJ, None, "C-493/10"),
    ("C–411/10", CJ, None, "C-411/10"),
    ("Joined Cases C-411/10 and C-493/10", CJ, None, "C-411/10 and C-493/10"),
    ("ECLI:EU:C:2011:865", CJ, "2011", None),
    (f"judgment of June 2018, Gnandi, C{NB}181/16, EU:C:2018:465, paragraph 51",
     CJ, "2018-06", "C-181/16"),
    (f"order of July 2018, C and Others, C{NB}269/PPU, EU:C:2018:544", CJ, "2018-07", "C-269/PPU"),
    ("Case C-169/Hartlauer [2009] ECR I-1721, paragraph 24", CJ, "2009", "C-169/"),
    ("(voir arrêt Afton Chemical, C‑517/07, EU:C:2008:751, point 28)", CJ, "2008", "C-517/07"),
    ("arrêts Francovich e.a., C-6/et C‑9/90, EU:C:1991:428", CJ, "1991", "C-6/90 and C-9/90"),
    ("CJUE, 21 déc. 2011, N.S. e.a., aff. C-411/10 et C-493/10",
     CJ, "2011-12-21", "C-411/10 and C-493/10"),
    ("Tsakouridis (European citizenship) [2010] EUECJ C-145/09", CJ, "2010", "C-145/09"),
    ("Case T-84/03 Turco v Council [2004] ECR II-4061", "General Court", "2004", "T-84/03"),
    # European Court of Human Rights
    ("M.S.S. v. Belgium and Greece [GC], no. 30696/09", ECTHR, None, "30696/09"),
    ("requête n° 30696/09", ECTHR, None, "30696/09"),
    ("CEDH, gde ch., 21 janv. 2011, M.S.S. c. Belgique et Grèce, req. n° 30696/09",
     ECTHR, "2011-01-21", "30696/09"),
    ("judgment of the ECtHR of July 2016, A.M. v Netherlands, CE:ECHR:2016:0705JUD002909409",
     ECTHR, "2016-07-05", "29094/09"),
    ("Osman v. United Kingdom - 23452/94 [1998] ECHR 101", ECTHR, "1998", "[1998] ECHR 101"),
    # UK neutral citations
    ("[2019] UKUT 197 (IAC)", UT_IAC, "2019", "[2019] UKUT 197 (IAC)"),
    ("[2019] UKUT 00197 (IAC)", UT_IAC, "2019", "[2019] UKUT 197 (IAC)"),
    ("Jarusevicius (EEA Reg 21 – effect of imprisonment) [2012] UKUT 00120(IAC)",
     UT_IAC, "2012", "[2012] UKUT 120 (IAC)"),
    ("[2020] EWCA Civ 1234", EWCA, "2020", "[2020] EWCA Civ 1234"),
    ("[2017] UKSC 12", "UK Supreme Court", "2017", "[2017] UKSC 12"),
    ("R (Javed) v Secretary of State for the Home Department [2014] EWHC 4426 (Admin)",
     "High Court (England and Wales)", "2014", "[2014] EWHC 4426 (Admin)"),
    ("LG and CC (EEA Regs: residence; imprisonment; removal) Italy [2009] UKAIT 00024",
     "Asylum and Immigration Tribunal", "2009", "[2009] UKAIT 24"),
    ("BA (demonstrators in Britain- risk on return) Iran CG [2011] UKUT Mr Tan said",
     "Upper Tribunal", "2011", None),
    # Conseil d'État, in French and English
    ("Conseil d'État, 31 juillet 2017, Commune de Calais, Ministre d'État", CE, "2017-07-31", None),
    ("CE, 31 juil. 2017, n° 412125", CE, "2017-07-31", "412125"),
    ("CE, ord., 31 juillet 2017, Commune de Calais, n° 412125", CE, "2017-07-31", "412125"),
    ("the Council of State, 31 July 2017", CE, "2017-07-31", None),
    ("ECLI:FR:CECHR:2017:412125.20170731", CE, "2017-07-31", "412125"),
    # tribunaux administratifs and other French courts
    ("Tribunal administratif de Lille, Ordonnance du juin 2017, www.example.org",
     TA_LILLE, "2017-06", None),
    ("Tribunal administratif de Lille, Ordonnance du 26 juin 2017", TA_LILLE, "2017-06-26", None),
    ("TA Lille, 22 mars 2017, n° 1702397", TA_LILLE, "2017-03-22", "1702397"),
    ("55 Decisions by the Lille Administrative Tribunal, 22 March 2017, are available here",
     TA_LILLE, "2017-03-22", None),
    ("le rejet par le juge des référés du tribunal administratif de Paris, le 20 août 2014, d'un recours",
     "Tribunal administratif de Paris", "2014-08-20", None),
    ("The summary judge of the Tribunal administratif de Lille had made the first order on 26 June 2017",
     TA_LILLE, "2017-06-26", None),
    ("Tribunal administratif de Lille, juge des référés, ordonnance du 12 avril 2021, n° 2101234",
     TA_LILLE, "2021-04-12", "2101234"),
    ("CAA Douai, 3 mars 2019, n° 18DA01234",
     "Cour administrative d'appel de Douai", "2019-03-03", "18DA01234"),
    ("Paris Court of Appeal, 16 May 2019", "Cour d'appel de Paris", "2019-05-16", None),
    ("CNDA, 12 mars 2019, M. X, n° 18021440",
     "Cour nationale du droit d'asile", "2019-03-12", "18021440"),
    # Cour de cassation
    ("Cass. crim., 4 mars 2020, n° 19-13.124", CASS, "2020-03-04", "19-13.124"),
    ("Cour de cassation, chambre criminelle, 4 mars 2020, pourvoi n° 19-13.124",
     CASS, "2020-03-04", "19-13.124"),
    ("Crim., 28 mars 2018, pourvoi n° 17-82.138, Bull. crim. 2018, n° 59 (cassation).",
     CASS, "2018-03-28", "17-82.138"),
    # national human-rights institutions, Conseil constitutionnel
    ("(decision 2017-171 of 27 July 2017)", DDD, "2017-07-27", "2017-171"),
    ("décision n° 2018-045", DDD, None, "2018-045"),
    ("the decision of 13 November 2012 by the Human Rights Defender concerning", DDD, "2012-11-13", None),
    ("Conseil constitutionnel, décision n° 2018-717/718 QPC du 6 juillet 2018",
     "Conseil constitutionnel", "2018-07-06", "2018-717/718 QPC"),
]
# fmt: on


@pytest.mark.parametrize(("text", "court", "date", "number"), _CITATIONS)
def test_citation(text: str, court: str, date: str | None, number: str | None) -> None:
    found = find_citations(text)
    assert [(c.court, c.date, c.number) for c in found] == [(court, date, number)]
    c = found[0]
    assert text[c.start : c.end] == c.text
    assert c.key == ruling_key(c.court, c.number, c.date, c.ecli, c.name)


@pytest.mark.parametrize(
    "text",
    [
        "31 juillet 2017",
        "Interviewed in Calais, July 2018.",
        "Article 3 ECHR",
        "Article 3 CEDH",
        "Directive 2011/51/EU of the European Parliament and the Council of 11 May 2011",
        "Regulation (EU) No 604/2013 of the European Parliament and of the Council of 26 June 2013",
        "Loi n° 2003-1368 du 31 décembre 2003 autorisant l'approbation du traité",
        "Décret n° 2018-263 du 11 avril 2018 portant publication du traité",
        "Decision No 1/80 of the Association Council",
        "UN Doc. A/HRC/37/51, 16 January 2018",
        "OHCHR Factsheet no. 29, Human Rights Defenders",
        "appeal was rejected by the Conseil d’État (the highest court ruling on public administration)",
        "Most recently, in December 2018, the Défenseur des Droits issued a major report",
        "30 Défenseur des Droits, Le Défenseur des Droits dénonce les conditions de vie, 14 June 2017",
        "31 Défenseur des Droits, Exilés et droits fondamentaux, trois ans après, December 2018,",
        "the investigation by the Defender of Human Rights in June 2011",
        "Signed A Grubb Judge of the Upper Tribunal 29 May 2019",
        "from the Raad van State (Council of State, Netherlands), made by decision of March 2017",
        "Le tribunal a rendu sa décision le 3 mars 2019.",
        "the European Convention on Human Rights, signed in Rome on 4 November 1950",
    ],
)
def test_not_a_citation(text: str) -> None:
    assert find_citations(text) == []


@pytest.mark.parametrize(
    "texts",
    [
        ("Conseil d'État, 31 juillet 2017", "Council of State, 31 July 2017", "CE, 31 juil. 2017"),
        ("Case C-411/10", f"C{NB}411/10 N.S.", "aff. C‑411/10", "Joined Cases C-411/10 and C-493/10"),
        ("[2019] UKUT 197 (IAC)", "[2019] UKUT 00197 (IAC)", "Durueke [2019] UKUT 197"),
        (
            "requête n° 30696/09",
            "M.S.S. v. Belgium and Greece [GC], no. 30696/09",
            "CEDH, 21 janv. 2011, req. n° 30696/09",
            "ECLI:CE:ECHR:2011:0121JUD003069609",
        ),
        (
            "Cass. crim., 4 mars 2020, n° 19-13.124",
            "pourvoi n° Y 19-13.124",
            "Court of Cassation, 4 March 2020, appeal no. 19-13.124",
        ),
        ("TA Lille, 22 mars 2017, n° 1702397", "Tribunal administratif de Lille, n° 1702397"),
        ("Lille Administrative Tribunal, 22 March 2017", "Tribunal administratif de Lille, 22 mars 2017"),
        (
            "decision 2017-171 of 27 July 2017",
            "décision n° 2017-171",
            "Défenseur des droits, décision n° 2017-171",
        ),
    ],
)
def test_one_key_per_ruling(texts: tuple[str, ...]) -> None:
    keys = {c.key for text in texts for c in find_citations(text)}
    assert len(keys) == 1, keys


def test_different_rulings_get_different_keys() -> None:
    texts = [
        "CE, 31 juil. 2017, n° 412125",
        "CE, 31 juil. 2017, n° 412126",
        "Case C-411/10",
        "Case C-411/11",
        "[2019] UKUT 197 (IAC)",
        "[2019] EWCA Civ 197",
        "TA Lille, 22 mars 2017",
        "TA Paris, 22 mars 2017",
    ]
    keys = [c.key for text in texts for c in find_citations(text)]
    assert len(keys) == len(set(keys)) == len(texts)


def test_resolve_merges_details_across_citations() -> None:
    text = (
        "See Conseil d'État, 31 juillet 2017, Commune de Calais. The order was upheld (CE, 31 juil. 2017, "
        "n° 412125). In Joined Cases C-411/10 and C-493/10 the Court ruled; see also C-493/10 M.E., and "
        "Case C-41/Höfner and Elser [1991] ECR I-1979, read with C-41/90. Separately, TA Lille, 22 mars 2017."
    )
    groups = resolve(find_citations(text))
    assert sorted(groups) == ["eu-cj:C-41/90", "eu-cj:C-411/10", "fr-ce:412125", "fr-ta-lille:2017-03-22"]
    ce = groups["fr-ce:412125"]
    assert len(ce) == 2
    assert {(c.number, c.date, c.name) for c in ce} == {("412125", "2017-07-31", "Commune de Calais")}
    assert len(groups["eu-cj:C-411/10"]) == 2
    assert {c.date for c in groups["eu-cj:C-41/90"]} == {"1991"}
    for cites in groups.values():
        assert all(text[c.start : c.end] == c.text for c in cites)


def test_pages_fill_page_numbers() -> None:
    text = "Page one cites Case C-411/10.\fPage two cites [2019] UKUT 197 (IAC)."
    pages = [(1, 0, 30), (2, 30, len(text))]
    assert [c.page for c in find_citations(text, pages)] == [1, 2]
    assert [c.page for c in find_citations(text)] == [None, None]


_FRAGMENTS = st.sampled_from(
    [
        "Case C-411/10",
        f"C{NB}493/",
        " N.S. and Others",
        "Conseil d'État",
        "CE",
        ", ",
        " du ",
        "31 juillet 2017",
        "n° 412125",
        "[2019] UKUT 00197 (IAC)",
        "no. 30696/09",
        "[GC]",
        "(",
        ")",
        "EU:C:2011:865",
        " and ",
        " et ",
        "Cass. crim.",
        "pourvoi n° 19-13.124",
        "decision 2017-171",
        " of ",
        "TA Lille",
        "Lille Administrative Tribunal",
        "[1991] ECR I-1979",
        "\n",
        ". ",
        "paragraph 3",
        "Article 3 ECHR",
        "Directive 2011/51/EU",
        "ECHR 2011",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(_FRAGMENTS, max_size=25).map("".join)))
def test_never_raises_and_spans_hold(text: str) -> None:
    found = find_citations(text)
    for c in found:
        assert text[c.start : c.end] == c.text
        assert c.key and c.court
        assert c.date is None or len(c.date) in (4, 7, 10)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    for cites in resolve(found).values():
        assert all(text[c.start : c.end] == c.text for c in cites)


@needs_shared
def test_labelled_set_precision_and_recall() -> None:
    """The hand-labelled citations in tests/golden/citations (see bench/citations_eval.py)."""
    from bench.citations_eval import evaluate

    total, _ = evaluate()
    assert total.labelled >= 60
    assert total.precision >= 0.95
    assert total.recall >= 0.95
    held_out, _ = evaluate(split="held-out")
    assert held_out.precision >= 0.95
    assert held_out.recall >= 0.9
