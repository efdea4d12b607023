"""Article extraction: a page's HTML in, an ``Article`` (or a named refusal) out.

``extract_article`` reads one article page; ``article_links`` reads a listing page.
Both take the site's ``Source`` from ``crawlers/sources.yaml``.
"""

from __future__ import annotations

from crawlers.extract.article import extract_article
from crawlers.extract.errors import ExtractionError
from crawlers.extract.links import article_links

__all__ = ["ExtractionError", "article_links", "extract_article"]
