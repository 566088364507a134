"""Testimonies and rulings as their own lists: quotes with who, where and when; rulings with who cites them.

Both stand on `Searcher` (the one place queries are parsed) and read the records the writer stores beside
passages: `type=quote` for each testimony, `type=citation` for each reference to a ruling, and ruling
documents carrying every key a citation of them may use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from whoosh.query import And, NumericRange, Phrase, Query, Term

from ingest.citations import case_numbers, resolve
from ingest.dates import date_bounds, is_partial_iso
from ingest.gazetteer import fold
from ingest.records import Citation
from index.schema import folding_tokens
from index.search import QueryError, Searcher


@dataclass(frozen=True, slots=True)
class QuoteHit:
    quote: str
    speaker: str | None
    speaker_description: str | None
    place: str | None
    date: str | None
    date_source: str
    doc_id: str
    title: str
    publisher: str | None
    page: int | None
    passage_id: str | None
    footnote: int | None
    source: str
    score: float = 0.0
    why: str = "keywords"  # "keywords", "meaning" or "both" (index/hybrid.py)
    language: str = ""  # the testimony's document language
    quote_id: str = ""


@dataclass(frozen=True, slots=True)
class CitedBy:
    doc_id: str
    title: str
    page: int | None


@dataclass(frozen=True, slots=True)
class RulingHit:
    ruling_id: str
    court: str
    date: str | None
    number: str | None
    name: str | None
    in_index: bool
    doc_id: str | None
    cited_by: tuple[CitedBy, ...] = field(default_factory=tuple)
    citations: int = 0


def _check_dates(**bounds: str | None) -> None:
    for name, value in bounds.items():
        if value is not None and not is_partial_iso(value):
            raise QueryError(f"--{name} takes YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")


def search_quotes(
    searcher: Searcher,
    text: str = "",
    speaker: str | None = None,
    places: tuple[str, ...] = (),
    orgs: tuple[str, ...] = (),
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    mode: str | None = None,
) -> tuple[int, list[QuoteHit]]:
    """Testimonies matching the words, speaker (accent-insensitive, without quotation marks), place,
    organisation and testimony date; `mode` keyword, semantic or hybrid as for passages (default: hybrid
    when the index has embeddings)."""
    _check_dates(since=since, until=until)
    parts: list[Query] = [Term("type", "quote")]
    if speaker:
        tokens = folding_tokens(speaker.strip("\"“”«»‘’' "))
        if tokens:
            parts.append(Phrase("speaker", tokens) if len(tokens) > 1 else Term("speaker", tokens[0]))
    for fieldname, values in (("place", places), ("org", orgs)):
        parts.extend(searcher.value_terms(fieldname, values))
    if since:
        parts.append(NumericRange("date_hi", date_bounds(since)[0], None))
    if until:
        parts.append(NumericRange("date_lo", 1, date_bounds(until)[1]))
    query, _ = searcher.parse(text)
    mode = mode or searcher.default_mode()
    if mode != "keyword" and text.strip() and searcher.semantic() is not None:
        from index.semantic import fused_docnums

        raw = searcher.raw()
        results, matched = searcher.collect(  # type: ignore[attr-defined]
            query, And(parts), max(limit, 1) * 5, words=text
        )
        keyword_hits = [h for h in results]  # not list(): it asks len(), which counts every match
        ranked, _ = fused_docnums(searcher, text, And(parts), mode, limit, keyword_hits)  # type: ignore[arg-type]
        matched |= {d for d, _ in ranked}
        return len(matched), [quote_hit(raw.stored_fields(d), f.score, f.why) for d, f in ranked]
    if not text.strip():  # nothing to rank by: a list to browse
        total, results = searcher.match(query, And(parts), None)
        return total, browse_order([quote_hit(hit, score) for score, hit in results])[:limit]
    total, results = searcher.match(query, And(parts), max(limit, 1) * 5, words=text)
    return total, [quote_hit(hit, score) for score, hit in results[:limit]]


SUBSTANTIVE_WORDS = 10  # a testimony shorter than this ("Yes, I did.") says little read alone


def browse_order(quotes: list[QuoteHit]) -> list[QuoteHit]:
    """Testimonies listed without words to rank them: those that say something first (at least
    SUBSTANTIVE_WORDS words), one from each document in turn, so that a hearing transcript's thousand answers
    do not fill the first pages; then the short ones, in index order."""
    by_doc: dict[str, list[QuoteHit]] = {}
    short: list[QuoteHit] = []
    for q in quotes:
        if len(q.quote.split()) >= SUBSTANTIVE_WORDS:
            by_doc.setdefault(q.doc_id, []).append(q)
        else:
            short.append(q)
    turns: list[QuoteHit] = []
    queues = [iter(group) for group in by_doc.values()]
    while queues:
        still = []
        for queue in queues:
            q = next(queue, None)
            if q is not None:
                turns.append(q)
                still.append(queue)
        queues = still
    return turns + short


def quote_hit(stored: dict[str, Any], score: float = 0.0, why: str = "keywords") -> QuoteHit:
    """A testimony from its stored record."""
    q = json.loads(stored["payload"])
    return QuoteHit(
        quote=q["text"], speaker=q["speaker"], speaker_description=q["speaker_description"],
        place=q["place"], date=q["date"], date_source=q["date_source"], doc_id=stored["doc_id"],
        title=stored.get("title", ""), publisher=stored.get("publisher"), page=q["page"],
        passage_id=q["passage_id"], footnote=q["footnote"], source=stored.get("source", ""),
        score=round(score, 3), why=why, language=stored.get("lang", ""), quote_id=stored.get("id", ""),
    )


def corroborate(searcher: Searcher, quote_id: str, limit: int = 10) -> list[QuoteHit]:
    """Testimonies from other documents and other speakers, in either language, that describe the same kind
    of event as the testimony `quote_id`, nearest first (by the meaning of their words); empty without
    embeddings."""
    from index.similar import corroborating_docnums

    raw = searcher.raw()
    return [quote_hit(raw.stored_fields(d), s, "meaning") for d, s in corroborating_docnums(searcher, quote_id, limit)]


def citation_text(hit: QuoteHit) -> str:
    """How an advocate cites the testimony: speaker, description, place, date; document, publisher, page."""
    who = hit.speaker or "Unnamed witness"
    if hit.speaker_description:
        who += f", {hit.speaker_description}"
    where = ", ".join(p for p in (hit.place, hit.date) if p)
    source = ", ".join(p for p in (hit.title, hit.publisher, f"p. {hit.page}" if hit.page else None) if p)
    return f"“{hit.quote}” — {who}" + (f" ({where})" if where else "") + f". {source}."


def list_rulings(
    searcher: Searcher,
    text: str = "",
    court: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
) -> tuple[int, list[RulingHit]]:
    """Every ruling the index holds or cites, one entry per ruling, with the documents (and pages) citing it;
    by how often cited, or by how well it matches the words when there are some."""
    _check_dates(since=since, until=until)
    cites: list[Citation] = []
    citing: list[tuple[Citation, dict[str, Any]]] = []
    for stored in searcher.stored("citation"):
        c = Citation(**json.loads(stored["payload"]))
        cites.append(c)
        citing.append((c, stored))
    groups = resolve(cites)
    rulings_in_index: list[tuple[set[str], dict[str, Any], dict[str, Any]]] = []
    for stored in searcher.stored("document"):
        if stored.get("ruling_key"):
            record = json.loads(stored["payload"])
            keys = set(stored["ruling_key"].split(","))
            rulings_in_index.append((keys, stored, record.get("ruling") or {}))
    # resolve() returns copies with shared details filled in: find each one's stored record by its span
    by_span: dict[tuple[int, int, str], list[dict[str, Any]]] = {}
    for c, stored in citing:
        by_span.setdefault((c.start, c.end, c.text), []).append(stored)
    hits: list[RulingHit] = []
    matched_docs: set[str] = set()
    for key, group in groups.items():

        wanted = {key, *(k for c in group for k in case_numbers(c))}
        doc = next((s for keys, s, _ in rulings_in_index if keys & wanted), None)
        if doc is not None:
            matched_docs.add(doc["doc_id"])
        # the fullest citation names the ruling; ties go to the longer name, then the text, not to index order
        # (each engine's own: Tantivy writes on several threads, and two citations gave two names)
        first = max(group, key=lambda c: (bool(c.number), len(c.date or ""), len(c.name or ""), c.text))
        seen: dict[tuple[str, int | None], CitedBy] = {}
        for c in group:
            stored = by_span[(c.start, c.end, c.text)].pop(0)
            seen.setdefault((stored["doc_id"], c.page), CitedBy(stored["doc_id"], stored.get("title", ""), c.page))
        hits.append(RulingHit(
            ruling_id=key, court=first.court, date=first.date, number=first.number, name=first.name,
            in_index=doc is not None, doc_id=doc["doc_id"] if doc else None,
            cited_by=tuple(v for (d, _), v in seen.items() if not doc or d != doc["doc_id"]),
            citations=len(group),
        ))

    for keys, stored, info in rulings_in_index:
        if stored["doc_id"] in matched_docs:
            continue
        numbers = info.get("numbers") or []
        hits.append(RulingHit(
            ruling_id=info.get("key") or sorted(keys)[0], court=info.get("court") or stored.get("court", ""),
            date=info.get("date"), number=", ".join(numbers) or None, name=info.get("name"),
            in_index=True, doc_id=stored["doc_id"],
        ))
    hits = [h for h in hits if _court_matches(h.court, court) and _date_in(h.date, since, until)]
    if text.strip():
        words = folding_tokens(text)
        scored = [(sum(w in _haystack(h) for w in words), h) for h in hits]
        hits = [h for s, h in sorted(scored, key=lambda sh: (-sh[0], -len(sh[1].cited_by))) if s == len(words)]
    else:
        hits.sort(key=lambda h: (-len({c.doc_id for c in h.cited_by}), -h.citations, h.court, h.date or ""))
    return len(hits), hits[:limit]


def _haystack(hit: RulingHit) -> set[str]:
    return set(folding_tokens(" ".join(p or "" for p in (hit.court, hit.number, hit.name, hit.date))))


def _court_matches(court: str, wanted: str | None) -> bool:
    return not wanted or fold(wanted) in fold(court)


def _date_in(date: str | None, since: str | None, until: str | None) -> bool:
    if not since and not until:
        return True
    if not date:
        return False
    lo, hi = date_bounds(date)
    return (not since or hi >= date_bounds(since)[0]) and (not until or lo <= date_bounds(until)[1])



