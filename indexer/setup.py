"""Idempotent index set-up, run at every start: template, current month's index, alias."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer.errors import IndexingError
from indexer.mapping import index_for_date, index_template, template_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SetupResult:
    template: str
    index: str
    index_created: bool


def create_if_missing(
    client: Elasticsearch, index: str, mappings: dict[str, Any], settings: dict[str, Any]
) -> None:
    """Create a side index (API keys, corrections) unless it exists; a race with another
    process creating it at the same moment is harmless (400 ignored)."""
    if client.indices.exists(index=index):
        return
    client.options(ignore_status=400).indices.create(
        index=index, mappings=mappings, settings=settings
    )


def ensure_index(client: Elasticsearch, alias: str, now: datetime | None = None) -> SetupResult:
    """Put the template (always: a changed schema must reach new indices) and make sure the
    alias exists by creating the current month's index if it is missing."""
    name = template_name(alias)
    index = index_for_date(alias, now or datetime.now(UTC))
    try:
        client.indices.put_index_template(name=name, **index_template(alias))
        created = False
        if not client.indices.exists(index=index):
            response = client.options(ignore_status=400).indices.create(index=index)
            error = response.body.get("error") if isinstance(response.body, dict) else None
            if error and error.get("type") != "resource_already_exists_exception":
                raise IndexingError(f"Could not create index {index}: {error.get('reason')}")
            created = error is None
    except (ApiError, TransportError) as exc:
        raise IndexingError(
            f"Elasticsearch refused the index set-up for {alias!r}: {exc}",
            hint="check that the node runs (`vnopinion es status`) and the credentials.",
        ) from exc
    if created:
        log.info("Created index %s behind alias %s", index, alias)
    return SetupResult(name, index, created)
