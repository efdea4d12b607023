"""Send saved objects to Kibana's import API (``POST /api/saved_objects/_import``).

Kibana answers 200 even when it refuses some objects: every answer is read, and any object
it did not take (other than one it kept because overwriting was off) is a named failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from indexer.errors import KibanaError
from indexer.kibana import DASHBOARD_ID

IMPORT_PATH = "/api/saved_objects/_import"
UPLOAD_NAME = "vnopinion.ndjson"  # Kibana only takes a file whose name ends in .ndjson
_SPACE_ID = re.compile(r"^[a-z0-9_-]+$")
_HINTS = {
    401: "check --user and --password (with docker-compose: the elastic user and "
    "ELASTIC_PASSWORD from .env).",
    403: "this user may not manage saved objects in that space; use one that may (elastic).",
    404: "check that --url is Kibana's address (e.g. http://localhost:5601) and that the "
    "space exists (Stack Management > Spaces).",
}


@dataclass(frozen=True)
class ImportReport:
    """What Kibana took, and what it kept as it was (a conflict with overwriting off)."""

    success_count: int
    imported: list[str]
    kept: list[str]
    dashboard_url: str


def space_url(kibana_url: str, space: str | None = None) -> str:
    """Kibana's address in ``space``: ``http://host:5601/s/<space>``; the default space has
    no prefix."""
    parts = urlsplit(kibana_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KibanaError(
            f"{kibana_url!r} is not a Kibana address", hint="give --url like http://localhost:5601"
        )
    if parts.username or parts.password:
        raise KibanaError("The Kibana URL holds credentials", hint="give --user and --password")
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    if not space or space == "default":
        return base
    if not _SPACE_ID.match(space):
        raise KibanaError(
            f"{space!r} is not a Kibana space id",
            hint="space ids are lower-case letters, digits, '-' and '_' (Stack Management > "
            "Spaces shows them).",
        )
    return f"{base}/s/{space}"


def import_saved_objects(
    kibana_url: str,
    ndjson: str,
    *,
    auth: tuple[str, str] | None = None,
    space: str | None = None,
    overwrite: bool = True,
    timeout_s: float = 60.0,
) -> ImportReport:
    """Upload ``ndjson`` as the multipart field ``file``; raise ``KibanaError`` on a refusal."""
    base = space_url(kibana_url, space)
    url = base + IMPORT_PATH
    try:
        response = httpx.post(
            url,
            params={"overwrite": "true" if overwrite else "false"},
            files={"file": (UPLOAD_NAME, ndjson.encode("utf-8"), "application/ndjson")},
            headers={"kbn-xsrf": "true"},
            auth=auth,
            timeout=timeout_s,
        )
    except httpx.HTTPError as exc:
        raise KibanaError(
            f"Could not reach Kibana at {base}: {str(exc) or type(exc).__name__}",
            hint="check that Kibana runs (`docker compose ps`; it needs a minute to start) "
            "and that --url is its address, e.g. http://localhost:5601.",
        ) from exc
    if not response.is_success:
        raise _refusal(response, url)
    return _report(_answer(response, url), overwrite, base)


def _refusal(response: httpx.Response, url: str) -> KibanaError:
    status = response.status_code
    hint = _HINTS.get(status, "see Kibana's log (`docker compose logs kibana`).")
    if response.is_redirect:
        hint = f"Kibana sent us to {response.headers.get('location')}: give that as --url."
    message = _message(response)
    return KibanaError(
        f"Kibana answered {status} {response.reason_phrase} to POST {url}"
        + (f": {message}" if message else ""),
        hint=hint,
    )


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:500]
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return response.text.strip()[:500]


def _answer(response: httpx.Response, url: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "success" not in body:
        raise KibanaError(
            f"{url} did not answer like Kibana's import API",
            hint="check that --url is Kibana (port 5601), not Elasticsearch (9200).",
            details=response.text[:500],
        )
    return body


def _report(answer: dict[str, Any], overwrite: bool, base: str) -> ImportReport:
    imported = [_describe(item) for item in answer.get("successResults", [])]
    kept: list[str] = []
    failed: list[str] = []
    for item in answer.get("errors", []):
        error = item.get("error", {})
        if error.get("type") == "conflict" and not overwrite:
            kept.append(_describe(item))
        else:
            failed.append(f"{_describe(item)}: {_reason(error)}")
    success_count = int(answer.get("successCount", len(imported)))
    if failed:
        raise KibanaError(
            f"Kibana imported {success_count} saved objects and refused {len(failed)}",
            hint="fix what each line below names, then import again.",
            details="\n".join(f"  {line}" for line in failed),
        )
    dashboard = f"{base}/app/dashboards#/view/{DASHBOARD_ID}"
    return ImportReport(success_count, imported, kept, dashboard)


def _describe(item: dict[str, Any]) -> str:
    title = item.get("meta", {}).get("title") or item.get("title")
    name = f"{item.get('type')} {item.get('id')}"
    return f"{name} ({title})" if title else name


def _reason(error: dict[str, Any]) -> str:
    kind = str(error.get("type", "unknown"))
    if kind == "missing_references":
        missing = ", ".join(f"{r.get('type')} {r.get('id')}" for r in error.get("references", []))
        return f"missing_references ({missing})"
    if error.get("message"):
        return f"{kind}: {error['message']}"
    return kind
