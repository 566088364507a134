"""Names in lists (signatories, members, places visited): where most of a list's items are names of one kind,
the other items shaped like a name are names of that kind too.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable

from ingest.names import SENTENCE_INSIDE, is_law, link_spans, normalise_name, trim_mention
from ingest.records import Label, Mention, Passage

# The separators of a list written on one line ("A - B - C", "A • B • C", "A; B; C"), and the marks that open
# an item of a list written one item per line.
_INLINE_SEPARATORS = (" - ", " – ", " — ", " • ", " · ", " | ", "; ")
_ITEM_MARK = re.compile(r"^[\s\-–—•▪◦●*·]*(?:\d{1,3}[.)]\s+)?")
_LIST_LABELS = (Label.ORG, Label.PLACE, Label.PERSON)


def _list_items(text: str) -> Iterable[list[tuple[int, int]]]:
    """Lists in the text, each as the spans of its items: four or more items on one line between the same
    separator, or four or more short consecutive lines that each open on a capital (a list of signatories)."""
    block: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        for sep in _INLINE_SEPARATORS:
            if line.count(sep) >= 3:
                items, at = [], start
                for part in line.split(sep):
                    items.append((at, at + len(part)))
                    at += len(part) + len(sep)
                yield items
                break
        mark = _ITEM_MARK.match(line)
        body = line[mark.end() :].rstrip(" .,;")
        if body[:1].isupper() and len(body.split()) <= 12 and not SENTENCE_INSIDE.search(body):
            block.append((start + mark.end(), start + mark.end() + len(body)))
            continue
        if len(block) >= 4:
            yield block
        block = []
    if len(block) >= 4:
        yield block


def list_item_mentions(text: str, passages: list[Passage], existing: list[Mention]) -> list[Mention]:
    """Names in a list most of whose items are names of one kind: the other items, when shaped like a name,
    are names of that kind too. A signatory list names bodies NER knows ("FIDH") beside ones it does not."""
    starts = [p.start for p in passages]
    spans = sorted((m.start, m.end, m.label) for m in existing if m.label in _LIST_LABELS)
    begins = [s for s, _, _ in spans]
    found: list[Mention] = []
    for items in _list_items(text):
        cores: list[tuple[int, int, Label | None]] = []
        for a, b in items:
            item = text[a:b]
            cut = item.find(" (")
            core_end = a + (cut if cut > 0 else len(item.rstrip()))
            core_start = a + len(item) - len(item.lstrip())
            covering = None
            i = bisect.bisect_left(begins, core_start)
            for s_, e_, label in spans[max(0, i - 1) : i + 6]:
                overlap = min(e_, core_end) - max(s_, core_start)
                if overlap > 0 and overlap >= 0.5 * (core_end - core_start):
                    covering = label
                    break
                if label is Label.ORG and core_end < s_ and e_ <= b:
                    covering = label  # "Réseau … (REMDH)": the acronym after it is a body's
                    break
            cores.append((core_start, core_end, covering))
        known = Counter(label for _, _, label in cores if label is not None)
        if not known or sum(known.values()) < max(2, 0.4 * len(cores)):
            continue
        label, votes = known.most_common(1)[0]
        if votes < 2 * sum(known.values()) / 3:
            continue
        for a, b, covering in cores:
            if covering is not None or b <= a:
                continue
            trimmed = trim_mention(text[a:b], label)
            if trimmed is None:
                continue
            start, end = a + trimmed[0], a + trimmed[1]
            i = bisect.bisect_right(starts, start) - 1
            if i < 0 or end > passages[i].end:
                continue
            surface = text[start:end]
            if is_law(surface) or link_spans(surface):
                continue
            found.append(Mention(label, surface, normalise_name(surface), start, end, passages[i].id))
    return found
