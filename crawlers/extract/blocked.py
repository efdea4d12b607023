"""Bot-challenge pages (Cloudflare's "Just a moment...") are refusals, never content.

voz.vn serves one to non-browser clients; parsed as a page it would become an "article"
titled "Just a moment..." with the challenge's noscript text as its body.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from crawlers.extract.text import clean

_CHALLENGE_TITLES = {
    "just a moment...": "Cloudflare challenge",
    "attention required! | cloudflare": "Cloudflare block page",
    "checking your browser before accessing": "browser check",
    "ddos-guard": "DDoS-Guard challenge",
}
# Inline code only: a Turnstile widget loaded by src on a comment form is not a challenge.
_CHALLENGE_SCRIPTS = {"window._cf_chl_opt": "Cloudflare challenge"}


def challenge_kind(root: HtmlElement) -> str | None:
    """What kind of challenge the page is, or None for an ordinary page."""
    title = clean(root.findtext(".//title")).casefold()
    for marker, kind in _CHALLENGE_TITLES.items():
        if title.startswith(marker):
            return kind
    for script in root.iter("script"):
        code = script.text or ""
        for marker, kind in _CHALLENGE_SCRIPTS.items():
            if marker in code:
                return kind
    return None
