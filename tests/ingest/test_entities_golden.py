"""Entity facets on real documents against the hand-labelled set in tests/golden/entities (issue 5).

The floors are the figures the code reached when the set was labelled, a little below: a change that loses a
labelled organisation or place, or pushes junk into the top of a facet, fails here. Raise them when the code
improves. `bench/entities_eval.py` prints the same figures with the misses and the junk named.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SHARED, needs_shared

pytestmark = needs_shared

# (golden document, label): (recall floor, top-50 precision floor); measured figures in the comments.
FLOORS: dict[tuple[str, str], tuple[float, float]] = {
    ("amnesty-2019-targeting-solidarity", "ORG"): (0.88, 0.79),  # 34/38 = 0.90; 41/50 = 0.82
    ("amnesty-2019-targeting-solidarity", "PLACE"): (0.94, 0.82),  # 31/32 = 0.97; 35/41 = 0.85
    ("calais-statement-2013", "ORG"): (1.00, 0.85),  # 25/25; 29/33 = 0.88
    ("calais-statement-2013", "PLACE"): (1.00, 0.70),  # 4/4; 8/11 = 0.73
    ("cjeu-62015CJ0155", "ORG"): (0.90, 0.97),  # 10/11 = 0.91; 14/14
    ("cjeu-62015CJ0155", "PLACE"): (1.00, 0.48),  # 4/4; 4/8 = 0.50
    ("press-fr-bondyblog-calais-2017", "ORG"): (0.80, 0.97),  # 8/10; 9/9
    ("press-fr-bondyblog-calais-2017", "PLACE"): (1.00, 0.83),  # 5/5; 6/7 = 0.86
    ("press-fr-lemonde-acat-2016", "ORG"): (0.75, 0.80),  # 3/4; 5/6 = 0.83
    ("press-fr-lemonde-acat-2016", "PLACE"): (1.00, 0.97),  # 5/5; 5/5
    ("press-fr-lemonde-deputes-grece-2016", "ORG"): (1.00, 0.83),  # 5/5; 6/7 = 0.86
    ("press-fr-lemonde-deputes-grece-2016", "PLACE"): (0.86, 0.97),  # 14/16 = 0.88; 14/14
}
# Over all documents (counts pooled, not averaged): ORG 85/93 = 0.91, 104/119 = 0.87;
# PLACE 63/66 = 0.95, 72/86 = 0.84.
TOTAL_FLOORS: dict[str, tuple[float, float]] = {"ORG": (0.90, 0.84), "PLACE": (0.93, 0.81)}
# What issue 5 asks for: recall >= 0.9 for ORG and PLACE, at most one junk entry in twenty atop a facet.
TARGET = (0.90, 0.95)


@pytest.fixture(scope="module")
def figures(pipelines: dict[str, Any]) -> dict[str, Any]:
    from bench.entities_eval import GOLDEN, evaluate

    return evaluate(GOLDEN, SHARED, pipelines)


def _explain(d: dict[str, Any]) -> str:
    return f"missed: {'; '.join(d['misses']) or '-'}\njunk: {'; '.join(d['junk']) or '-'}"


def test_labelled_set_covers_three_kinds_and_french(figures: dict[str, Any]) -> None:
    names = set(figures["documents"])
    assert {doc for doc, _ in FLOORS} == names, "every golden document has floors, and only those"
    assert any(n.startswith("press-fr-") for n in names)
    assert figures["total"]["ORG"]["golden"] >= 80 and figures["total"]["PLACE"]["golden"] >= 60


@pytest.mark.parametrize(("document", "label"), sorted(FLOORS))
def test_recall_and_top_precision_do_not_regress(figures: dict[str, Any], document: str, label: str) -> None:
    d = figures["documents"][document][label]
    min_recall, min_precision = FLOORS[document, label]
    assert d["recall"] >= min_recall, f"{label} recall {d['recall']} < {min_recall}\n{_explain(d)}"
    top_precision = 1 - d["top_junk_rate"]
    assert top_precision >= min_precision, (
        f"{label} top-50 precision {top_precision:.3f} < {min_precision}\n{_explain(d)}"
    )


@pytest.mark.parametrize("label", sorted(TOTAL_FLOORS))
def test_pooled_figures_do_not_regress(figures: dict[str, Any], label: str) -> None:
    d = figures["total"][label]
    min_recall, min_precision = TOTAL_FLOORS[label]
    assert d["recall"] >= min_recall
    assert 1 - d["top_junk_rate"] >= min_precision


@pytest.mark.parametrize("label", ["ORG", "PLACE"])
def test_issue_5_recall_target(figures: dict[str, Any], label: str) -> None:
    """Issue 5: the organisations and places a reader would list are in the facets (recall >= 0.9). Its other
    target, junk atop a facet, is about a facet over a whole corpus, where names met once do not reach the top:
    the README gives the shared corpus's top 50 as judged by reading; the floors above hold each document's."""
    d = figures["total"][label]
    assert d["recall"] >= TARGET[0], _explain(d)
