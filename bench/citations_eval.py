"""Precision and recall of ruling citations against the hand-labelled set in tests/golden/citations/.

    .venv/bin/python bench/citations_eval.py [--verbose]

A found citation matches a labelled one when their spans overlap; it is right when court and date are both
the labelled ones (the number is reported apart). A ruling's references to itself (its own case number in its
heading) are not citations of precedent and are left out, as the labels leave them out.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.citations import find_citations  # noqa: E402
from ingest.readers import read  # noqa: E402
from ingest.records import Citation  # noqa: E402
from ingest.rulings import citation_keys, ruling_info  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "citations"
SHARED = ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True, slots=True)
class Label:
    text: str
    court: str
    date: str | None
    number: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Scores:
    labelled: int
    found: int
    found_right: int  # found citations matching a label with the right court and date
    labels_found: int  # labels matched by a found citation with the right court and date
    labels_seen: int  # labels overlapped by any found citation
    numbers_right: int  # of the labels with a number, how many were found with that number
    numbers_labelled: int

    @property
    def precision(self) -> float:
        return self.found_right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.labels_found / self.labelled if self.labelled else 1.0


def document_text(source: str) -> str:
    raw = read(SHARED / source)[0]
    return "\n".join(p.text for p in raw.pages)


def labels_of(text: str, items: list[dict[str, str | None]]) -> list[Label]:
    """Each label's span: the n-th occurrence of its text for the n-th label with that text."""
    seen: dict[str, int] = {}
    labels = []
    for item in items:
        quote = str(item["text"])
        start = -1
        for _ in range(seen.get(quote, 0) + 1):
            start = text.find(quote, start + 1)
        if start < 0:
            raise ValueError(f"labelled text not in the document: {quote!r}")
        seen[quote] = seen.get(quote, 0) + 1
        labels.append(
            Label(quote, str(item["court"]), item["date"], item["number"], start, start + len(quote))
        )
    return labels


def citations_of(text: str, source: str) -> list[Citation]:
    """The document's citations, without those of the ruling it is itself."""
    own = ruling_info(text, source=source)
    own_keys = set(citation_keys(own)) if own else set()
    return [c for c in find_citations(text) if c.key not in own_keys]


def _number_matches(found: str | None, labelled: str | None) -> bool:
    def bare(n: str | None) -> str:
        return "".join((n or "").replace("\u2011", "-").split()).lower()

    return bare(found) == bare(labelled)


def score(labels: list[Label], found: list[Citation]) -> tuple[Scores, list[str]]:
    def overlaps(c: Citation, label: Label) -> bool:
        return c.start < label.end and label.start < c.end

    def right(c: Citation, label: Label) -> bool:
        return c.court == label.court and c.date == label.date

    notes = []
    found_right = sum(1 for c in found if any(overlaps(c, lab) and right(c, lab) for lab in labels))
    labels_found = labels_seen = numbers_right = 0
    for lab in labels:
        hits = [c for c in found if overlaps(c, lab)]
        labels_seen += bool(hits)
        if any(right(c, lab) for c in hits):
            labels_found += 1
        else:
            got = "; ".join(f"{c.court} {c.date} [{c.text}]" for c in hits) or "nothing"
            notes.append(f"  missed {lab.court} {lab.date} [{lab.text}] -> {got}")
        if lab.number and any(_number_matches(c.number, lab.number) for c in hits):
            numbers_right += 1
        elif lab.number:
            notes.append(f"  number {lab.number!r} [{lab.text}] -> {[c.number for c in hits]}")
    for c in found:
        if not any(overlaps(c, lab) and right(c, lab) for lab in labels):
            notes.append(f"  wrong  {c.court} {c.date} [{c.text}]")
    numbers_labelled = sum(1 for lab in labels if lab.number)
    return Scores(
        len(labels), len(found), found_right, labels_found, labels_seen, numbers_right, numbers_labelled
    ), notes


def _add(a: Scores, b: Scores) -> Scores:
    return Scores(
        *(
            x + y
            for x, y in zip(
                (
                    a.labelled,
                    a.found,
                    a.found_right,
                    a.labels_found,
                    a.labels_seen,
                    a.numbers_right,
                    a.numbers_labelled,
                ),
                (
                    b.labelled,
                    b.found,
                    b.found_right,
                    b.labels_found,
                    b.labels_seen,
                    b.numbers_right,
                    b.numbers_labelled,
                ),
            )
        )
    )


def evaluate(golden: Path = GOLDEN, split: str | None = None) -> tuple[Scores, dict[str, list[str]]]:
    """Scores summed over the labelled documents (of one split: "dev", "held-out"), and what went wrong."""
    total = Scores(0, 0, 0, 0, 0, 0, 0)
    notes: dict[str, list[str]] = {}
    for path in sorted(golden.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if split is not None and spec.get("split", "dev") != split:
            continue
        text = document_text(spec["source"])
        s, doc_notes = score(labels_of(text, spec["citations"]), citations_of(text, spec["source"]))
        notes[path.name] = doc_notes
        total = _add(total, s)
    return total, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every miss and every wrong citation")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"the real corpus is not beside the project ({SHARED} is absent)")
        return 1
    print(
        f"{'':10} {'labelled':>8} {'found':>6} {'precision':>9} {'recall':>7} {'detected':>8} {'numbers':>8}"
    )
    for split in ("dev", "held-out", None):
        s, notes = evaluate(split=split)
        print(
            f"{split or 'all':10} {s.labelled:8d} {s.found:6d} {s.precision:9.3f} {s.recall:7.3f} "
            f"{s.labels_seen / max(s.labelled, 1):8.3f} {s.numbers_right:>4}/{s.numbers_labelled:<3}"
        )
    print("precision and recall count a citation right when its court and date are the labelled ones;")
    print(
        "dev documents were read while the extractor was written; held-out ones were labelled before it ran."
    )
    if args.verbose:
        for name, lines in notes.items():
            if lines:
                print(name)
                print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
