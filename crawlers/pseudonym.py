"""Pseudonymous commenter ids (Decree 13/2023/NĐ-CP: names are personal data).

An author id is a keyed hash (HMAC-SHA256) of the site and the display name: stable, so
an analyst can follow one commenter, but not reversible without the key. The key comes
from settings or from a key ring generated in the data directory (readable by its owner
only): one line ``<version> <hex>`` per key, the highest version in use.

Rotation (``vnopinion privacy rotate-key``) adds a new version: documents crawled afterwards
use it, so the same commenter gets a new, unlinkable id from then on, while ids already
indexed stay as they are. Older keys are kept so that those ids stay meaningful: with the
ring, an operator answering a data subject's request can still compute every id a name had.
Destroying an old key (by hand) makes the ids made with it anonymous for good.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import VnopinionError
from vnopinion.settings import Settings

KEY_FILE = "pseudonym.key"

__all__ = ["KEY_FILE", "KeyRing", "Pseudonymizer", "load_keyring", "load_or_create_key",
           "rotate_key"]  # fmt: skip


@dataclass(frozen=True)
class KeyRing:
    keys: dict[int, bytes]

    @property
    def version(self) -> int:
        return max(self.keys)

    @property
    def current(self) -> bytes:
        return self.keys[self.version]


def _parse(text: str) -> KeyRing:
    keys: dict[int, bytes] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        version, _, key = line.strip().rpartition(" ")
        # A bare hex line is the single key written before rotation existed: version 1.
        keys[int(version) if version else 1] = bytes.fromhex(key)
    if not keys:
        raise VnopinionError("The pseudonym key file is empty.",
                             hint="restore it from backup; never replace it by hand.")  # fmt: skip
    return KeyRing(keys)


def _format(ring: KeyRing) -> str:
    return "".join(f"{version} {key.hex()}\n" for version, key in sorted(ring.keys.items()))


def load_keyring(settings: Settings) -> KeyRing:
    if settings.pseudonym_key is not None:
        return KeyRing({1: settings.pseudonym_key.get_secret_value().encode("utf-8")})
    path = Path(settings.data_dir) / KEY_FILE
    if path.is_file():
        return _parse(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    ring = KeyRing({1: secrets.token_bytes(32)})
    # Two crawlers starting at once must neither end up with two keys nor read a half-written
    # one: the ring is written to a file of our own, then linked into place (fails if present).
    draft = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(_format(ring))
    try:
        os.link(draft, path)
    except FileExistsError:
        return _parse(path.read_text())
    finally:
        draft.unlink()
    return ring


def load_or_create_key(settings: Settings) -> bytes:
    """The key new documents are pseudonymised with (the ring's newest)."""
    return load_keyring(settings).current


def rotate_key(settings: Settings) -> KeyRing:
    """Add a new key version to the ring in ``data_dir``; the old ones stay."""
    if settings.pseudonym_key is not None:
        raise VnopinionError(
            "The pseudonym key comes from VNOPINION_PSEUDONYM_KEY, not from the key file.",
            hint="set a new VNOPINION_PSEUDONYM_KEY yourself (and keep the old one safely), "
            "or unset it to let vnopinion manage a key ring in the data directory.",
        )
    ring = load_keyring(settings)
    rotated = KeyRing({**ring.keys, ring.version + 1: secrets.token_bytes(32)})
    path = Path(settings.data_dir) / KEY_FILE
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(_format(rotated))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)  # atomic: a crawler reads the old ring or the new one
    return rotated


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key

    def author_id(self, source: str, display_name: str) -> str:
        """``u_`` and 20 hex digits; the same name on the same site gives the same id."""
        name = unicodedata.normalize("NFC", display_name.strip()).casefold()
        digest = hmac.new(self._key, f"{source}\x00{name}".encode(), hashlib.sha256)
        return "u_" + digest.hexdigest()[:20]
