"""A source's CSS selectors, read off a page: each answers one field or nothing.

Selectors accept parsel's ``::text`` and ``::attr(name)``. A selector that matches nothing
leaves the field to the generic extraction, so a redesign degrades to generic results
instead of empty ones (and the body falls back loudly: see ``article.py``).
"""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime

from cssselect import HTMLTranslator
from lxml.html import HtmlElement
from parsel import Selector

from crawlers.extract.body import selected_paragraphs
from crawlers.extract.dates import parse_datetime
from crawlers.extract.text import clean

_TRANSLATOR = HTMLTranslator()


class PageSelectors:
    """Reads CSS selectors against one parsed page."""

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self.page = Selector(root=root, type="html")

    def texts(self, css: str | None) -> list[str]:
        """Every match's text, cleaned, empty ones and repeats left out."""
        if not css:
            return []
        found: dict[str, str] = {}
        for match in self.page.css(css):
            node = match.root
            text = clean(node if isinstance(node, str) else node.text_content())
            if text:
                found.setdefault(text.casefold(), text)
        return list(found.values())

    def text(self, css: str | None) -> str | None:
        texts = self.texts(css)
        return texts[0] if texts else None

    def date(self, css: str | None) -> datetime | None:
        """The first match that reads as a date: its datetime/content attribute, or text."""
        if not css:
            return None
        for match in self.page.css(css):
            node = match.root
            if isinstance(node, str):
                values = [node]
            else:
                values = [node.get("datetime"), node.get("content"), node.text_content()]
            for value in values:
                found = parse_datetime(value)
                if found is not None:
                    return found
        return None

    def body(self, css: str, remove: list[str]) -> list[str]:
        """Paragraphs of the elements ``css`` matches, once ``remove`` matches are gone."""
        copy = deepcopy(self.root)
        page = Selector(root=copy, type="html")
        for selector in remove:
            for match in page.css(selector):
                if isinstance(match.root, HtmlElement) and match.root.getparent() is not None:
                    match.root.drop_tree()
        elements = [m.root for m in page.css(css) if isinstance(m.root, HtmlElement)]
        return selected_paragraphs(elements)


def as_xpath(css: str) -> str:
    """A CSS selector as XPath, for trafilatura's ``prune_xpath``."""
    return _TRANSLATOR.css_to_xpath(css)
