"""Precision and recall of testimonies against the hand-labelled set in tests/golden/quotes/.

    .venv/bin/python bench/quotes_eval.py [--verbose]

Each golden file names a document of ../shared/corpus, its date as a reader would give it, and the
testimonies in it: the first words of each, its speaker, place and date. The words and the speaker are not
stored, only salted digests of them (bench/golden_hash.py): `prefix_sha` with `prefix_chars`, and
`speaker_sha`, one digest per word of the name. A found testimony matches a labelled one when the digest of
its first `prefix_chars` characters (white space collapsed) is the label's: when it starts with the words. Labels marked "borderline" (police
words reported by a witness, a minister's public statement) count neither way. A later part of a testimony
split by a page break (id ending "-2") is part of its first part, not a testimony of its own. A "window"
limits the check to part of a long hearing transcript.

Speaker accuracy is over matched testimonies (one name containing a word of the other counts: "Alice" for
"Alice Martin", "Dr Martin" for "Jean-Paul Martin", compared by the digests of their words); place+month
accuracy asks for the labelled place and the labelled month (or year, when that is all the label gives),
absent where the label has none. The reports never show the hidden words: a label is named by its number.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.golden_hash import digest, normalised, prefix_digest, speaker_digests  # noqa: E402
from ingest.clean import clean  # noqa: E402
from ingest.gazetteer import fold  # noqa: E402
from ingest.passages import split_passages  # noqa: E402
from ingest.quotes import extract_quotes  # noqa: E402
from ingest.readers import read  # noqa: E402
from ingest.records import Quote  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "quotes"
SHARED = ROOT.parent / "shared" / "corpus"


@dataclass
class Scores:
    labelled: int = 0
    found: int = 0  # found testimonies, not counting those matching a borderline label
    matched: int = 0  # labels matched by a found testimony
    speaker_right: int = 0
    place_month_right: int = 0
    date_right: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0

    def share(self, count: int) -> float:
        return count / self.matched if self.matched else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "labelled": self.labelled,
            "found": self.found,
            "matched": self.matched,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "recall_right_speaker": round(self.speaker_right / self.labelled, 3) if self.labelled else 1.0,
            "speaker": round(self.share(self.speaker_right), 3),
            "place_month": round(self.share(self.place_month_right), 3),
            "date": round(self.share(self.date_right), 3),
        }


def same_speaker(found: str | None, labelled: list[str] | None) -> bool:
    """The found speaker is the labelled one (`speaker_sha`: digests of its words) when a word is shared."""
    if found is None or labelled is None:
        return found is None and labelled is None
    return bool(set(speaker_digests(found) or ()) & set(labelled))


def matching_label(text: str, labels: list[dict[str, Any]], skip: set[int] = frozenset()) -> int | None:
    """The first label (not skipped) whose `prefix_sha` is the digest of the text's first `prefix_chars`."""
    cache: dict[int, str] = {}
    for i, lab in enumerate(labels):
        if i in skip:
            continue
        n = lab["prefix_chars"]
        if n not in cache:
            cache[n] = prefix_digest(text, n) if len(text) >= n else ""
        if cache[n] == lab["prefix_sha"]:
            return i
    return None


def same_place_and_month(quote: Quote, label: dict[str, Any]) -> bool:
    place_ok = (quote.place is None and label["place"] is None) or (
        quote.place is not None and label["place"] is not None and fold(quote.place) == fold(label["place"])
    )
    return place_ok and same_date(quote.date, label["date"])


def same_date(found: str | None, labelled: str | None) -> bool:
    if labelled is None or found is None:
        return found is labelled
    return found[: len(labelled[:7])] == labelled[:7]


def find_digest(text: str, sha: str, chars: int, start: int = 0) -> int:
    """Where a passage of `chars` characters with this digest starts in the text, or -1."""
    for m in re.finditer(r"(?<!\S)\S", text[start:]):
        i = start + m.start()
        if digest(text[i : i + chars]) == sha:
            return i
    return -1


def document_quotes(spec: dict[str, Any], corpus: Path) -> tuple[str, list[Quote]]:
    """A golden file's document, cleaned, and its testimonies: first parts only, inside the window if any."""
    raw = read(corpus / spec["document"])[0]
    cleaned = clean(raw)
    passages = split_passages(cleaned, "golden", "en")
    quotes = [
        q
        for q in extract_quotes(cleaned, passages, "golden", spec.get("doc_date"))
        if not re.search(r"-\d+$", q.id)
    ]
    window = spec.get("window")
    if window:
        # the anchors are digests too: found by trying every word start of the text
        lo = find_digest(cleaned.text, window["from_sha"], window["from_chars"])
        hi = find_digest(cleaned.text, window["to_sha"], window["to_chars"], max(lo, 0))
        if lo < 0 or hi < 0:
            raise ValueError(f"window anchors not found in {spec['document']}")
        quotes = [q for q in quotes if lo <= q.start < hi]
    return cleaned.text, quotes


def score_document(spec: dict[str, Any], corpus: Path) -> Scores:
    _, quotes = document_quotes(spec, corpus)
    labels = spec["testimonies"]
    borderline = spec.get("borderline", [])
    scores = Scores(labelled=len(labels))
    taken: set[int] = set()
    for quote in quotes:
        text = normalised(quote.text)
        hit = matching_label(text, labels, taken)
        if hit is None:
            if matching_label(text, borderline) is None:
                scores.found += 1
                scores.notes.append(f"  extra   {quote.speaker!s:20.20} {text[:70]}")
            continue
        scores.found += 1
        scores.matched += 1
        taken.add(hit)
        label = labels[hit]
        speaker_ok = same_speaker(quote.speaker, label["speaker_sha"])
        place_ok = same_place_and_month(quote, label)
        scores.speaker_right += speaker_ok
        scores.place_month_right += place_ok
        scores.date_right += same_date(quote.date, label["date"])
        if not (speaker_ok and place_ok):
            speaker = "right" if speaker_ok else "label hidden" if label["speaker_sha"] is not None else "label none"
            scores.notes.append(
                f"  wrong   testimony #{hit + 1} {text[:40]!r}: speaker {quote.speaker!r} ({speaker}),"
                f" place {quote.place!r}/{label['place']!r}, date {quote.date!r}/{label['date']!r}"
            )
    for i, label in enumerate(labels):
        if i not in taken:
            who = "speaker hidden" if label["speaker_sha"] is not None else "no speaker"
            scores.notes.append(
                f"  missed  testimony #{i + 1} ({who}, {label['prefix_chars']} characters,"
                f" place {label['place']!r}, date {label['date']!r})"
            )
    return scores


def evaluate(golden_dir: Path = GOLDEN, corpus: Path = SHARED) -> dict[str, Any]:
    """Figures per golden document and over all of them: precision, recall, speaker, place+month, date."""
    total = Scores()
    documents: dict[str, Any] = {}
    for path in sorted(golden_dir.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        s = score_document(spec, corpus)
        documents[path.stem] = {**s.as_dict(), "notes": s.notes}
        total.labelled += s.labelled
        total.found += s.found
        total.matched += s.matched
        total.speaker_right += s.speaker_right
        total.place_month_right += s.place_month_right
        total.date_right += s.date_right
    return {"documents": documents, "total": total.as_dict()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss, extra and wrong attribution")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"the real corpus is not beside the project ({SHARED} is absent)")
        return 1
    result = evaluate()
    columns = ("lab", 4), ("found", 5), ("prec", 5), ("rec", 5), ("speaker", 7), ("pl+mo", 6), ("date", 5)
    print(f"{'document':38} " + " ".join(f"{name:>{width}}" for name, width in columns))
    rows = {**result["documents"], "TOTAL": result["total"]}
    for name, d in rows.items():
        print(
            f"{name[:38]:38} {d['labelled']:>4} {d['found']:>5} {d['precision']:>5.2f} {d['recall']:>5.2f}"
            f" {d['speaker']:>7.2f} {d['place_month']:>6.2f} {d['date']:>5.2f}"
        )
        if args.verbose and d.get("notes"):
            print("\n".join(d["notes"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
