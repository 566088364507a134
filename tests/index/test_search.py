"""Index and search on realistic documents: languages, accents, phrases, filters, facets, re-ingest, fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from index.search import Filters, QueryError, Searcher
from index.writer import IndexWriter
from ingest.pipeline import ingest_paths
from tests.conftest import build_index

EN_REPORT = """# Shelter under pressure

On 3 February 2021, police officers evicted forty people from a camp near the canal in Calais. Volunteers
of Utopia 56 said the tents and sleeping bags were taken away without notice. “They took everything,
even my shoes,” said a young man from Sudan. The Défenseur des Droits had warned in 2018 that such
operations breach the right to dignity. Human Rights Watch documented similar practices in Grande-Synthe.

The eviction was the third in a week. Families with children were among those who lost their shelter,
and no accommodation was offered to them that night.
"""

FR_RULING = """TRIBUNAL ADMINISTRATIF DE LILLE

N° 2101234

Ordonnance du 12 avril 2021

Vu la procédure suivante : l'association requérante demande au juge des référés d'enjoindre au préfet du
Pas-de-Calais de mettre en place des points d'eau et des douches pour les personnes exilées à Calais.
Le Conseil d’État, par une décision du 31 juillet 2017, a jugé que de telles carences exposent les
personnes à des traitements inhumains ou dégradants. Les expulsions répétées des campements aggravent
la situation. Il y a lieu d'enjoindre au préfet de créer des points d'eau dans un délai de huit jours.

Fait à Lille, le 12 avril 2021.
"""

OLD_STATEMENT = """Police harassment noted by the Human Rights Defender

The Human Rights Defender found repeated identity checks of migrants in Calais and the destruction of
their belongings. The organisations call on the Minister to end this harassment.

Paris, April 12 2013
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    (folder / "report.md").write_text(EN_REPORT, encoding="utf-8")
    (folder / "ordonnance.txt").write_text(FR_RULING, encoding="utf-8")
    (folder / "statement.txt").write_text(OLD_STATEMENT, encoding="cp1252")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n%garbage")
    return folder


@pytest.fixture(scope="module")
def index_dir(corpus: Path, tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    index_dir = tmp_path_factory.mktemp("ix") / "index"
    summary = build_index([corpus], index_dir, pipelines)
    assert summary.count("added") == 3 and summary.count("failed") == 1
    return index_dir


@pytest.fixture()
def searcher(index_dir: Path) -> Searcher:
    s = Searcher(index_dir)
    yield s
    s.close()


def test_documents_have_inferred_metadata(searcher: Searcher) -> None:
    docs = {Path(d["source"]).name: d for d in searcher.documents()}
    assert docs["ordonnance.txt"]["kind"] == "ruling"
    assert docs["ordonnance.txt"]["language"] == "fr"
    assert docs["ordonnance.txt"]["date"] == "2021-04-12"
    assert docs["statement.txt"]["date"] == "2013-04-12"
    assert docs["report.md"]["title"] == "Shelter under pressure"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Conseil d'Etat", "ordonnance.txt"),  # accents and apostrophes do not matter
        ("conseil d’état", "ordonnance.txt"),
        ('"points d eau"', "ordonnance.txt"),
        ("expulsion", "ordonnance.txt"),  # French stemming: expulsions
        ("evictions", "report.md"),  # English stemming: eviction
        ('"took everything, even my shoes"', "report.md"),
        ("harassment AND Calais", "statement.txt"),
        ("title:shelter", "report.md"),
    ],
)
def test_queries_find_the_right_document(searcher: Searcher, query: str, expected: str) -> None:
    result = searcher.search(query)
    assert result.hits, f"no hit for {query!r}"
    assert Path(result.hits[0].source).name == expected
    assert "<mark>" in result.hits[0].snippet or query.startswith("title:")


def test_not_operator(searcher: Searcher) -> None:
    names = {Path(h.source).name for h in searcher.search("Calais NOT harassment", limit=20).hits}
    assert "statement.txt" not in names and names


def test_dates_filter_on_document_date(searcher: Searcher) -> None:
    assert {Path(h.source).name for h in searcher.search("Calais", Filters(until="2015")).hits} == {"statement.txt"}
    since = {Path(h.source).name for h in searcher.search("Calais", Filters(since="2021-04")).hits}
    assert since == {"report.md", "ordonnance.txt"} or since == {"ordonnance.txt"} or "statement.txt" not in since
    with pytest.raises(QueryError):
        searcher.search("Calais", Filters(since="April 2021"))


def test_entity_filters_and_facets(searcher: Searcher) -> None:
    result = searcher.search("")
    orgs = {f.value for f in result.facets["org"]}
    assert {"Utopia 56", "Human Rights Watch"} <= orgs
    assert {f.value for f in result.facets["kind"]} >= {"ruling"}
    assert [f.value for f in result.facets["year"]] == sorted(f.value for f in result.facets["year"])
    narrowed = searcher.search("", Filters(orgs=("utopia 56",)))  # case-insensitive value
    assert narrowed.total >= 1 and all("Utopia 56" in h.orgs for h in narrowed.hits)
    excluded = searcher.search("", Filters(exclude_kinds=("ruling",)))
    assert excluded.total and all(h.kind != "ruling" for h in excluded.hits)


def test_unreadable_query_falls_back_to_words(searcher: Searcher) -> None:
    result = searcher.search('"Calais AND (( title:')
    assert result.hits  # never a traceback; words were searched
    assert searcher.search("AND OR NOT").total >= 0


def test_hits_carry_escaped_snippets(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "hostile.html").write_text(
        "<html><body><p>Testimony &lt;script&gt;alert(1)&lt;/script&gt; about the eviction in Calais.</p></body></html>"
    )
    build_index([folder], tmp_path / "ix", pipelines)
    with_script = Searcher(tmp_path / "ix").search("eviction")
    assert "<script>" in with_script.hits[0].text
    assert "<script>" not in with_script.hits[0].snippet and "&lt;script&gt;" in with_script.hits[0].snippet


@pytest.mark.parametrize(
    "query,marked,unmarked",
    [
        ("expulsions des campements", {"expulsions", "campements"}, {"des"}),
        ("the tents of the camp", {"tents", "camp"}, {"the", "of"}),
    ],
)
def test_snippets_mark_the_words_not_the_function_words(
    searcher: Searcher, query: str, marked: set[str], unmarked: set[str]
) -> None:
    import re

    hits = searcher.search(query).hits
    assert hits
    marks = {m.lower() for h in hits for m in re.findall(r"<mark>(.*?)</mark>", h.snippet)}
    assert marked <= marks and not marks & unmarked, marks


def test_reingest_unchanged_changed_and_failed(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    doc = folder / "note.txt"
    doc.write_text("The first version speaks of tents seized in Calais by the police.\n", encoding="utf-8")
    (folder / "bad.pdf").write_bytes(b"%PDF-1.7 truncated")
    index_dir = tmp_path / "ix"
    first = build_index([folder], index_dir, pipelines)
    assert (first.count("added"), first.count("failed")) == (1, 1)
    again = build_index([folder], index_dir, pipelines)
    assert again.count("unchanged") == 2  # the failed file is remembered until its bytes change
    doc.write_text("The second version speaks of blankets seized in Grande-Synthe.\n", encoding="utf-8")
    third = build_index([folder], index_dir, pipelines)
    assert third.count("updated") == 1
    s = Searcher(index_dir)
    assert s.search("tents").total == 0
    assert s.search("blankets").total == 1
    assert s.stats()["documents"] == 1
    assert [Path(f["path"]).name for f in s.failures()] == ["bad.pdf"]


def test_crash_before_commit_keeps_last_committed_index(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Committed testimony about the canal camp.\n")
    build_index([folder], tmp_path / "ix", pipelines)
    (folder / "b.txt").write_text("Uncommitted testimony about the dunes.\n")


    class PowerCut(IndexWriter):
        def commit(self) -> None:
            raise SystemExit("power cut before the commit")

    writer = PowerCut(tmp_path / "ix")
    with pytest.raises(SystemExit):
        ingest_paths([folder], writer, pipelines, progress=False)
    s = Searcher(tmp_path / "ix")
    assert s.search("canal").total == 1 and s.search("dunes").total == 0


def test_one_name_across_documents_with_its_aliases(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("The Collectif des Dunes Solidaires distributed blankets near the canal in Calais.\n")
    (folder / "b.txt").write_text("Volunteers of the collectif des dunes solidaires were fined by the police in Calais.\n")
    (folder / "c.txt").write_text("The Human Rights Defender examined the complaint of the migrants in Calais.\n")
    build_index([folder], tmp_path / "ix", pipelines)
    s = Searcher(tmp_path / "ix")
    defender = [e for e in s.entities("ORG", limit=100) if e["name"] == "Défenseur des Droits"]
    assert defender and "Human Rights Defender" in defender[0]["aliases"]
    assert s.search("", Filters(orgs=("Défenseur des Droits",))).total == 1
    assert s.search("", Filters(orgs=("defenseur des droits",))).total == 1


def test_mentioned_dates_are_apart_from_the_document_date(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "r.txt").write_text("Annual review\n\nIn March 2017 the camp was evicted. The court ruled on 31 July 2017.\n")
    (folder / "r.meta.json").write_text('{"date": "2021-05-12"}')
    build_index([folder], tmp_path / "ix", pipelines)
    s = Searcher(tmp_path / "ix")
    assert s.search("camp", Filters(mentioned_since="2017-07", mentioned_until="2017-07")).total == 1
    assert s.search("camp", Filters(mentioned_since="2019")).total == 0
    assert s.search("camp", Filters(since="2021")).total == 1
    result = s.search("camp")
    assert [f.value for f in result.facets["year"]] == ["2021"]
    assert [f.value for f in result.facets["mentioned_year"]] == ["2017"]


def test_outdated_index_is_rebuilt_by_a_writer_and_refused_by_a_reader(tmp_path: Path) -> None:
    from index.schema import IndexError_, open_index

    open_index(tmp_path / "ix", create=True).close()
    (tmp_path / "ix" / "TEMOIN_SCHEMA").write_text("0\n")
    with pytest.raises(IndexError_, match="schema 0"):
        Searcher(tmp_path / "ix")
    IndexWriter(tmp_path / "ix").close()
    assert Searcher(tmp_path / "ix").stats()["documents"] == 0


BILINGUAL = """Joint statement on the evictions at the canal

The undersigned associations saw the police take the tents and blankets of forty people at dawn, in the
cold, without any offer of shelter. Among them were three families with young children and two men who had
been discharged from hospital the week before. Volunteers who arrived an hour later found only torn plastic
sheets and a few bags left in the mud. Nobody was told where they could sleep that night, and the nearest
day centre was already full. We ask the prefect to stop these operations during the winter, to open a warm
place where people can rest and keep their belongings, and to let the associations bring water and food to
the camp without being stopped and searched at every visit.

Les associations signataires ont vu la police emporter les tentes et les couvertures de quarante personnes
à l'aube, dans le froid, sans aucune proposition d'hébergement. Parmi elles se trouvaient trois familles
avec de jeunes enfants et deux hommes sortis de l'hôpital la semaine précédente. Les bénévoles arrivés une
heure plus tard n'ont trouvé que des bâches déchirées et quelques sacs abandonnés dans la boue. Personne
n'a su où dormir ce soir-là, et l'accueil de jour le plus proche était déjà complet. Nous demandons au
préfet de cesser ces opérations pendant l'hiver, d'ouvrir un lieu chauffé où les personnes peuvent se
reposer et garder leurs affaires, et de laisser les associations apporter de l'eau et des repas sans être
contrôlées à chaque passage.
"""


def test_each_passage_keeps_its_own_language(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    """A file in both languages: the language filter, the facet and the stemmed field follow each passage's
    language, not the document's majority."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "joint.txt").write_text(BILINGUAL, encoding="utf-8")
    build_index([tmp_path / "docs"], tmp_path / "index", pipelines)
    s = Searcher(tmp_path / "index")
    try:
        english = s.search("tents", Filters(langs=("en",))).hits
        french = s.search("tentes", Filters(langs=("fr",))).hits
        assert english and all("tents and blankets" in h.text and h.lang == "en" for h in english)
        assert french and all("tentes et les couvertures" in h.text and h.lang == "fr" for h in french)
        both = s.search("couvertures OR blankets")
        assert {f.value: f.count for f in both.facets["lang"]} == {"en": 1, "fr": 1}
        assert s.search("emporter", Filters(langs=("fr",))).hits  # French stemming: "emportent" -> "emport"
    finally:
        s.close()


def test_term_docnums_gives_each_terms_live_documents_across_segments_and_deletions(
    tmp_path: Path, pipelines: dict[str, Any]
) -> None:
    """`term_docnums` reads a one-document term from its term info instead of its postings (facet lists and
    the vector rows' document numbers walk every term of a field): it must give what the postings give,
    with replaced passages (deleted documents) and more than one segment."""
    from whoosh import index as whoosh_index

    from index.postings import term_docnums
    from index.schema import FACET_FIELDS

    report, ruling = tmp_path / "report.md", tmp_path / "ruling.txt"
    report.write_text(EN_REPORT, encoding="utf-8")
    ruling.write_text(FR_RULING, encoding="utf-8")
    build_index([report], tmp_path / "ix", pipelines)
    report.write_text(EN_REPORT.replace("forty people", "sixty people from Eritrea"), encoding="utf-8")
    build_index([report, ruling], tmp_path / "ix", pipelines)  # replaces the report's passages, adds a segment
    reader = whoosh_index.open_dir(str(tmp_path / "ix")).reader()
    assert reader.doc_count_all() > reader.doc_count()  # deleted documents are there to be left out
    for fieldname in ("id", *FACET_FIELDS):
        by_postings: dict[str, set[int]] = {}
        for term in reader.lexicon(fieldname):
            value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            live = set(reader.postings(fieldname, term).all_ids())
            if live:
                by_postings[value] = live
        by_info: dict[str, set[int]] = {}
        for value, docnums in term_docnums(reader, fieldname):
            by_info.setdefault(value, set()).update(docnums)
        assert by_info == by_postings, fieldname
        if fieldname == "id":
            assert len(by_info) == reader.doc_count()


def test_a_large_index_is_read_through_the_os_cache_with_the_same_results(
    demo_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whoosh copies a compound segment's files into memory when it maps them (index/schema.py IN_MEMORY_MB):
    # past the threshold the index is opened without mmap, and every search answers as before.
    import index.schema

    queries = ["police", '"tear gas"', "tribunal administratif", "expulsion Calais", "Article 3"]

    def answers() -> tuple[bool, list[Any]]:
        s = Searcher(demo_index)
        try:
            found = [(r.total, [(h.passage_id, h.snippet) for h in r.hits], r.facets)
                     for r in (s.search(q, mode="keyword") for q in queries)]
            return s.ix.storage.supports_mmap, found
        finally:
            s.close()

    mapped, small = answers()
    monkeypatch.setattr(index.schema, "IN_MEMORY_MB", 0)
    unmapped, large = answers()
    assert (mapped, unmapped) == (True, False)
    assert large == small and any(total for total, _, _ in small)


def test_a_sentence_no_passage_holds_whole_is_answered_as_whoosh_would(
    tmp_path: Path, pipelines: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query of many words first looks for a passage holding them all from its rarest word up
    (index/postings.py `cannot_match`), and skips Whoosh's search when there is none. It must only ever say so
    when Whoosh finds nothing either: with replaced passages (deleted documents) in an older segment, filters,
    a hyphenated word (a phrase, left out of the check), and words of the old text only."""
    import random
    import re

    from index import postings

    report, ruling = tmp_path / "report.md", tmp_path / "ruling.txt"
    report.write_text(EN_REPORT, encoding="utf-8")
    ruling.write_text(FR_RULING, encoding="utf-8")
    build_index([report, ruling], tmp_path / "ix", pipelines)
    report.write_text(EN_REPORT.replace("forty people", "sixty people from Eritrea"), encoding="utf-8")
    build_index([report], tmp_path / "ix", pipelines)  # the old passages are deleted documents now
    searcher = Searcher(tmp_path / "ix")
    raw = searcher.raw()
    assert raw.reader().doc_count_all() > raw.reader().doc_count()

    def whole(text: str, filters: Filters) -> tuple[Any, ...]:
        result = searcher.search(text, filters, limit=20, mode="keyword")
        return result.total, [(h.passage_id, h.score, h.snippet) for h in result.hits]

    def checked(text: str) -> bool:
        return postings.cannot_match(searcher.raw().reader(), searcher.parse(text)[0], None)

    held = "police officers evicted sixty people from a camp near the canal"
    assert not checked(held) and whole(held, Filters())[0] == 1
    assert checked("police officers evicted forty people from a camp")  # the old text's words: deleted
    assert checked("police officers evicted sixty people from a camp near the river")
    assert not checked("préfet points d'eau douches Calais")  # one passage holds them all
    assert checked("préfet points d'eau douches Marseille")  # "d'eau" is a phrase: the other words suffice

    words = sorted({w for text in (EN_REPORT, FR_RULING) for w in re.findall(r"[^\W\d_]{3,}", text)})
    rng = random.Random(7)
    sentences = [" ".join(rng.sample(words, rng.randint(4, 7))) for _ in range(60)]
    sentences += [" ".join(rng.sample(re.findall(r"[^\W\d_]+", text), 5))  # words one passage may hold
                  for text in (EN_REPORT, FR_RULING) for _ in range(20)]
    sentences += ["Families with children lost their shelter",
                  "des points d'eau et des douches pour les exilés"]
    kinds = [Filters(), Filters(langs=("fr",)), Filters(places=("Calais",))]
    answers = {(s, i): whole(s, f) for s in sentences for i, f in enumerate(kinds)}
    assert any(total for total, _ in answers.values()) and any(checked(s) for s in sentences)
    monkeypatch.setattr(postings, "CONJUNCTION_CHECK_FROM", 10**9)  # Whoosh alone
    searcher.close()
    searcher = Searcher(tmp_path / "ix")
    assert {(s, i): whole(s, f) for s in sentences for i, f in enumerate(kinds)} == answers
    searcher.close()
