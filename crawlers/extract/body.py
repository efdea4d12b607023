"""The body text as paragraphs: from a site's body selector, or from trafilatura.

Both paths end in ``tidy``: the title and lead are not body text (trafilatura keeps them on
some layouts), and a byline left as the last line ("Lê Phương", "Hà Thu (tổng hợp)") is the
author, not a paragraph. Captions are left out, except on a photo story, whose captions are
its whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import trafilatura
from lxml.etree import _Element
from lxml.html import HtmlElement

from crawlers.extract.text import clean, same_text, strip_dateline

PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt"}
_BLOCKS = PARAGRAPHS | {"div", "section", "article", "ul", "ol", "dl", "table", "figure", "main"}
# Never body text: media, code, widgets, related-article asides, tables of figures.
_SKIP = {"script", "style", "noscript", "template", "iframe", "video", "audio", "object",
         "embed", "svg", "canvas", "form", "button", "select", "input", "textarea", "aside",
         "nav", "table", "figure", "figcaption"}  # fmt: skip
_CAPTIONS = {"figure", "figcaption"}
# "Lê Phương", "NHẬT XUÂN - NGHI VŨ", "Hà Thu (tổng hợp)", "Thu Hằng/VOV.VN"
_BYLINE_NOTE = re.compile(r"\s*\([^()]{1,40}\)$")
_BYLINE_AGENCY = re.compile(r"\s*/\s*[\w.]+$")
_BYLINE_JOINERS = {"-", "–", ",", "và"}
_MAX_BYLINE = 60


def selected_paragraphs(elements: Iterable[HtmlElement]) -> list[str]:
    """Paragraphs read in document order from the elements a body selector matched."""
    paragraphs: list[str] = []
    captions: list[str] = []
    for element in elements:
        if _tag(element) in PARAGRAPHS and not _has_blocks(element):
            _add(paragraphs, _text(element))
        else:
            _walk(element, paragraphs, captions)
    return paragraphs or captions


def _walk(element: HtmlElement, paragraphs: list[str], captions: list[str]) -> None:
    """Block children become paragraphs; loose inline text between them forms its own."""
    run: list[str] = [element.text or ""]
    for child in element:
        tag = _tag(child)
        if tag in _CAPTIONS:
            _flush(run, paragraphs)
            captions.extend(c for c in _caption_texts(child) if c)
        elif tag in _SKIP or tag == "br":
            _flush(run, paragraphs)
        elif tag in PARAGRAPHS and not _has_blocks(child):
            _flush(run, paragraphs)
            _add(paragraphs, _text(child))
        elif tag in _BLOCKS or _has_blocks(child):
            _flush(run, paragraphs)
            _walk(child, paragraphs, captions)
        elif tag:
            run.append(_text(child))
        run.append(child.tail or "")
    _flush(run, paragraphs)


def _flush(run: list[str], paragraphs: list[str]) -> None:
    _add(paragraphs, "".join(run))
    run.clear()


def _add(paragraphs: list[str], text: str) -> None:
    text = clean(text)
    if text:
        paragraphs.append(text)


def _tag(element: _Element) -> str:
    """Lower-case tag name; "" for comments and processing instructions."""
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _has_blocks(element: HtmlElement) -> bool:
    return any(d is not element for d in element.iter(*_BLOCKS))


def _text(element: _Element) -> str:
    """Visible text of an element: skipped subtrees left out, a line break as a space.

    Also reads trafilatura's XML, whose line break is ``<lb/>``.
    """
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = _tag(child)
        if tag in ("br", "lb"):
            parts.append(" ")
        elif tag and tag not in _SKIP:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _caption_texts(element: HtmlElement) -> list[str]:
    if _tag(element) == "figcaption":
        return [clean(_text(element))]
    return [clean(_text(c)) for c in element.iter("figcaption")]


def generic_paragraphs(html: str, url: str, prune_xpath: list[str]) -> list[str]:
    """trafilatura's main text (precision first, no comments, no tables) as paragraphs."""
    document = trafilatura.bare_extraction(
        html, url=url, favor_precision=True, include_comments=False, include_tables=False,
        include_images=False, include_formatting=False, with_metadata=False,
        prune_xpath=prune_xpath or None,
    )  # fmt: skip
    body = getattr(document, "body", None)
    if body is None:
        return []
    paragraphs: list[str] = []
    for element in body:
        tag = _tag(element)
        if tag in ("p", "head", "quote"):
            _add(paragraphs, _text(element))
        elif tag == "list":
            for item in element.iter("item"):
                _add(paragraphs, _text(item))
    return paragraphs


def tidy(paragraphs: list[str], title: str, lead: str | None) -> tuple[list[str], str | None]:
    """Paragraphs without a repeated title or lead and without a closing byline.

    Returns the paragraphs and the byline's name, if the last line was one.
    """
    kept = [p for i, p in enumerate(paragraphs) if i >= 3 or not _is_heading(p, title, lead)]
    kept = [p for i, p in enumerate(kept) if i == 0 or p != kept[i - 1]]
    byline = byline_name(kept[-1]) if len(kept) > 1 else None
    return (kept[:-1], byline) if byline else (kept, None)


def _is_heading(paragraph: str, title: str, lead: str | None) -> bool:
    if same_text(paragraph, title):
        return True
    return bool(lead) and same_text(strip_dateline(paragraph), lead or "")


def byline_name(line: str) -> str | None:
    """The author's name if ``line`` is a byline, else None."""
    if len(line) > _MAX_BYLINE or any(c.isdigit() for c in line):
        return None
    name = _BYLINE_AGENCY.sub("", _BYLINE_NOTE.sub("", line)).strip()
    words = [w for w in name.replace(",", " , ").split() if w not in _BYLINE_JOINERS]
    if not 2 <= len(words) <= 8 or name.endswith((".", ":", "?", "!", '"')):
        return None
    if not all(w[0].isupper() and w.replace(".", "").replace("-", "").isalpha() for w in words):
        return None
    return name
