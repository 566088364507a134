"""Entities: spaCy NER by language, labels normalised, noise cut, French dates found without a DATE label."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.entities import extract_mentions
from ingest.names import trim_mention
from ingest.records import Label, Mention, Passage


def _passage(text: str, lang: str, start: int = 0) -> Passage:
    return Passage("d:0", "d", None, start, start + len(text), text, lang)


@pytest.mark.parametrize(
    ("text", "label", "kept"),
    [
        ("eviction.35", Label.ORG, None),  # a word and a footnote number: not a name (lowercase)
        ("Calais.35", Label.PLACE, "Calais"),
        ("“Robert”77", Label.PERSON, "Robert"),
        ("• Offer", Label.ORG, "Offer"),
        ("www.example.org", Label.ORG, None),
        ("12 345", Label.ORG, None),
        ("Utopia 56", Label.ORG, "Utopia 56"),
        ("Jean-Marc Dupont", Label.PERSON, "Jean-Marc Dupont"),
        ("police officers", Label.PERSON, None),
        ("camp. The", Label.PLACE, None),
        ("L’Auberge des Migrants", Label.ORG, "L’Auberge des Migrants"),
        ("August", Label.PERSON, None),
        ("Council of 11 May 2011", Label.ORG, None),
        ("Préfet du", Label.ORG, None),
        ("M.S.S.", Label.PLACE, None),
        ("Council of June", Label.ORG, None),  # an instrument's date cut short, not a body
        ("Conseil de décembre", Label.ORG, None),
    ],
)
def test_trim_mention(text: str, label: Label, kept: str | None) -> None:
    span = trim_mention(text, label)
    assert (text[span[0] : span[1]] if span else None) == kept


def test_english_entities(pipelines: dict[str, Any]) -> None:
    text = ("In January 2019, volunteers of Utopia 56 and Secours Catholique told Human Rights Watch "
            "that police officers in Calais had confiscated blankets.")
    mentions = extract_mentions(pipelines, [_passage(text, "en", start=10)])
    names = {(m.label, m.name) for m in mentions}
    assert (Label.PLACE, "Calais") in names
    assert (Label.ORG, "Human Rights Watch") in names
    assert (Label.DATE, "2019-01") in names
    for m in mentions:
        assert text[m.start - 10 : m.end - 10] == m.text


def test_french_entities_and_dates(pipelines: dict[str, Any]) -> None:
    text = ("Le 31 juillet 2017, le Conseil d’État a confirmé l’ordonnance du tribunal administratif de Lille "
            "qui enjoignait à la commune de Calais de créer des points d’eau, selon la Cimade.")
    mentions = extract_mentions(pipelines, [_passage(text, "fr")])
    dates = [m for m in mentions if m.label is Label.DATE]
    assert [d.value for d in dates] == ["2017-07-31"]
    places = {m.name for m in mentions if m.label is Label.PLACE}
    orgs = {m.name for m in mentions if m.label is Label.ORG}
    assert "Calais" in places or "Lille" in places
    assert "Conseil d'État" in orgs


def test_a_place_is_not_a_person(pipelines: dict[str, Any]) -> None:
    texts = ["Calais said nothing about it.", "Many people arrived in Calais in 2018 from Sudan."]
    passages = [Passage(f"d:{i}", "d", None, i * 100, i * 100 + len(t), t, "en") for i, t in enumerate(texts)]
    mentions = extract_mentions(pipelines, passages)
    assert not [m for m in mentions if m.label is Label.PERSON and m.name == "Calais"]


def test_defined_acronym_and_expansion_are_one_name(pipelines: dict[str, Any]) -> None:
    text = ("The Inspectorate-General of the National Police (IGPN) opened an inquiry. Months later the IGPN "
            "had still not heard the volunteers of the Collectif des Dunes (CDD), and the CDD complained.")
    mentions = extract_mentions(pipelines, [_passage(text, "en")], text=text)
    orgs = [m for m in mentions if m.label is Label.ORG]
    assert {m.name for m in orgs if m.text in ("IGPN", "Inspectorate-General of the National Police")} == {"IGPN"}
    assert {m.name for m in orgs if m.text in ("CDD", "Collectif des Dunes")} <= {"Collectif des Dunes"}


def test_one_word_person_takes_the_full_name() -> None:
    from ingest.entity_labels import complete_person_names

    mentions = [
        Mention(Label.PERSON, "Gérard Vannier", "Gérard Vannier", 0, 14, "d:0"),
        Mention(Label.PERSON, "Vannier", "Vannier", 40, 47, "d:0"),
        Mention(Label.PERSON, "Tom", "Tom", 60, 63, "d:0"),
    ]
    assert [m.name for m in complete_person_names(mentions)] == ["Gérard Vannier", "Gérard Vannier", "Tom"]


def test_capitalised_common_noun_is_not_a_name(pipelines: dict[str, Any]) -> None:
    text = "Interviews were held in Calais. The interviews lasted an hour each with volunteers."
    names = {m.name for m in extract_mentions(pipelines, [_passage(text, "en")], text=text)}
    assert "Interviews" not in names


def test_a_defined_acronym_is_a_name_even_where_ner_misses_it(pipelines: dict[str, Any]) -> None:
    text = ("The statement was signed by the Syndicat de la magistrature (SM) and by the Groupe antiraciste "
            "d'accompagnement (GADEM). Later the SM asked for an inquiry.")
    mentions = extract_mentions(pipelines, [_passage(text, "en")], text=text)
    orgs = [m for m in mentions if m.label is Label.ORG]
    assert {m.name for m in orgs} >= {"Syndicat de la magistrature"}
    assert sum(1 for m in orgs if m.name == "Syndicat de la magistrature") >= 3  # expansion, (SM), later SM
    for m in mentions:
        assert text[m.start : m.end] == m.text


def test_generic_words_of_the_field_are_not_names() -> None:
    """Alone, "the Council", "the Fourth Chamber", "Madam", "Articles" or a people ("Tutsi") name no one;
    within a longer name ("Council of Europe") they are kept."""
    from ingest.entity_labels import relabel
    from ingest.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    words = [
        (Label.ORG, "Council"), (Label.ORG, "Commission"), (Label.PLACE, "Fourth Chamber"),
        (Label.ORG, "Member States"), (Label.PERSON, "Madam"), (Label.PLACE, "Articles"),
        (Label.PLACE, "Tutsi"), (Label.PERSON, "Hutu"), (Label.ORG, "Advocate General"),
        (Label.ORG, "Première chambre"), (Label.PLACE, "MR"), (Label.ORG, "Council of Europe"),
        (Label.ORG, "European Parliament"), (Label.ORG, "Parlement"),
    ]
    mentions = [Mention(label, name, name, 10 * i, 10 * i + len(name), "d:0") for i, (label, name) in enumerate(words)]
    kept = {m.name for m in relabel(mentions, gazetteer)}
    assert kept == {"Council of Europe", "European Parliament", "Parlement"}


def test_a_title_is_not_part_of_a_name(pipelines: dict[str, Any]) -> None:
    text = ("Counsel Kouadio Mensah asked the witness a question. Madam Alexis Brandt objected, and "
            "Mr. Kouadio Mensah withdrew it.")
    persons = {m.name for m in extract_mentions(pipelines, [_passage(text, "en")], text=text)
               if m.label is Label.PERSON}
    assert persons and not any(p.split()[0] in {"Counsel", "Madam", "Mr", "Mr."} for p in persons)


def test_a_surname_taken_for_a_body_or_place_is_the_person() -> None:
    """"Rukundo" after "Athanase Rukundo": the only person with that surname in the document."""
    from ingest.entity_labels import complete_person_names

    mentions = [
        Mention(Label.PERSON, "Athanase Rukundo", "Athanase Rukundo", 0, 16, "d:0"),
        Mention(Label.ORG, "Rukundo", "Rukundo", 40, 47, "d:0"),
        Mention(Label.PLACE, "Kigali", "Kigali", 60, 66, "d:0"),
    ]
    out = complete_person_names(mentions)
    assert [(m.label, m.name) for m in out] == [
        (Label.PERSON, "Athanase Rukundo"), (Label.PERSON, "Athanase Rukundo"), (Label.PLACE, "Kigali")
    ]


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("see www.gisti.org/note and http://a.fr, or report.pdf", ["www.gisti.org/note", "http://a.fr,", "report.pdf"]),
        ("Calais Migrant Solidarity said so.", []),
        ("x" * 50_000 + " Calais", []),  # one long token: found at once (the old pattern backtracked for minutes)
    ],
)
def test_link_spans(text: str, links: list[str]) -> None:
    from ingest.names import link_spans

    assert [text[a:b] for a, b in link_spans(text)] == links


@pytest.mark.parametrize(
    ("name", "law"),
    [
        ("Council Regulation", True),
        ("Reception Conditions Directive", True),
        ("Convention on the Rights of the Child", True),
        ("Aliens Act", True),
        ("Loi Toubon", True),
        ("Code de l'entrée et du séjour des étrangers", True),
        ("Faculty of Law", False),  # a body named after a law
        ("Law Society", False),
        ("Act Up", False),
        ("International Law Commission", False),
        ("Council of Europe", False),
        ("Conseil d'État", False),
    ],
)
def test_a_name_built_on_an_instrument_is_a_law(name: str, law: bool) -> None:
    from ingest.names import is_law

    assert is_law(name) is law


def test_laws_codes_and_handles_are_not_bodies(pipelines: dict[str, Any]) -> None:
    text = ("Under the Reception Conditions Directive and Regulation (EC) No 562/2006, the applicant wrote to "
            "the Home Office; the campaign ran under #OpenTheBorder and @CampDesDunes on social media.")
    names = {m.name for m in extract_mentions(pipelines, [_passage(text, "en")], text=text)}
    assert "Home Office" in names
    assert not names & {"Reception Conditions Directive", "EC", "OpenTheBorder", "CampDesDunes"}


def test_a_list_of_countries_is_no_person() -> None:
    from ingest.entity_labels import made_of_places, relabel
    from ingest.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    assert made_of_places("Zambia Zimbabwe", gazetteer)
    assert made_of_places("Bosnia and Herzegovina Serbia", gazetteer)
    assert not made_of_places("Papua New Guinea", gazetteer)  # one place: the gazetteer names it
    assert not made_of_places("Jean Calais", gazetteer)
    mentions = [
        Mention(Label.PERSON, "Zambia Zimbabwe", "Zambia Zimbabwe", 0, 15, "d:0"),
        Mention(Label.PERSON, "HUNGARY", "HUNGARY", 20, 27, "d:0"),
    ]
    assert [(m.label, m.name) for m in relabel(mentions, gazetteer)] == [(Label.PLACE, "Hungary")]


def test_known_names_match_whatever_their_number(pipelines: dict[str, Any]) -> None:
    text = "Un communiqué du Défenseur des droit, puis des Défenseurs des Droits, a critiqué les expulsions."
    mentions = extract_mentions(pipelines, [_passage(text, "fr")], text=text)
    assert [m.name for m in mentions if m.label is Label.ORG] == ["Défenseur des Droits"] * 2


def test_a_country_does_not_cut_a_name(pipelines: dict[str, Any]) -> None:
    text = ("The Netherlands Government and the volunteers of Refugee Rights Europe met Aminata Mali, who "
            "had fled Mali in 2016.")
    found = {(m.label, m.name) for m in extract_mentions(pipelines, [_passage(text, "en")], text=text)}
    assert (Label.ORG, "Netherlands Government") in found
    assert (Label.ORG, "Refugee Rights Europe") in found
    assert (Label.PLACE, "Mali") in found


def test_unknown_bodies_in_a_signatory_list(pipelines: dict[str, Any]) -> None:
    text = (
        "Signataires :\n"
        "Amnesty International France - La Cimade - Collectif Solidarité Dunes (CSD) - Les Amis du Littoral - "
        "Médecins du Monde - Réseau Accueil Côte d'Opale - FIDH\n"
        "Fait à Calais, le 3 mars 2020."
    )
    mentions = extract_mentions(pipelines, [_passage(text, "fr")], text=text)
    orgs = {m.name for m in mentions if m.label is Label.ORG}
    assert {"Les Amis du Littoral", "Collectif Solidarité Dunes", "La Cimade", "FIDH"} <= orgs
    for m in mentions:
        assert text[m.start : m.end] == m.text


def test_a_list_of_unknown_items_adds_nothing(pipelines: dict[str, Any]) -> None:
    text = "Contenu :\nIntroduction - Méthode - Les campements - Les expulsions - Conclusions\n"
    mentions = extract_mentions(pipelines, [_passage(text, "fr")], text=text)
    assert not [m for m in mentions if m.label is Label.ORG]


@pytest.mark.parametrize("name", ["Les Amis du Littoral", "Lafarge", "Theodora Foundation", "Leclerc Group"])
def test_an_article_is_cut_only_as_a_word(name: str) -> None:
    assert trim_mention(name, Label.ORG) == (0, len(name))


def test_whoever_is_addressed_with_a_title_is_a_person() -> None:
    from ingest.entity_labels import relabel, titled_names

    text = "Thank you, Mr. Kalinda. Expert witness Jane Okafor testified. Kalinda asked again about Okafor."
    titled = titled_names(text)
    assert {"kalinda", "jane okafor", "okafor"} <= titled
    mentions = [
        Mention(Label.PLACE, "Kalinda", "Kalinda", 15, 22, "d:0"),
        Mention(Label.ORG, "Jane Okafor", "Jane Okafor", 39, 50, "d:0"),
        Mention(Label.PLACE, "Kalinda", "Kalinda", 62, 69, "d:0"),
    ]
    out = relabel(mentions, {}, titled=titled)
    assert [(m.label, m.name) for m in out] == [
        (Label.PERSON, "Kalinda"), (Label.PERSON, "Jane Okafor"), (Label.PERSON, "Kalinda")
    ]


def test_a_treaty_reference_is_no_body(pipelines: dict[str, Any]) -> None:
    text = ("Under Article 63(1) and (2)(a) EC, Articles EC and EC, and the EC-Switzerland Agreement, the "
            "European Community had no say; in 2015 UNHCR did.")
    found = [(m.label, m.name, m.text) for m in extract_mentions(pipelines, [_passage(text, "en")], text=text)]
    assert [f for f in found if f[2] == "EC"] == []
    assert (Label.ORG, "European Community", "European Community") in found
    assert (Label.ORG, "UNHCR", "UNHCR") in found


def test_bodies_the_text_says_are_bodies(pipelines: dict[str, Any]) -> None:
    from ingest.acronyms import cited_and_named_bodies, named_body_acronyms

    text = (
        "Volunteers of the organisation “Les Mains Tendues” were fined, as the Rural Solidarity Group for "
        "exiles (GASRE) had been in 2017. The GASRE appealed.\n"
        "12 OBSM, Rapport annuel sur les frontières, 3 mai 2019, www.example-observatoire.fr/rapport\n"
        "The decision is an obligation to leave French territory (OQTF) under the Code.\n"
    )
    passages = [_passage(text, "en")]
    mentions = extract_mentions(pipelines, passages, text=text)
    orgs = [m.name for m in mentions if m.label is Label.ORG]
    assert "Les Mains Tendues" in orgs
    assert orgs.count("GASRE") == 2 and "OBSM" in orgs  # a French acronym after an English name
    procedure = "She received an obligation to leave French territory (OQTF) in May."
    assert named_body_acronyms(procedure, [_passage(procedure, "en")], [], {}) == []  # no body before it
    assert cited_and_named_bodies("No link here.\n12 ABC, A title, 2019\n", passages, []) == []
    assert named_body_acronyms("A sentence. (XYZ)", passages, [], {}) == []
    for m in mentions:
        assert text[m.start : m.end] == m.text


def test_a_known_names_words_in_lower_case_are_no_name(pipelines: dict[str, Any]) -> None:
    text = ("A human rights defender was fined in Calais; Human rights defender is what she calls herself. "
            "The Human Rights Defender opened an inquiry, and they work from a home office, not the Home Office.")
    found = [(m.name, m.text) for m in extract_mentions(pipelines, [_passage(text, "en")], text=text)]
    assert ("Défenseur des Droits", "Human Rights Defender") in found
    assert [t for n, t in found if n == "Défenseur des Droits"] == ["Human Rights Defender"]
    assert [t for n, t in found if n == "Home Office"] == ["Home Office"]
    french = "La préfecture du Pas-de-Calais et le Défenseur des droits ont répondu."
    names = {m.name for m in extract_mentions(pipelines, [_passage(french, "fr")], text=french)}
    assert {"Préfecture du Pas-de-Calais", "Défenseur des Droits"} <= names
