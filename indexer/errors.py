"""Named failures of the indexer and the node manager."""

from __future__ import annotations


class VnopinionError(Exception):
    """A failure with a message for people and a hint saying what to do about it."""

    def __init__(self, message: str, hint: str = "", details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def __str__(self) -> str:
        parts = [self.message]
        if self.hint:
            parts.append(f"What to do: {self.hint}")
        if self.details:
            parts.append(self.details)
        return "\n".join(parts)


class NodeError(VnopinionError):
    """The local Elasticsearch node could not be obtained, started, reached or stopped."""


class IndexingError(VnopinionError):
    """Elasticsearch rejected or could not take a write."""


class KibanaError(VnopinionError):
    """Kibana could not be reached, or refused the saved objects."""


class QueryError(VnopinionError):
    """Elasticsearch answered a read with an error inside a 200 (a failed ``_msearch`` item)."""
