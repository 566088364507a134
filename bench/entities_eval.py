"""Recall, precision and top-50 junk of the entity facets against the labelled set in tests/golden/entities/.

    .venv/bin/python bench/entities_eval.py [--quiet] [--json PATH]

Each golden file names a document of ../shared/corpus and lists, per label (ORG, PLACE, PERSON), the distinct
entities a careful reader would want as filters, labelled by reading the document, footnotes included; an
"acceptable" list per label (and "ANY" for laws, events, products, valid under any label) holds names that are
not wrong but not required; "aliases" maps a canonical name to the other forms the text uses (UK = United
Kingdom, HCR = UNHCR). The real pipeline runs on the document (`build_record`), and its distinct mention names
per label are compared with the labels: names match when equal after `fold` (case, accents, apostrophes,
hyphens) and without a leading article ("The Guardian" = "Guardian"), through aliases.

Persons' names are not stored in clear: a list or alias table whose key ends in "_sha" ("PERSON_sha",
"acceptable": {"PERSON_sha", "ANY_sha"}, "aliases_sha") holds the salted digests of the names' keys
(bench/golden_hash.py `name_digest`), and every extracted name is compared by the digest of its key. Organisations
and places stay in clear. The reports name a hidden person by number ("PERSON #3 (name hidden)").

- recall: share of the golden entities of a label found under that label (a facet is per label: an ORG filed
  as PLACE is missing from the ORG facet, and the listing says where it went);
- precision: share of the distinct extracted names of a label that are golden or acceptable for that label;
- top-50 junk: share of junk among the 50 names of a label with the most mentions, what a facet shows first.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.golden_hash import name_digest  # noqa: E402
from ingest.records import Label  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "entities"
SHARED = ROOT.parent / "shared" / "corpus"
LABELS: tuple[str, ...] = (Label.ORG.value, Label.PLACE.value, Label.PERSON.value)
TOP = 50

@dataclass(frozen=True)
class GoldenDocument:
    """One labelled document: required and acceptable names per label, aliases resolved to digests of keys.

    A name stored in clear is its own id; a hidden one (a person's) is its digest, shown as "LABEL #n"."""

    path: str
    required: dict[str, list[str]]
    acceptable: dict[str, list[str]]
    forms: dict[str, frozenset[str]]  # name id -> digests of the keys of the name and its aliases
    shown: dict[str, str]  # id of a hidden name -> how the reports name it

    @classmethod
    def load(cls, file: Path) -> GoldenDocument:
        spec = json.loads(file.read_text(encoding="utf-8"))
        aliases: dict[str, list[str]] = spec.get("aliases", {})
        aliases_sha: dict[str, list[str]] = spec.get("aliases_sha", {})
        hidden: set[str] = set()
        shown: dict[str, str] = {}

        def ids(group: dict[str, Any], label: str) -> list[str]:
            hashed = list(group.get(label + "_sha", []))
            hidden.update(hashed)
            for n, h in enumerate(hashed, 1):
                shown.setdefault(h, f"{label} #{n} (name hidden)")
            return list(group.get(label, [])) + hashed

        required = {label: ids(spec, label) for label in LABELS}
        accepted = spec.get("acceptable", {})
        kinds = {k.removesuffix("_sha") for k in accepted}
        acceptable = {label: ids(accepted, label) for label in kinds}
        names = {n for group in (*required.values(), *acceptable.values()) for n in group}
        unknown = (set(aliases) - (names - hidden)) | (set(aliases_sha) - hidden)
        if unknown:
            raise ValueError(f"{file.name}: aliases of names not labelled: {sorted(unknown)}")
        forms = {
            n: frozenset(
                [n, *aliases_sha.get(n, [])]
                if n in hidden
                else (name_digest(f) for f in [n, *aliases.get(n, [])])
            )
            for n in names
        }
        return cls(spec["path"], required, acceptable, forms, shown)

    def show(self, name: str) -> str:
        return self.shown.get(name, name)

    def keys(self, names: list[str]) -> set[str]:
        return {k for n in names for k in self.forms[n]}

    def verdict(self, name: str, label: str) -> str:
        """'golden', 'acceptable' or 'junk' for an extracted name under a label."""
        key = name_digest(name)
        if key in self.keys(self.required.get(label, [])):
            return "golden"
        if key in self.keys(self.acceptable.get(label, []) + self.acceptable.get("ANY", [])):
            return "acceptable"
        return "junk"

    def labels_of(self, name: str) -> list[str]:
        """The labels under which a name is golden or acceptable, to tell a wrong label from plain junk."""
        return [label for label in LABELS if self.verdict(name, label) != "junk"]


@dataclass
class LabelScores:
    golden: int = 0
    found: int = 0
    extracted: int = 0  # distinct names
    right: int = 0  # distinct names golden or acceptable
    top: int = 0
    top_junk: int = 0
    misses: list[str] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.golden if self.golden else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.extracted if self.extracted else 1.0

    @property
    def top_junk_rate(self) -> float:
        return self.top_junk / self.top if self.top else 0.0

    def add(self, other: LabelScores) -> None:
        self.golden += other.golden
        self.found += other.found
        self.extracted += other.extracted
        self.right += other.right
        self.top += other.top
        self.top_junk += other.top_junk

    def as_dict(self) -> dict[str, Any]:
        return {
            "golden": self.golden,
            "found": self.found,
            "recall": round(self.recall, 3),
            "extracted": self.extracted,
            "precision": round(self.precision, 3),
            "top": self.top,
            "top_junk": self.top_junk,
            "top_junk_rate": round(self.top_junk_rate, 3),
            "misses": self.misses,
            "junk": self.junk,
        }


def extracted_names(path: Path, pipelines: dict[str, Any]) -> dict[str, Counter[str]]:
    """Mentions per canonical name and label, over every part of the document, from the real pipeline."""
    from ingest.pipeline import build_record
    from ingest.readers import read

    counts: dict[str, Counter[str]] = {label: Counter() for label in LABELS}
    for raw in read(path):
        record = build_record(raw, "0" * 64, pipelines, path)
        for mention in record.mentions:
            if mention.label.value in counts:
                counts[mention.label.value][mention.name] += 1
    return counts


def score_label(golden: GoldenDocument, label: str, counts: dict[str, Counter[str]]) -> LabelScores:
    names = counts[label]
    scores = LabelScores(golden=len(golden.required[label]), extracted=len(names))
    keys = {name_digest(n) for n in names}
    for entity in golden.required[label]:
        if golden.forms[entity] & keys:
            scores.found += 1
            continue
        elsewhere = [
            other
            for other in LABELS
            if other != label and golden.forms[entity] & {name_digest(n) for n in counts[other]}
        ]
        scores.misses.append(golden.show(entity) + (f"  (found as {'/'.join(elsewhere)})" if elsewhere else ""))
    ranked = sorted(names.items(), key=lambda item: (-item[1], item[0]))
    for rank, (name, count) in enumerate(ranked):
        verdict = golden.verdict(name, label)
        if verdict != "junk":
            scores.right += 1
        if rank < TOP:
            scores.top += 1
            scores.top_junk += verdict == "junk"
        if verdict == "junk":
            other = golden.labels_of(name)
            scores.junk.append(f"{name} ×{count}" + (f"  (is {'/'.join(other)})" if other else ""))
    return scores


def evaluate(
    golden_dir: Path = GOLDEN, corpus: Path = SHARED, pipelines: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Figures per golden document and label, and over all documents: recall, precision, top-50 junk rate,
    with the misses and the junk named."""
    if pipelines is None:
        from ingest.entities import load_pipelines

        pipelines = load_pipelines()
    totals = {label: LabelScores() for label in LABELS}
    documents: dict[str, Any] = {}
    for file in sorted(golden_dir.glob("*.json")):
        golden = GoldenDocument.load(file)
        counts = extracted_names(corpus / golden.path, pipelines)
        per_label: dict[str, Any] = {}
        for label in LABELS:
            scores = score_label(golden, label, counts)
            totals[label].add(scores)
            per_label[label] = scores.as_dict()
        documents[file.stem] = per_label
    total: dict[str, dict[str, Any]] = {}
    for label, scores in totals.items():
        total[label] = {k: v for k, v in scores.as_dict().items() if k not in ("misses", "junk")}
    return {"documents": documents, "total": total}


def print_report(result: dict[str, Any], details: bool = True) -> None:
    print(
        f"{'document':40} {'label':6} {'gold':>4} {'found':>5} {'recall':>6} {'names':>5} {'prec':>5}"
        f" {'top50 junk':>10}"
    )
    rows = {**result["documents"], "TOTAL": result["total"]}
    for name, per_label in rows.items():
        for label, d in per_label.items():
            print(
                f"{name[:40]:40} {label:6} {d['golden']:>4} {d['found']:>5} {d['recall']:>6.2f}"
                f" {d['extracted']:>5} {d['precision']:>5.2f} {d['top_junk']:>4}/{d['top']:<3}"
                f" {d['top_junk_rate']:>4.2f}"
            )
    if not details:
        return
    for name, per_label in result["documents"].items():
        print(f"\n== {name}")
        for label, d in per_label.items():
            if d["misses"]:
                print(f"  {label} missed: " + "; ".join(d["misses"]))
            if d["junk"]:
                print(f"  {label} junk:   " + "; ".join(d["junk"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, without the misses and junk")
    parser.add_argument("--json", type=Path, help="also write the figures and lists as JSON to this file")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"the real corpus is not beside the project ({SHARED} is absent)")
        return 1
    result = evaluate()
    print_report(result, details=not args.quiet)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
