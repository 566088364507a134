"""Salted digests that stand for the real words and names in the labelled sets of tests/golden/.

The documents of ../shared/corpus must not have their sentences copied into the project, and the people they
name stay there too. So the golden files hold, instead of a testimony's first words or a person's name, the
SHA-256 of "temoin-golden:" + its normalised form; the evaluators normalise what the extractor finds the
same way, hash it and compare digests, so the figures are those a comparison of the words would give.

    .venv/bin/python bench/golden_hash.py "text" [...]

prints, for each text, the digest to put in a golden file: as a quotation's first words (`prefix_sha`,
with `prefix_chars`), as an entity name (`PERSON_sha`, aliases) and as a speaker (`speaker_sha`).
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest.gazetteer import fold  # noqa: E402

SALT = "temoin-golden:"
_ARTICLE = re.compile(r"^(?:the |l'|le |la |les )")
# Words left out when two speakers' names are compared ("Dr X" is "X", "Witness AB1" shares "ab1").
TITLE_WORDS = frozenset({"witness", "dr", "mr", "mrs", "ms", "m", "mme", "me", "le", "la", "de", "du"})


def normalised(text: str) -> str:
    """White space collapsed, and the backslash escapes Markdown exports leave in text (l\\'agence) undone."""
    return " ".join(re.sub(r"\\(.)", r"\1", text).split())


def name_key(name: str) -> str:
    """The comparison key of an entity name: folded, without a leading article."""
    return _ARTICLE.sub("", fold(name)).strip()


def speaker_words(name: str) -> set[str]:
    """The words two speakers' names are compared by: folded, title words left out."""
    return set(fold(name).split()) - TITLE_WORDS


def digest(text: str) -> str:
    """The salted SHA-256 of a text's normalised form: the one hash of every golden label."""
    return hashlib.sha256((SALT + normalised(text)).encode("utf-8")).hexdigest()


def prefix_label(prefix: str) -> dict[str, object]:
    """A quotation's first words as a golden file stores them."""
    return {"prefix_sha": digest(prefix), "prefix_chars": len(normalised(prefix))}


def prefix_digest(text: str, chars: int) -> str:
    """The digest of a found quotation's first `chars` characters once normalised, to compare with a
    `prefix_sha`: equal exactly when the normalised quotation starts with the labelled words. (Characters, not
    words: a label may stop before the punctuation that ends its last word, "…en Angleterre" of "…en
    Angleterre,".)"""
    return digest(normalised(text)[:chars])


def name_digest(name: str) -> str:
    """An entity name's digest: of its comparison key (`name_key`)."""
    return digest(name_key(name))


def speaker_digests(name: str | None) -> list[str] | None:
    """A speaker's digests, one per word of the name (`speaker_words`); None stays None."""
    return None if name is None else sorted(digest(w) for w in speaker_words(name))


def main(argv: list[str] | None = None) -> int:
    texts = sys.argv[1:] if argv is None else argv
    if not texts:
        print(__doc__)
        return 2
    for text in texts:
        label = prefix_label(text)
        print(f"digest        {digest(text)}")
        print(f"prefix_sha    {label['prefix_sha']}  prefix_chars {label['prefix_chars']}")
        print(f"name (entity) {name_digest(text)}")
        print(f"speaker_sha   {speaker_digests(text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
