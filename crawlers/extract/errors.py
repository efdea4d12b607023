"""Why a page is refused: one exception, a short list of named reasons the crawl counts."""

from __future__ import annotations

EMPTY_PAGE = "empty page"
BLOCKED = "blocked by a bot challenge"
NOT_AN_ARTICLE = "not an article page"
NO_TITLE = "no title"
NO_BODY = "no body text"

REASONS = (EMPTY_PAGE, BLOCKED, NOT_AN_ARTICLE, NO_TITLE, NO_BODY)


class ExtractionError(ValueError):
    """A page we refuse (permanent: retrying the same bytes gives the same answer).

    ``reason`` is one of ``REASONS`` so that drops can be counted by name; the message adds
    the URL and what was seen.
    """

    def __init__(self, reason: str, url: str, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown extraction failure reason {reason!r}")
        self.reason = reason
        self.url = url
        message = f"{reason}: {url}"
        super().__init__(f"{message} ({detail})" if detail else message)
