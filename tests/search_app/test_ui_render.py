"""What the UI does to a document's text before a browser sees it: escaped, and its controls made visible."""

from __future__ import annotations

import pytest

from search_app.ui_render import esc, md_escape, one_line, visible_controls


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a bell \x07 here", "a bell \u2407 here"),
        ("\x1b[31mred\x1b[0m", "\u241b[31mred\u241b[0m"),
        ("file \u202egnp.exe", "file [U+202E]gnp.exe"),
        ("isolate \u2067x\u2069", "isolate [U+2067]x[U+2069]"),
        ("del\x7f", "del\u2421"),
        ("tab\tand\nline\r\n", "tab\tand\nline\r\n"),  # layout is kept
        ("Défenseur des droits « témoin »", "Défenseur des droits « témoin »"),
    ],
)
def test_visible_controls(text: str, shown: str) -> None:
    assert visible_controls(text) == shown


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("costs $5 and $10", "costs &#36;5 and &#36;10"),
        ("\u202e<b>", "[U+202E]&lt;b&gt;"),
    ],
)
def test_esc(text: str, html: str) -> None:
    assert esc(text) == html


def test_labels_and_snippets_show_controls_too() -> None:
    assert md_escape("Camp **report** \u202eX") == "Camp \\*\\*report\\*\\* \\[U\\+202E\\]X"
    assert one_line("a <mark>tent</mark>\n\x07") == "a <mark>tent</mark> \u2407"
