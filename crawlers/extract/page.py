"""HTML text to an lxml tree, the one way every extractor parses a page."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement, document_fromstring

# lxml refuses a str that still carries an XML declaration (the bytes were decoded already).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_html(html: str) -> HtmlElement | None:
    """The document's root element, or None when there is no document at all."""
    text = _XML_DECLARATION.sub("", html or "", count=1)
    if not text.strip():
        return None
    try:
        return document_fromstring(text)
    except etree.ParserError:  # "Document is empty": only comments or whitespace
        return None
