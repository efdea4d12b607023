"""HTML text to an lxml tree, the one way every extractor parses a page.

libxml2 drops everything below 256 nested elements (2,048 with ``huge_tree``), so the text of
a page nested deeper ("<div>" ten thousand times, by mistake or on purpose) would be lost, and
Python code that walks the tree recursively (ours, trafilatura's) would overflow the stack.
When the parser says it hit that limit, ``parse_page`` removes the start and end tags of the
elements opened below ``MAX_DEPTH`` (``flatten_deep``: their text stays, in order, at that
depth) and parses again; the flattened text is what trafilatura must read too. Real pages are
far shallower (the saved ones reach about 40) and are parsed once, as they are: the check
costs them nothing.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

__all__ = ["MAX_DEPTH", "flatten_deep", "parse_html", "parse_page"]

# lxml refuses a str that still carries an XML declaration (the bytes were decoded already).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

# Half libxml2's limit: the count below is an estimate (it does not apply every rule by which
# a parser closes elements), and trafilatura's recursive walks need room below Python's
# recursion limit of 1,000.
MAX_DEPTH = 128
# Comments and elements whose content is not markup are skipped whole. A tag ends at the
# first ">" or "<", quotes or not: a rare attribute value holding one only blurs the estimate,
# and no token can run past the next "<", so the scan stays linear on any input.
_RAW = r"(?:script|style|textarea|title|xmp|iframe|noembed|noframes|plaintext)"
_TOKEN = re.compile(
    rf"<!--.*?(?:-->|\Z)|<(?P<raw>{_RAW})\b[^<>]*>.*?(?:</(?P=raw)\s*>|\Z)"
    r"|<(?P<close>/?)(?P<name>[a-zA-Z][^\s/<>]*)(?P<rest>[^<>]*)>",
    re.IGNORECASE | re.DOTALL,
)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr", "basefont", "bgsound", "frame", "keygen"}  # fmt: skip
# End tag optional: the next one of the same name closes it, so it never nests in itself.
# Beyond MAX_DEPTH these are still written (one level more at most): they keep paragraphs
# apart.
_SELF_CLOSING = {"p", "li", "dt", "dd", "option", "tr", "td", "th"}


def flatten_deep(html: str, max_depth: int = MAX_DEPTH) -> str:
    """``html`` without the tags of elements nested deeper than ``max_depth`` (text kept in
    order); ``html`` itself when nothing is that deep.

    >>> flatten_deep("<b>" * 4 + "<p>Đoạn 1.</p><p>Đoạn 2.</p>" + "</b>" * 4, max_depth=2)
    '<b><b><p>Đoạn 1.</p><p>Đoạn 2.</p></b></b>'
    """
    if html.count("<") <= max_depth:
        return html
    stack: list[str] = []
    dropped: Counter[str] = Counter()
    cuts: list[tuple[int, int]] = []
    for token in _TOKEN.finditer(html):
        name = token.group("name")
        if name is None:
            continue
        name = name.lower()
        if token.group("close"):
            if dropped[name]:  # the innermost elements of that name are the dropped ones
                dropped[name] -= 1
                cuts.append(token.span())
            elif name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
            continue
        if name in _VOID or token.group("rest").endswith("/"):
            continue
        if name in _SELF_CLOSING and stack and stack[-1] == name:
            stack.pop()
        if len(stack) < max_depth:
            stack.append(name)
        elif name not in _SELF_CLOSING:
            dropped[name] += 1
            cuts.append(token.span())
    if not cuts:
        return html
    parts, start = [], 0
    for begin, end in cuts:
        parts.append(html[start:begin])
        start = end
    parts.append(html[start:])
    return "".join(parts)


def parse_page(html: str) -> tuple[HtmlElement | None, str]:
    """The document's root element (None when there is no document at all) and the text it
    was read from: ``html``, or ``html`` flattened when it nests deeper than libxml2 keeps."""
    root, too_deep = _parse(html)
    if too_deep:
        html = flatten_deep(html)
        root, _ = _parse(html)
    return root, html


def parse_html(html: str) -> HtmlElement | None:
    """The document's root element, or None when there is no document at all."""
    return parse_page(html)[0]


def _parse(html: str) -> tuple[HtmlElement | None, bool]:
    """The root, and whether the parser stopped at its depth limit (a resource limit)."""
    text = _XML_DECLARATION.sub("", html or "", count=1)
    if not text.strip():
        return None, False
    parser = HTMLParser()  # its own error log: the module's shared parser is not thread-safe
    try:
        root = document_fromstring(text, parser=parser)
    except etree.ParserError:  # "Document is empty": only comments or whitespace
        return None, False
    limit = etree.ErrorTypes.ERR_RESOURCE_LIMIT
    return root, any(error.type == limit for error in parser.error_log)
