"""Case names read around a case number: forwards ("C-411/10 N.S. and Others"), backwards ("Herrera v SSHD
[2018] EWCA Civ 412", "M.S.S. v. Belgium and Greece [GC], no. 30696/09"). Capitalised words, "v", "and",
"of the" and parentheses make a name; "In", "see" and court names before it do not."""

from __future__ import annotations

import re

# A case name read forwards ("C-411/10 N.S. and Others") or backwards ("Herrera v SSHD [2018] EWCA Civ 412").
_CONNECTORS = {
    "v",
    "v.",
    "vs",
    "vs.",
    "c.",
    "and",
    "et",
    "of",
    "the",
    "for",
    "de",
    "du",
    "des",
    "la",
    "le",
    "van",
    "von",
    "der",
    "e.a.",
    "others",
    "another",
    "anor",
    "ors",
    "ex",
    "parte",
    "&",
    "und",
    "on",
}
_WORD = (
    r"(?:[A-ZÀ-ÝŠŽ][\w'’.&-]*|"
    + "|".join(re.escape(w) for w in sorted(_CONNECTORS, key=len, reverse=True))
    + r")"
)
_PAREN = r"\([^()\n]{1,120}\)"
_FORWARD_NAME = re.compile(rf"[ \t]*((?:{_WORD})(?:[ \t]+(?:{_WORD}|(?![^()\n]*\d/){_PAREN}))*)")
_BACKWARD_NAME = re.compile(
    rf"((?:{_WORD}|{_PAREN})(?:[ \t]+(?:{_WORD}|{_PAREN}))*)[ \t]*(?:\[GC\],?\s*|,\s*)?$"
)
_NAME_STARTERS = {
    "in",
    "see",
    "as",
    "also",
    "cf",
    "cf.",
    "the",
    "and",
    "of",
    "for",
    "per",
    "on",
    "v",
    "v.",
    "by",
    "with",
    "applying",
    "following",
    "approved",
    "le",
    "la",
    "de",
    "du",
    "des",
    "et",
    "c.",
}
_TOKEN = re.compile(r"\([^()]*\)|[^\s()]+")
_NAME_CUTS = {"Court", "Tribunal", "Cour", "Conseil", "Judge", "Chamber"}


def _tokens(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def _clean_name(text: str, start: int, end: int, cut_courts: bool) -> tuple[str | None, int, int]:
    """The name inside text[start:end] without leading starters ("In", "see") and trailing connectors."""
    tokens = _tokens(text, start, end)
    if cut_courts:
        for i in range(len(tokens) - 1, -1, -1):
            if tokens[i][0] in _NAME_CUTS:
                tokens = tokens[i + 1 :]
                break
    while tokens and (
        tokens[0][0].lower() in _NAME_STARTERS or tokens[0][0].startswith("(") or tokens[0][0].islower()
    ):
        tokens = tokens[1:]
    while tokens and tokens[-1][0].lower() in _CONNECTORS - {"others", "another", "anor", "ors", "e.a."}:
        tokens = tokens[:-1]
    if not tokens or len(tokens) > 20:
        return None, start, start
    a, b = tokens[0][1], tokens[-1][2]
    if text[b - 1] == "." and re.search(r"[a-z]{3}\.$", text[a:b]):
        b -= 1
    name = " ".join(text[a:b].split())
    return (name, a, b) if re.search(r"[A-ZÀ-Ý]", name) else (None, start, start)


def name_after(text: str, pos: int) -> tuple[str | None, int]:
    """A case name right after a case number, and where it ends."""
    m = _FORWARD_NAME.match(text, pos, min(len(text), pos + 200))
    if not m:
        return None, pos
    name, a, b = _clean_name(text, m.start(1), m.end(1), cut_courts=False)
    if name is None or a != m.start(1):
        return None, pos
    return name, b


def name_before(text: str, pos: int) -> tuple[str | None, int]:
    """A case name right before a neutral citation or application number, and where it starts."""
    window_start = max(0, pos - 220)
    m = _BACKWARD_NAME.search(text, window_start, pos)
    if not m:
        return None, pos
    name, a, _ = _clean_name(text, m.start(1), m.end(1), cut_courts=True)
    return (name, a) if name else (None, pos)
