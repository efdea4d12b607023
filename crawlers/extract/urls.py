"""URLs as the crawl should know them: no fragment, no tracking parameters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

# Added by feeds and share buttons (Google Analytics, Facebook, Zalo); never part of a page.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING = {"fbclid", "gclid", "zarsrc", "gidzl", "_gl"}


def normalized_url(url: str) -> str:
    """``url`` without its fragment and without tracking parameters."""
    parts = urlsplit(urldefrag(url).url)
    if not parts.query:
        return parts.geturl()
    kept = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key not in _TRACKING and not key.startswith(_TRACKING_PREFIXES)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def is_home_page(url: str) -> bool:
    """Whether ``url`` is a site's front page (a canonical some templates give every page)."""
    return urlsplit(url).path.strip("/") in ("", "index.html", "index.htm", "index.php")
