"""Whoosh query trees → Tantivy queries, so that queries are parsed in one place (index/search.py) for both
engines. Whoosh's parser has already analysed each word for its field (folded, stemmed), and the Tantivy
schema analyses text the same way, so a term is looked up as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import tantivy
from whoosh import query as wq
from whoosh.analysis import Analyzer, Token
from whoosh.fields import NUMERIC, Schema

from index.schema import build_schema
from index.tantivy_schema import FOLDED_TEXT, INTEGERS, STEMMED_TEXT, _analyzer

_Occur = tantivy.Occur
_REGEX_META = re.compile(r"([\\.+*?()|\[\]{}^$#&\-~])")
_TOP = 2**62
_NUMERIC = NUMERIC(int, bits=32)  # how index/schema.py's integer fields encode a value the parser reads
Lexicon = Callable[[str], list[str]]
_TEXT = {*FOLDED_TEXT, *STEMMED_TEXT}


def ascii_folder() -> Callable[[str], str]:
    """Tantivy's folding of a whole term (Whoosh's parser keeps "œ", "æ", "ĳ" that Tantivy's index spells
    "oe", "ae", "ij"): applied to query terms of text fields so that both sides agree."""
    analyzer = _analyzer(whole=True)

    def fold(term: str) -> str:
        return term if term.isascii() else "".join(analyzer.analyze(term)) or term

    return fold


class TantivyAnalysis(Analyzer):
    """A Whoosh analyser that analyses as the Tantivy index did (index/tantivy_schema.py `_analyzer`), in Rust.

    Whoosh's Snowball stemmers and Tantivy's disagree on some words: "international" is "intern" to Whoosh and
    "internat" to Tantivy, "Calais" is "cal" and "calais" to the French ones. A query analysed by Whoosh then
    looked up a stem that Tantivy's stemmed field never holds. Analysed here, a query's terms are the index's.
    Used by the Tantivy engine's query parser only; it gives texts and positions (asked for character offsets,
    which a query does not need, it runs Whoosh's own analyser)."""

    def __init__(self, stem: str | None, whoosh: Analyzer) -> None:
        self.stem = stem
        self.words = _analyzer(stem)
        self.whole = _analyzer(stem, whole=True)  # tokenize=False: the value is one token
        self.whoosh = whoosh

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TantivyAnalysis) and other.stem == self.stem

    def __hash__(self) -> int:
        return hash(("tantivy-analysis", self.stem))

    def __call__(  # type: ignore[override]
        self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
        removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True, mode: str = "",
        **kwargs: Any,
    ) -> Any:
        if chars:
            yield from self.whoosh(value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                                   removestops=removestops, start_pos=start_pos, start_char=start_char,
                                   tokenize=tokenize, mode=mode, **kwargs)
            return
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, text in enumerate((self.words if tokenize else self.whole).analyze(value)):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + i
            yield token


def parsing_schema() -> Schema:
    """Whoosh's schema (index/schema.py) for parsing queries to a Tantivy index: its text fields analyse as
    Tantivy's (`TantivyAnalysis`), so the parsed tree holds the terms the Tantivy index holds."""
    schema = build_schema()
    for name in FOLDED_TEXT:
        schema[name].analyzer = TantivyAnalysis(None, schema[name].analyzer)
    for name, lang in STEMMED_TEXT.items():
        schema[name].analyzer = TantivyAnalysis(lang, schema[name].analyzer)
    return schema


class Unsupported(ValueError):
    """A query node the Tantivy engine has no equivalent for."""


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _wildcard_regex(pattern: str) -> str:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "*" else "." if ch == "?" else _REGEX_META.sub(r"\\\1", ch))
    return "".join(out)


def _boolean(clauses: list[tuple[Any, tantivy.Query]]) -> tantivy.Query:
    if not any(occur != _Occur.MustNot for occur, _ in clauses):
        clauses = [(_Occur.Must, tantivy.Query.all_query()), *clauses]  # a lone NOT means "all but"
    return tantivy.Query.boolean_query(clauses)


def compile_query(
    node: wq.Query, schema: tantivy.Schema, field_names: set[str], lexicon: Lexicon | None = None,
    fold: Callable[[str], str] | None = None,
) -> tantivy.Query:
    """The Tantivy query matching the same documents as the Whoosh query `node`; `lexicon(field)` lists a
    field's terms, for ranges over words (year:[2010 TO 2015]); `fold` (`ascii_folder()`) spells text terms
    as Tantivy indexed them."""
    q = _compile(node, schema, field_names, lexicon, fold or (lambda t: t))
    boost = getattr(node, "boost", 1.0)
    return tantivy.Query.boost_query(q, float(boost)) if boost not in (1, 1.0) else q


def _compile(
    node: wq.Query, schema: tantivy.Schema, names: set[str], lexicon: Lexicon | None, fold: Callable[[str], str]
) -> tantivy.Query:
    def sub(child: wq.Query) -> tantivy.Query:
        return compile_query(child, schema, names, lexicon, fold)

    def word(value: Any) -> str:
        return fold(_text(value)) if node.fieldname in _TEXT else _text(value)

    if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
        return tantivy.Query.empty_query()
    if isinstance(node, wq.Every):
        return tantivy.Query.all_query()
    field = getattr(node, "fieldname", None)
    if field is not None and field not in names:
        return tantivy.Query.empty_query()  # Whoosh matches nothing in a field the schema lacks
    if isinstance(node, wq.NumericRange):
        return _range(schema, node.fieldname, node.start, node.end, node.startexcl, node.endexcl)
    if isinstance(node, wq.Term):
        if node.fieldname in INTEGERS:
            value = _NUMERIC.from_bytes(node.text) if isinstance(node.text, bytes) else int(node.text)
            return _range(schema, node.fieldname, value, value, False, False)
        return tantivy.Query.term_query(schema, node.fieldname, word(node.text))
    if isinstance(node, wq.Phrase):
        words = [word(w) for w in node.words]
        if len(words) == 1:
            return tantivy.Query.term_query(schema, node.fieldname, words[0])
        return tantivy.Query.phrase_query(schema, node.fieldname, words, slop=max(0, int(node.slop) - 1))
    if isinstance(node, wq.Prefix):
        return tantivy.Query.regex_query(schema, node.fieldname, _REGEX_META.sub(r"\\\1", word(node.text)) + ".*")
    if isinstance(node, wq.Wildcard):
        return tantivy.Query.regex_query(schema, node.fieldname, _wildcard_regex(word(node.text)))
    if isinstance(node, wq.FuzzyTerm):
        return tantivy.Query.fuzzy_term_query(schema, node.fieldname, word(node.text), distance=int(node.maxdist))
    if isinstance(node, wq.TermRange):
        if lexicon is None:
            raise Unsupported("ranges over words")
        lo, hi = _text(node.start or ""), _text(node.end or "")
        inside = [
            t for t in lexicon(node.fieldname)
            if (not lo or (t > lo if node.startexcl else t >= lo)) and (not hi or (t < hi if node.endexcl else t <= hi))
        ]
        return tantivy.Query.term_set_query(schema, node.fieldname, inside) if inside else tantivy.Query.empty_query()
    if isinstance(node, wq.Not):
        return _boolean([(_Occur.MustNot, sub(node.query))])
    if isinstance(node, wq.AndNot):
        return _boolean([(_Occur.Must, sub(node.a)), (_Occur.MustNot, sub(node.b))])
    if isinstance(node, wq.AndMaybe):
        return _boolean([(_Occur.Must, sub(node.a)), (_Occur.Should, sub(node.b))])
    if isinstance(node, wq.Require):
        return _boolean([(_Occur.Must, sub(node.a)), (_Occur.Must, tantivy.Query.const_score_query(sub(node.b), 0.0))])
    if isinstance(node, wq.DisjunctionMax):
        return tantivy.Query.disjunction_max_query([sub(c) for c in node.subqueries], node.tiebreak or None)
    if isinstance(node, wq.And):
        clauses = [
            (_Occur.MustNot, sub(c.query)) if isinstance(c, wq.Not) else (_Occur.Must, sub(c)) for c in node.subqueries
        ]
        return _boolean(clauses) if clauses else tantivy.Query.all_query()
    if isinstance(node, wq.Or):
        if not node.subqueries:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query([(_Occur.Should, sub(c)) for c in node.subqueries])
    raise Unsupported(type(node).__name__)


def _range(schema: tantivy.Schema, field: str, lo: Any, hi: Any, lo_excl: bool, hi_excl: bool) -> tantivy.Query:
    low = -_TOP if lo is None else int(lo)
    high = _TOP if hi is None else int(hi)
    return tantivy.Query.range_query(
        schema, field, tantivy.FieldType.Integer, low, high, include_lower=not lo_excl, include_upper=not hi_excl
    )
