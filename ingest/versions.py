"""What built a document: one fingerprint per stage, so that a changed model or stage re-runs only what it
affects (`temoin reindex`). A fingerprint names our stage's version and every outside thing its output
depends on (library and model versions, the gazetteer's content hash).

Bump a stage's number in `STAGE_VERSIONS` when a change to its code changes what it produces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from importlib import metadata

from ingest.gazetteer import GAZETTEER_PATH

STAGE_VERSIONS: dict[str, int] = {
    "read": 5,  # 2: a web article is press, of the day its address (or file name) says; 3: hearing transcripts;
    # 4: a title that is only a layout file's name (.qxp, .html, .xlsx...) or has no letter ("2011") is dropped;
    # 5: Markdown: pandoc's attributes ("{.wp-image-1 width=...}") and fenced divs are not text; a title is
    # not a publisher's notice, an address or a section name ("Key recommendations", "Background"), and a
    # file's title in small capitals read letter by letter ("THe sTATe oF ...") has its case mended; a
    # ruling's title takes the date its export's header states ("Upper Tribunal (IAC), 2019-06-07, ...")
    "clean": 2,  # 2: a numbered transcript loses its line numbers and page footers
    # (its code: clean.py, page_lines.py)
    "language": 2,  # 2: passages and testimonies are indexed with their own language, not their document's
    "entities": 1,  # its code: entities.py, names.py, acronyms.py, list_items.py, entity_labels.py
    "quotes": 3,  # 2: an interview excerpt's last answer ends with its paragraph; 3: "L'historien Paul
    # Girard, qui …, explique" names the speaker (the role is the description)
    "citations": 1,
}
# Stages whose records can be built again from a stored document record (its text, passages and pages),
# without the file: `ingest.restage`. The others need the file read again.
FROM_RECORDS = ("entities", "citations")
# A stage that changes what later stages read makes them stale too (passage languages choose the NER model).
DOWNSTREAM: dict[str, tuple[str, ...]] = {
    "read": ("clean", "language", "entities", "quotes", "citations"),
    "clean": ("language", "entities", "quotes", "citations"),
    "language": ("entities",),
}


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def gazetteer_digest() -> str:
    return hashlib.sha256(GAZETTEER_PATH.read_bytes()).hexdigest()[:12]


def stage_fingerprints(models: Mapping[str, str]) -> dict[str, str]:
    """The fingerprint of each stage as this installation would run it with these spaCy `models`."""
    gazetteer = f"gazetteer/{gazetteer_digest()}"
    spacy_models = " ".join(f"{lang}:{name}/{package_version(name)}" for lang, name in sorted(models.items()))
    depends = {
        "read": f"pdfminer.six/{package_version('pdfminer.six')}",
        "clean": "",
        "language": f"langdetect/{package_version('langdetect')}",
        "entities": f"spacy/{package_version('spacy')} {spacy_models} {gazetteer}",
        "quotes": gazetteer,
        "citations": "",
    }
    return {stage: f"{stage}/{version} {depends[stage]}".strip() for stage, version in STAGE_VERSIONS.items()}


def stale_stages(built: Mapping[str, str], current: Mapping[str, str]) -> set[str]:
    """Stages whose recorded fingerprint differs from the current one (or was never recorded), with the
    stages downstream of them."""
    stale = {stage for stage, fingerprint in current.items() if built.get(stage) != fingerprint}
    return with_downstream(stale)


def with_downstream(stages: set[str]) -> set[str]:
    out = set(stages)
    for stage in stages:
        out.update(DOWNSTREAM.get(stage, ()))
    return out
