"""The gazetteer we maintain (`ingest/data/gazetteer.tsv`): names that matter in this field, with aliases in
English and French. Known names are always labelled and spelled the same way, whatever NER said."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from ingest.records import Label

GAZETTEER_PATH = Path(__file__).with_name("data") / "gazetteer.tsv"


@lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """Case-, accent-, apostrophe- and hyphen-insensitive key for a name. Kept for the names seen last: the
    entity stage folds the same names over and over (~100,000 calls for the 70 files of `bench/run.py
    --sample`)."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'").replace("‘", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().replace("-", " ").replace(".", "").split())


# Rows that are not entities but must not become one: nationalities, peoples and languages ("Syrien" is not a
# place), laws ("Dublin Regulation" is not Dublin), and generic words of the field ("the Council", "Madam").
# No facet shows them; the ruler claims the laws' words so NER cannot.
NOT_ENTITIES = {"NORP", "LAW", "GENERIC"}
OUTSIDE_RULER = {"NORP", "GENERIC"}


@dataclass(frozen=True, slots=True)
class Entry:
    label: Label | str
    name: str


def _rows(path: Path) -> list[tuple[Entry, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, name, aliases = (line.split("\t") + ["", ""])[:3]
        names = [a.strip() for a in [name, *aliases.split("|")] if a.strip()]
        kind: Label | str = label.strip() if label.strip() in NOT_ENTITIES else Label(label.strip())
        rows.append((Entry(kind, name.strip()), names))
    return rows


def singular(name: str) -> str:
    """A name of several words with each word's plural mark dropped ("Défenseurs des Droits" → "Défenseur des
    Droit"): known names match whatever their number, as texts write them ("le Défenseur des Droit")."""
    words = name.split()
    if len(words) < 2:
        return name
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" and w[-2].isalpha() else w for w in words)


def load_gazetteer(path: Path = GAZETTEER_PATH) -> dict[str, Entry]:
    """Folded alias → entry, and each alias's singular form when no other alias takes it."""
    table = {fold(alias): entry for entry, names in _rows(path) for alias in names}
    for entry, names in _rows(path):
        for alias in names:
            table.setdefault(fold(singular(alias)), entry)
    return table


def capitals_after_first(name: str) -> int:
    """How many words after the first start with a capital (the first may open a sentence)."""
    return sum(1 for word in name.split()[1:] if word[:1].isupper())


@cache
def alias_capitals(path: Path = GAZETTEER_PATH) -> dict[str, int]:
    """Folded alias (and its singular) → the fewest capitalised words after the first among the ways the
    gazetteer writes it: text that capitalises fewer is the name's words used as common words ("a human
    rights defender" is not the Défenseur des Droits' English name)."""
    table: dict[str, int] = {}
    for _, names in _rows(path):
        for alias in names:
            for form in (alias, singular(alias)):
                key = fold(form)
                table[key] = min(table.get(key, 99), capitals_after_first(form))
    return table


def gazetteer_aliases(path: Path = GAZETTEER_PATH) -> list[tuple[str, str]]:
    """(label, alias) for every alias, for rule-based matching before NER."""
    # Nationalities and generic words stay out of the ruler: claiming "Greek" or "Council" would break NER's
    # "Greek Government" or "Council of Europe"; such a word NER takes alone for a name is dropped afterwards.
    return [
        (entry.label.value if isinstance(entry.label, Label) else entry.label, alias)
        for entry, names in _rows(path)
        if entry.label not in OUTSIDE_RULER
        for alias in names
    ]
