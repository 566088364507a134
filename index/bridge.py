"""A query's terms carried into the other language, through Temoin's bilingual terms of the field.

The sentence encoder carries meaning across languages one way better than the other: English queries find
their French passage, French queries over English legal text often do not (README, "Semantic search"). The
terms of this field have fixed translations ("demandeur d'asile" / "asylum seeker", "présomption réfragable" /
"rebuttable presumption", "garde à vue" / "police custody"), which a translation model would not be needed for.
`data/bridge_en_fr.tsv` lists them, written by us; `Bridge.carry` finds them in a query through each
language's stemmer (so "demandeurs d'asile" and "asylum seekers" match), decides which language the query is
in, and gives the other language's terms. Hybrid search ranks the passages of the other language that hold
them (any of them, the more the better: BM25 over an OR of phrases) as a third ranking in the fusion
(index/hybrid.py, `BRIDGE_WEIGHT`); keyword search is untouched, so exact terms still mean exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.query import And, Or, Phrase, Query, Term

from index.hybrid import has_digit
from ingest.language import LANGS, detect_language, other_language

DATA = Path(__file__).resolve().parent / "data" / "bridge_en_fr.tsv"
COMMON_SHARE = 0.05  # a notion in more of the target language's records is checked, not searched (`split`)
TOLD_QUERIES = 64  # queries whose language a bridge keeps (`source_language`)
SPLIT_FROM = 5000  # records of the target language from which common notions are split off
_CAPITALISED = re.compile(r"\b(?:[A-ZÀ-Ý][\w’'-]*\w|\w*\d[\w/.-]*)", re.U)  # names and identifiers


@dataclass(frozen=True, slots=True)
class Entry:
    """One notion, its ways of being said in each language."""

    en: tuple[str, ...]
    fr: tuple[str, ...]

    def side(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" else self.fr


@dataclass(frozen=True, slots=True)
class Notion:
    """One thing the query names, in the target language: its alternatives as the target's stemmed field
    indexes them, and the share of the query's content words it stands for."""

    alternatives: tuple[tuple[str, ...], ...]
    share: float


@dataclass(frozen=True, slots=True)
class Carried:
    """What a query says, in the other language: `source` is the query's language, `notions` the notions of
    the bridge it names and the words a language does not change (names of places and bodies, identifiers)
    outside them, each with the share of the query's content words it covers."""

    source: str
    target: str
    notions: tuple[Notion, ...]

    def coverage(self, terms: set[str]) -> float:
        """The share of the query's content words a passage holding the stemmed `terms` answers in translation."""
        return sum(n.share for n in self.notions if any(set(alt) <= terms for alt in n.alternatives))


def read_entries(path: Path = DATA) -> list[Entry]:
    """The entries of a bridge file: `english alternatives<TAB>french alternatives`, alternatives separated by
    " | "; `#` lines are comments. A malformed line raises ValueError naming the file and the line."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError(f"{path}:{number}: expected 'english<TAB>french', got {line!r}")
        en, fr = (tuple(a.strip() for a in p.split("|") if a.strip()) for p in parts)
        if not en or not fr:
            raise ValueError(f"{path}:{number}: a side has no term: {line!r}")
        out.append(Entry(en, fr))
    return out


class Bridge:
    """The bridge entries, analysed with an index schema's stemmed fields (`content_en`, `content_fr`)."""

    def __init__(self, schema: Any, entries: list[Entry] | None = None) -> None:
        self.schema = schema
        self._stop: dict[str, frozenset[str]] = {}
        # the last queries' languages: a hybrid search asks for its query's three times (the terms carried,
        # the words of its own language, the other language's places), and langdetect takes ~1.5 ms a time
        self._told: dict[str, Any] = {}
        self.entries = read_entries() if entries is None else entries
        # lang -> per entry, its alternatives in lang as lang's stemmed field indexes them
        self._forms: dict[str, list[tuple[tuple[str, ...], ...]]] = {
            lang: [tuple(dict.fromkeys(t for a in e.side(lang) if (t := self.tokens(lang, a)))) for e in self.entries]
            for lang in LANGS
        }
        # lang -> per entry, the other language's alternatives as lang's stemmer reads them (words both share)
        self._shared: dict[str, list[frozenset[tuple[str, ...]]]] = {
            lang: [frozenset(self.tokens(lang, a) for a in e.side(other_language(lang))) for e in self.entries]
            for lang in LANGS
        }
        # lang -> first token -> [(tokens, entry index)], longest first, for greedy longest matching
        self._starts: dict[str, dict[str, list[tuple[tuple[str, ...], int]]]] = {lang: {} for lang in LANGS}
        for lang in LANGS:
            for i, forms in enumerate(self._forms[lang]):
                for tokens in forms:
                    self._starts[lang].setdefault(tokens[0], []).append((tokens, i))
        for starts in self._starts.values():
            for candidates in starts.values():
                candidates.sort(key=lambda c: -len(c[0]))

    def tokens(self, lang: str, text: str) -> tuple[str, ...]:
        """`text` as the stemmed field of `lang` indexes it."""
        return tuple(self.schema[f"content_{lang}"].process_text(text.replace("’", "'"), mode="query"))

    def matches(self, tokens: tuple[str, ...], lang: str) -> list[tuple[int, int, int]]:
        """The entries a query's `tokens` (stemmed in `lang`) name, as (first token, end token, entry index):
        longest first, no overlap, in the order of the text."""
        found = []
        i = 0
        while i < len(tokens):
            for candidate, entry in self._starts[lang].get(tokens[i], ()):
                if tokens[i : i + len(candidate)] == candidate:
                    found.append((i, i + len(candidate), entry))
                    i += len(candidate)
                    break
            else:
                i += 1
        return found

    def source_language(
        self, text: str
    ) -> tuple[str | None, dict[str, tuple[str, ...]], dict[str, list[tuple[int, int, int]]]]:
        """The query's language ("en", "fr" or None when it cannot be told), its tokens in each language and
        its matches there. Terms only one language has decide (a word both share, "torture", "tunnel",
        "destruction", tells nothing); when both sides have some, or none, langdetect does."""
        told = self._told.get(text)
        if told is None:
            if len(self._told) >= TOLD_QUERIES:
                self._told.pop(next(iter(self._told)))
            told = self._told[text] = self._source_language(text)
        return told

    def _source_language(
        self, text: str
    ) -> tuple[str | None, dict[str, tuple[str, ...]], dict[str, list[tuple[int, int, int]]]]:
        tokens = {lang: self.tokens(lang, text) for lang in LANGS}
        found = {lang: self.matches(tokens[lang], lang) for lang in LANGS}
        cover = {
            lang: sum(
                end - start for start, end, e in found[lang] if tokens[lang][start:end] not in self._shared[lang][e]
            )
            for lang in LANGS
        }
        if cover["en"] and not cover["fr"]:
            return "en", tokens, found
        if cover["fr"] and not cover["en"]:
            return "fr", tokens, found
        detected = detect_language(text, default="")
        if detected in LANGS:
            return detected, tokens, found
        if cover["en"] != cover["fr"]:
            return ("en" if cover["en"] > cover["fr"] else "fr"), tokens, found
        return None, tokens, found

    def carry(self, text: str) -> Carried | None:
        """What `text` names, in the other language; None when it names no notion of the bridge or its
        language cannot be told."""
        source, analysed, found = self.source_language(text)
        if source is None or not found[source]:
            return None
        target = other_language(source)
        tokens = analysed[source]
        stop = self._function_words(source)
        content = {i for i, t in enumerate(tokens) if t not in stop} or set(range(len(tokens)))
        inside: set[int] = set()
        shares: dict[tuple[tuple[str, ...], ...], float] = {}
        for start, end, entry in found[source]:
            alternatives = self._forms[target][entry]
            words = [i for i in range(start, end) if i in content]
            inside.update(range(start, end))
            shares[alternatives] = shares.get(alternatives, 0.0) + len(words) / len(content)
        for name in _CAPITALISED.findall(text):
            if text.lstrip().startswith(name) and not (name.isupper() or has_digit(name)):
                continue  # the first word of a sentence is capitalised whatever it is
            carried = self.tokens(target, name)
            if all(t in self._function_words(target) for t in carried):
                continue  # "EU" is a past participle in French: a name carried must not be a common word there
            positions = self._positions(tokens, self.tokens(source, name), inside)
            if positions:
                inside.update(positions)
                key = (carried,)
                shares[key] = shares.get(key, 0.0) + sum(i in content for i in positions) / len(content)
        notions = tuple(Notion(alts, share) for alts, share in shares.items() if any(alts))
        return Carried(source, target, notions) if notions else None

    @staticmethod
    def _positions(tokens: tuple[str, ...], name: tuple[str, ...], taken: set[int]) -> list[int]:
        """Where the tokens of `name` stand in the query, outside what a notion already took."""
        for i in range(len(tokens) - len(name) + 1):
            span = range(i, i + len(name))
            if name and tokens[i : i + len(name)] == name and not taken.intersection(span):
                return list(span)
        return []

    def _function_words(self, lang: str) -> frozenset[str]:
        if lang not in self._stop:
            from index.search import function_words

            self._stop[lang] = function_words(self.schema, lang)
        return self._stop[lang]

    @staticmethod
    def split(carried: Carried, reader: Any, common: float | None = None) -> tuple[list[Notion], list[Notion]]:
        """The notions to search with, and those only checked on what they find: a notion held by more than
        `common` of the target language's records ("migrant", "transfer", "police" in a corpus about them)
        ranks little by BM25 but made Whoosh score thousands of passages (200 ms for some sentences over the
        shared corpus); it still counts in a found passage's share. When every notion is common, the two
        rarest are searched. Under `SPLIT_FROM` records everything is searched: scoring them all is cheap,
        and a found passage then has every notion marked in its snippet."""
        field = f"content_{carried.target}"
        records = max(1, reader.doc_frequency("lang", carried.target))
        if records < SPLIT_FROM:
            return list(carried.notions), []
        common = COMMON_SHARE if common is None else common

        reach = {n: sum(min(reader.doc_frequency(field, t) for t in alt) for alt in n.alternatives)
                 for n in carried.notions}
        ranked = sorted(carried.notions, key=reach.__getitem__)
        searched = [n for n in ranked if reach[n] <= common * records] or ranked[:2]
        return searched, ranked[len(searched):]

    @staticmethod
    def holding(notions: list[Notion], field: str, reader: Any, docnums: list[int]) -> dict[int, set[str]]:
        """Of the tokens of `notions`, those each of `docnums` holds (read from the postings, skipping to each
        document: cheap for a page of hits however long the postings)."""
        out: dict[int, set[str]] = {d: set() for d in docnums}
        order = sorted(out)
        for token in {t for n in notions for alt in n.alternatives for t in alt}:
            if not reader.doc_frequency(field, token):
                continue
            postings = reader.postings(field, token)
            for docnum in order:
                if not postings.is_active():
                    break
                if postings.id() < docnum:
                    postings.skip_to(docnum)
                if postings.is_active() and postings.id() == docnum:
                    out[docnum].add(token)
        return out

    def query(self, carried: Carried, notions: list[Notion] | None = None) -> Query:
        """Records holding any of the carried notions in the target's stemmed field (each alternative a
        phrase), which only the target language's passages and testimonies fill; `language_filter` narrows
        to that language exactly."""
        field = f"content_{carried.target}"
        groups: list[Query] = []
        for notion in carried.notions if notions is None else notions:
            options = [_phrase(field, alt) for alt in notion.alternatives]
            groups.append(options[0] if len(options) == 1 else Or(options))
        return groups[0] if len(groups) == 1 else Or(groups)

    @staticmethod
    def language_filter(carried: Carried, filter_q: Query) -> Query:
        """`filter_q` narrowed to the target language (a filter: Whoosh keeps its documents as a set)."""
        return And([filter_q, Term("lang", carried.target)])


def _phrase(field: str, tokens: tuple[str, ...]) -> Query:
    return Term(field, tokens[0]) if len(tokens) == 1 else Phrase(field, list(tokens))
