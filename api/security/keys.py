"""API keys with roles, stored hashed in an Elasticsearch index of their own.

A key reads ``vno_<id>.<secret>``: ``id`` (public, 16 hex digits) names the stored record,
so a request costs one realtime GET by id, never a search; ``secret`` is 32 random bytes
(``secrets.token_urlsafe``). The store keeps ``sha256(key)`` only. A fast hash is enough
here, unlike for passwords: the key has 256 bits of entropy, so trying candidates against a
leaked hash is hopeless however fast the hash is, and a slow one (scrypt, PBKDF2) would cost
CPU on every request. The raw key is shown once, by ``vnopinion apikey create``.

Why Elasticsearch rather than a SQLite file: several API instances share one cluster but not
one disk, and a key revoked on one must stop working on all of them at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from elasticsearch import Elasticsearch

from indexer.setup import create_if_missing

__all__ = ["ROLES", "ApiKey", "KeyStore", "NewKey", "Role", "role_at_least"]

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
PREFIX = "vno_"
HEX = set("0123456789abcdef")

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "name": {"type": "keyword"},
        "role": {"type": "keyword"},
        "hash": {"type": "keyword", "index": False},
        "created_at": {"type": "date"},
        "revoked": {"type": "boolean"},
        "revoked_at": {"type": "date"},
    },
}
SETTINGS: dict[str, Any] = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


def role_at_least(role: str, needed: Role) -> bool:
    """viewer < analyst < admin; an unknown role has no rights."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _hash(raw_key: str) -> str:
    return "sha256:" + hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def _key_id(raw_key: str) -> str | None:
    """The id part of a well-formed key, or None."""
    if not raw_key.startswith(PREFIX) or len(raw_key) > 200:
        return None
    key_id, dot, secret = raw_key[len(PREFIX) :].partition(".")
    if not dot or not secret or len(key_id) != 16 or set(key_id) - HEX:
        return None
    return key_id


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    role: Role
    created_at: datetime
    revoked: bool


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # the raw key: shown once, stored nowhere


class KeyStore:
    def __init__(self, es: Elasticsearch, index: str) -> None:
        self.es = es
        self.index = index

    def ensure(self) -> None:
        """Create the index if it is missing (idempotent)."""
        create_if_missing(self.es, self.index, MAPPING, SETTINGS)

    def create(self, name: str, role: Role) -> NewKey:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not name.strip():
            raise ValueError("a key needs a name (who or what uses it)")
        self.ensure()
        key_id = secrets.token_hex(8)
        raw = f"{PREFIX}{key_id}.{secrets.token_urlsafe(32)}"
        key = ApiKey(key_id, name.strip(), role, datetime.now(UTC), revoked=False)
        self.es.index(
            index=self.index, id=key_id, op_type="create", refresh="wait_for",
            document={"name": key.name, "role": role, "hash": _hash(raw),
                      "created_at": key.created_at.isoformat(), "revoked": False},
        )  # fmt: skip
        return NewKey(key, raw)

    def get(self, key_id: str) -> ApiKey | None:
        found = self.es.options(ignore_status=404).get(index=self.index, id=key_id)
        if not found.body.get("found"):
            return None
        return _from_source(key_id, found.body["_source"])

    def list(self) -> list[ApiKey]:
        if not self.es.indices.exists(index=self.index):
            return []
        response = self.es.search(
            index=self.index, size=10_000, sort=[{"created_at": "asc"}],
            query={"match_all": {}},
        )  # fmt: skip
        return [_from_source(hit["_id"], hit["_source"]) for hit in response["hits"]["hits"]]

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; False when there is no such key. Revoking twice is harmless."""
        if self.get(key_id) is None:
            return False
        self.es.update(
            index=self.index, id=key_id, refresh="wait_for",
            doc={"revoked": True, "revoked_at": datetime.now(UTC).isoformat()},
        )  # fmt: skip
        return True

    def verify(self, raw_key: str) -> ApiKey | None:
        """The live key this raw key is, or None (malformed, unknown, wrong, or revoked)."""
        key_id = _key_id(raw_key)
        if key_id is None:
            return None
        found = self.es.options(ignore_status=404).get(index=self.index, id=key_id)
        if not found.body.get("found"):
            return None
        source = found.body["_source"]
        if not hmac.compare_digest(source.get("hash", ""), _hash(raw_key)):
            return None
        key = _from_source(key_id, source)
        return None if key.revoked else key


def _from_source(key_id: str, source: dict[str, Any]) -> ApiKey:
    return ApiKey(
        id=key_id, name=source["name"], role=source["role"],
        created_at=datetime.fromisoformat(source["created_at"]),
        revoked=bool(source.get("revoked")),
    )  # fmt: skip
