"""POST one alert as JSON to the configured webhook; anything but a 2xx answer is a failure.

The webhook URL may carry a token (Slack, Mattermost, Teams hooks do), so messages name only
its scheme, host and port.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

__all__ = ["WebhookError", "post_alert", "safe_url"]

USER_AGENT = "vnopinion-alerts"


class WebhookError(Exception):
    """The webhook did not take the alert: its answer, or why no answer came."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def safe_url(url: str) -> str:
    """The URL without path, query or credentials, for messages.

    >>> safe_url("https://user:pw@hooks.example.org:8443/services/T0/B0/secret?x=1")
    'https://hooks.example.org:8443/…'
    """
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"


def post_alert(client: httpx.Client, url: str, payload: dict[str, Any]) -> int:
    """Send ``payload``; return the status code of a 2xx answer, else raise WebhookError."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise WebhookError(f"no answer from {safe_url(url)}: {type(exc).__name__}: {exc}") from exc
    if not response.is_success:
        text = " ".join(response.text.split())[:200]
        raise WebhookError(
            f"{safe_url(url)} answered {response.status_code} {response.reason_phrase}"
            + (f": {text}" if text else "")
        )
    return response.status_code
