"""Snippets: a hit's text as shown, HTML-escaped, its matches in <mark>. Whoosh's highlighter parts
(`MarkFormatter`, `WordsFragmenter`), the function words a snippet leaves unmarked (`function_words`), and the
`lead` shown when nothing is marked.
"""

from __future__ import annotations

import html
from typing import Any

from whoosh import highlight


class MarkFormatter(highlight.Formatter):
    """Escaped text with matches in <mark>…</mark>; fragments joined by an ellipsis."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace))}</mark>"

    def _text(self, text: str) -> str:
        return html.escape(text)


class WordsFragmenter(highlight.ContextFragmenter):
    """Whoosh's context fragments, without marking function words ("de", "des", "the", "of"): the query's
    words are all required, so "expulsion des tentes" matched every "des" of a passage and the snippet marked
    them all, and chose its fragment by them."""

    def __init__(self, function_words: frozenset[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.function_words = function_words

    def fragment_tokens(self, text: str, all_tokens: Any) -> Any:
        def content_words() -> Any:
            for token in all_tokens:
                if token.matched and token.text in self.function_words:
                    token.matched = False
                yield token

        return super().fragment_tokens(text, content_words())


def function_words(schema: Any, lang: str) -> frozenset[str]:
    """A language's stop words as the fields a passage in it is highlighted in index them: folded, and stemmed
    ("was" is "wa"). Per language, so that English "son" stays marked though French "son" is a stop word."""
    from whoosh.lang import stopwords_for_language

    out: set[str] = set()
    for fieldname in ("content", f"content_{lang}"):
        analyzer = schema[fieldname].analyzer
        for word in stopwords_for_language(lang):
            out.update(t.text for t in analyzer(word, mode="index", removestops=False))
    return frozenset(out)


def lead(text: str, chars: int = 300) -> str:
    """The start of `text`, cut between words within `chars`: a hit's snippet when nothing in it is marked
    (plain text: callers escape it)."""
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"
