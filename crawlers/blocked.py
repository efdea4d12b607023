"""Bot-challenge and block pages (Cloudflare's "Just a moment...") are refusals, not content.

voz.vn serves one to non-browser clients; parsed as a page it would become an "article"
titled "Just a moment..." or a comment thread of noscript text. Both the article extractor
and the comment adapters ask here.
"""

from __future__ import annotations

import re

_TITLES = {
    "just a moment...": "Cloudflare challenge",
    "attention required! | cloudflare": "Cloudflare block page",
    "checking your browser before accessing": "browser check",
    "ddos-guard": "DDoS-Guard challenge",
}
# Markers only a challenge or block page carries. The bare ``/cdn-cgi/challenge-platform/``
# path is not one of them: Cloudflare injects ``.../scripts/jsd/main.js`` into normal pages,
# and a Turnstile widget loaded on a comment form is not a challenge either.
_MARKERS = {
    "window._cf_chl_opt": "Cloudflare challenge",
    "/cdn-cgi/challenge-platform/h/": "Cloudflare challenge",
    "cf-browser-verification": "Cloudflare challenge",
    "cf-challenge-running": "Cloudflare challenge",
    "cf-error-details": "Cloudflare block page",
}
_TITLE = re.compile(r"<title[^>]*>\s*([^<]*?)\s*</title>", re.IGNORECASE)


def challenge_kind(html: str) -> str | None:
    """What kind of challenge or block page ``html`` is, or None for an ordinary page."""
    title = _TITLE.search(html[:8192])
    if title:
        text = title.group(1).strip().casefold()
        for prefix, kind in _TITLES.items():
            if text.startswith(prefix):
                return kind
    for marker, kind in _MARKERS.items():
        if marker in html:
            return kind
    return None
