"""Testimonies: quotation finding, attribution, place and date, table-driven over sentences we wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest.clean import CleanDocument, OffsetMap, Segment, clean
from ingest.passages import split_passages
from ingest.quotes import extract_quotes
from ingest.records import Footnote, Quote, RawDocument, RawPage
from tests.conftest import SHARED, needs_shared


def quotes_of(text: str, doc_date: str | None = None) -> list[Quote]:
    cleaned = clean(RawDocument(source="t.txt", format="text", pages=(RawPage(None, text),)))
    found = extract_quotes(cleaned, split_passages(cleaned, "t", "en"), "t", doc_date)
    for q in found:
        assert cleaned.text[q.start : q.end] == q.text
    return found


def with_footnote(body: str, marker_after: str, number: int, note: str) -> CleanDocument:
    """A cleaned document with one footnote, its marker standing right after `marker_after` in the body."""
    text = f"{body}\n\n{note}"
    start = len(body) + 2
    return CleanDocument(
        text=text,
        raw=text,
        segments=(Segment("body", 1, 0, len(body)), Segment("footnote", 1, start, len(text))),
        footnotes=(Footnote(number, 1, start, len(text), note),),
        markers=((body.index(marker_after) + len(marker_after), number),),
        offsets=OffsetMap(()),
    )


@pytest.mark.parametrize(
    ("text", "quoted", "speaker", "description", "place", "date", "source"),
    [
        (  # report style: pseudonym, description, date in the sentence
            "In March 2020, “Karwan”, a 19-year-old from Iraq living near the canal in Dunkirk, told us, "
            "“The police took my shoes and my blanket.”",
            "The police took my shoes and my blanket.",
            "Karwan",
            "a 19-year-old from Iraq living near the canal in Dunkirk",
            "Dunkirk",
            "2020-03",
            "sentence",
        ),
        (  # press: attribution after the words, speaker from the sentence before, document date
            "Idris Malik, a volunteer with a food charity in Lille, has come every week since the winter. "
            "“They cut the tents open every morning,” he says.",
            "They cut the tents open every morning",
            "Idris Malik",
            "a volunteer with a food charity in Lille",
            "Lille",
            "2021-05-04",
            "document",
        ),
        (  # French: « », non-breaking spaces inside, inverted pronoun
            "« Leila », une Soudanaise de 30 ans, attend devant la gare. "
            "«\u00a0On dort dehors depuis trois semaines\u00a0», raconte-t-elle.",
            "On dort dehors depuis trois semaines",
            "Leila",
            "une Soudanaise de 30 ans",
            None,
            "2021-05-04",
            "document",
        ),
        (  # French: name and role after the verb
            "« On distribue des couvertures chaque soir », explique Marc Durand, bénévole au Secours "
            "populaire.",
            "On distribue des couvertures chaque soir",
            "Marc Durand",
            "bénévole au Secours populaire",
            None,
            "2021-05-04",
            "document",
        ),
        (  # a colon, then a paragraph of quoted words
            "Nour, a mother of two, described the night of the eviction:\n\n"
            "“They came at five. We had no time to take the milk for the baby.”",
            "They came at five. We had no time to take the milk for the baby.",
            "Nour",
            "a mother of two",
            None,
            "2021-05-04",
            "document",
        ),
        (  # someone described but not named
            "A nurse working with a mobile clinic told us: “We see the same injuries every week.”",
            "We see the same injuries every week.",
            None,
            "A nurse working with a mobile clinic",
            None,
            "2021-05-04",
            "document",
        ),
        (  # a testimony collection: heading, interview note, then the words
            "2. “Kawa”, 22, from Iran\n\nInterviewed in Dunkirk, 3 May 2021\n\n"
            "“Kawa” sleeps by the canal.\n\n"
            "“Every night we try. Every morning the police are waiting for us.”",
            "Every night we try. Every morning the police are waiting for us.",
            "Kawa",
            None,
            "Dunkirk",
            "2021-05-03",
            "sentence",
        ),
        (  # press: a role, then the name; the name speaks, the role describes
            "L’historienne Claire Vasseur, qui enseigne à Lille, explique qu’à Calais, « on a fait de la misère "
            "un spectacle », selon ses mots.",
            "on a fait de la misère un spectacle",
            "Claire Vasseur",
            "L’historienne, qui enseigne à Lille",
            "Lille",
            "2021-05-04",
            "document",
        ),
    ],
)
def test_attribution(
    text: str,
    quoted: str,
    speaker: str | None,
    description: str | None,
    place: str | None,
    date: str,
    source: str,
) -> None:
    found = quotes_of(text, "2021-05-04")
    assert [q.text for q in found] == [quoted]
    q = found[0]
    assert (q.speaker, q.speaker_description, q.place, q.date, q.date_source) == (
        speaker,
        description,
        place,
        date,
        source,
    )


@pytest.mark.parametrize(
    "text",
    [
        "The authorities call these camps “fixation points” and remove them every day.",
        "See the report “Lives on Hold at the Border” published last year.",
        "Article 3 provides that “no one shall be subjected to torture or to degrading treatment”.",
        "The prefect said: “All the operations are conducted in accordance with the law and with respect.”",
        "An officer told him: “Go back to your country, there is nothing for you here.”",
        "Les associations dénoncent une « stratégie d’épuisement » depuis des mois.",
        "La préfecture indique que les tentes sont « conservées et restituées à la demande des personnes ».",
        "The so-called “Jungle” was demolished in 2016.",
        "“No borders, no nations, stop deportations” - Banner photographed in Calais © Someone",
    ],
)
def test_not_testimony(text: str) -> None:
    assert quotes_of(text) == []


def test_speaker_carried_to_the_next_sentence() -> None:
    found = quotes_of(
        "“Sara”, a nurse from Syria, told us, “We have no medicine here.” "
        "She added, “The children are sick every week.”"
    )
    assert [(q.text, q.speaker) for q in found] == [
        ("We have no medicine here.", "Sara"),
        ("The children are sick every week.", "Sara"),
    ]


def test_french_quotation_interrupted_by_its_attribution_gives_its_two_halves() -> None:
    found = quotes_of(
        "« Ils reviennent chaque matin, explique Marc Durand, bénévole. On ne peut rien faire. »"
    )
    assert [(q.id, q.text, q.speaker) for q in found] == [
        ("t:q0000", "Ils reviennent chaque matin", "Marc Durand"),
        ("t:q0000-2", "On ne peut rien faire.", "Marc Durand"),
    ]


def test_footnote_gives_place_and_date() -> None:
    body = "Amir, a 24-year-old Eritrean, told us: “I sleep under the bridge with my brother.”"
    cleaned = with_footnote(body, "brother.”", 7, "Interviewed in Calais, July 2018.")
    [q] = extract_quotes(cleaned, [], "d", "2019-06")
    assert (q.text, q.speaker, q.place, q.date, q.date_source, q.footnote) == (
        "I sleep under the bridge with my brother.",
        "Amir",
        "Calais",
        "2018-07",
        "footnote",
        7,
    )


def test_quotation_across_a_page_break_is_one_span_per_page() -> None:
    first = "Omar told us: “We walked for two days and"
    note = "Interviewed in Lille, May 2019."
    second = "then the police sent us back.”"
    text = f"{first}\n\n{note}\n\n{second}"
    a, b = len(first) + 2, len(first) + 2 + len(note)
    cleaned = CleanDocument(
        text=text,
        raw=text,
        segments=(
            Segment("body", 1, 0, len(first)),
            Segment("footnote", 1, a, b),
            Segment("body", 2, b + 2, len(text)),
        ),
        footnotes=(Footnote(3, 1, a, b, note),),
        markers=(),
        offsets=OffsetMap(()),
    )
    found = extract_quotes(cleaned, [], "d", None)
    assert [(q.id, q.text, q.page, q.speaker) for q in found] == [
        ("d:q0000", "We walked for two days and", 1, "Omar"),
        ("d:q0000-2", "then the police sent us back.", 2, "Omar"),
    ]


def test_hearing_answers_are_the_witness_s_testimony() -> None:
    transcript = "\n".join(
        [
            "Monday, 3 March 2003",
            "JUDGE SMITH:  Good morning.  Please bring in the witness.",
            "THE REGISTRAR:  Case number IT-00-01-T.",
            "WITNESS:  JOHN DOE",
            "JUDGE SMITH:  Please be seated.",
            "MR. BROWN:  Thank you, Your Honour.",
            "Q.   Where were you on the night of the 5th of May?",
            "A.   I was at home with my wife and my two sons.",
            "Q.   What did you see from the window?",
            "A.   I saw soldiers walking towards the church.",
            "JUDGE SMITH:  Thank you.  Any questions?",
            "MS. GREEN:  None, Your Honour.",
            "THE WITNESS:  May I say one more thing to the Chamber?",
        ]
    )
    found = quotes_of(transcript)
    assert [(q.text, q.speaker, q.date) for q in found] == [
        ("I was at home with my wife and my two sons.", "John Doe", "2003-03-03"),
        ("I saw soldiers walking towards the church.", "John Doe", "2003-03-03"),
        ("May I say one more thing to the Chamber?", "John Doe", "2003-03-03"),
    ]


_FRAGMENTS = st.sampled_from(
    [
        "“",
        "”",
        "«\u00a0",
        "\u00a0»",
        '"',
        "‘",
        "’",
        ": ",
        ", ",
        ". ",
        "\n\n",
        "\n",
        "\f",
        "Q.   ",
        "A.   ",
        "THE WITNESS: ",
        "WITNESS: JANE ROE ",
        "told us",
        "raconte-t-il",
        "he said",
        "Amina",
        "« Samir »",
        "Interviewed in Calais, July 2018",
        "a volunteer with a charity",
        "In March 2020",
        "12",
        "le juge",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=12)), max_size=40).map("".join))
@example('Aa"told us“0:0:0\x1f"')  # found by a run: a control character str.strip() takes as a space
def test_never_raises_and_spans_round_trip(text: str) -> None:
    cleaned = clean(RawDocument(source="t.txt", format="text", pages=(RawPage(None, text),)))
    for q in extract_quotes(cleaned, split_passages(cleaned, "t", "en"), "t", None):
        assert cleaned.text[q.start : q.end] == q.text
        assert q.text and q.text == q.text.strip()
        assert q.date is None or len(q.date) in (4, 7, 10)


@needs_shared
def test_labelled_set_precision_recall_and_attribution() -> None:
    """The hand-labelled testimonies in tests/golden/quotes (see bench/quotes_eval.py), including documents
    held out while the rules were written."""
    from bench.quotes_eval import GOLDEN, evaluate

    result = evaluate(GOLDEN, SHARED)
    total = result["total"]
    assert total["labelled"] >= 100
    assert total["precision"] >= 0.95
    assert total["recall"] >= 0.95
    assert total["recall_right_speaker"] >= 0.9
    assert total["place_month"] >= 0.9
    for name, figures in result["documents"].items():
        if figures.get("labelled", 0) < 5:
            # one testimony decides a tiny document's figure: these count in the pooled figures above.
            # Known miss (Le Point, held out): "selon elle, l'Union européenne … : « La Commission sait … »"
            # takes the sentence's subject for the speaker and is dropped as an institution's words.
            continue
        assert figures["precision"] >= 0.9, name
        assert figures["recall"] >= 0.9, name


INTERVIEW_EXCERPT = """Interviewed in Calais, 3 March 2021. The exchange below has been shortened.

{q} Where do you sleep now?
{blank}
{a} Under the bridge near the canal, with four other men. The police took our tents last week.
{blank}
{q} Did anyone offer you a place?
{blank}
{a} Nobody. They only tell us to go away from here.

Our volunteers referred him to a lawyer the same day. We do not know what happened to him after that.

5. Samir, 19, from Sudan

Samir said he had slept outside for a month before the evictions began.
"""
EXCERPT_ANSWERS = [
    "Under the bridge near the canal, with four other men. The police took our tents last week.",
    "Nobody. They only tell us to go away from here.",
]


def test_an_interview_excerpts_last_answer_ends_with_its_paragraph() -> None:
    """It ran on through the report's next paragraphs and headings, to the end of the text."""
    answers = [found.text for found in quotes_of(INTERVIEW_EXCERPT.format(q="Q:", a="A:", blank=""))]
    assert answers == EXCERPT_ANSWERS


def test_an_interview_excerpt_in_a_markdown_blockquote_ends_with_it(tmp_path: Path) -> None:
    """As the demo corpus writes its exchanges: "> Q: …", an empty ">" line, "> A: …"."""
    from ingest.readers import read

    text = "# Testimonies\n\n" + INTERVIEW_EXCERPT.format(q="> Q:", a="> A:", blank=">")
    source = tmp_path / "testimonies.md"
    source.write_text(text, encoding="utf-8")
    (raw,) = read(source)
    cleaned = clean(raw)
    found = extract_quotes(cleaned, split_passages(cleaned, "t", "en"), "t", None)
    assert [q.text for q in found] == EXCERPT_ANSWERS


LONG_ANSWER = """Interviewed in Dunkirk, 9 May 2022.

{q} What happened on the night of the eviction?
{blank}
{a} They came at five in the morning, many vans. They cut the tents with knives and threw our bags in a truck.
{blank}
{cont}
{blank}
{q} Did you get anything back?
{blank}
{a} Nothing. I went to the depot twice and they sent me away.

{after}
"""
FIRST = "They came at five in the morning, many vans. They cut the tents with knives and threw our bags in a truck."
SECOND = "I lost my phone and my papers. My brother’s medicine was in my bag, and I could not find it again."


@pytest.mark.parametrize("form", ["plain", "markdown"])
def test_an_answer_told_in_two_paragraphs_is_one_testimony(form: str, tmp_path: Path) -> None:
    """An answer that goes on in a second paragraph before the next question was cut after the first: the
    advocate citing it lost half the witness's words."""
    after = "We do not know what happened to him after that."
    if form == "plain":
        found = quotes_of(LONG_ANSWER.format(q="Q:", a="A:", blank="", cont=SECOND, after=after))
    else:
        from ingest.readers import read

        source = tmp_path / "interviews.md"
        source.write_text("# Interviews\n\n" + LONG_ANSWER.format(
            q="> Q:", a="> A:", blank=">", cont="> " + SECOND, after=after), encoding="utf-8")
        (raw,) = read(source)
        cleaned = clean(raw)
        found = extract_quotes(cleaned, split_passages(cleaned, "t", "en"), "t", None)
    texts = [" ".join(q.text.split()) for q in found]
    assert texts == [f"{FIRST} {SECOND}", "Nothing. I went to the depot twice and they sent me away."]


@pytest.mark.parametrize("between", [
    "Our volunteers met him again the next day; I was with them.",  # the report's authors
    "He told us later that my colleague had seen the same vans.",  # reported speech
    "The eviction of the camp",  # a heading
    "The prefecture did not answer our letter about the eviction.",  # not the witness's voice
])
def test_the_reports_own_paragraph_before_the_next_question_is_not_the_answer(between: str) -> None:
    found = quotes_of(LONG_ANSWER.format(q="Q:", a="A:", blank="", cont=between, after=""))
    assert [" ".join(q.text.split()) for q in found][0] == FIRST
