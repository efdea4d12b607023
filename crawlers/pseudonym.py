"""Pseudonymous commenter ids (Decree 13/2023/NĐ-CP: names are personal data).

An author id is a keyed hash (HMAC-SHA256) of the site and the display name: stable, so
an analyst can follow one commenter, but not reversible without the key. The key comes
from settings or is generated once in the data directory (readable by its owner only).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

from vnopinion.settings import Settings

KEY_FILE = "pseudonym.key"


def load_or_create_key(settings: Settings) -> bytes:
    if settings.pseudonym_key is not None:
        return settings.pseudonym_key.get_secret_value().encode("utf-8")
    path = Path(settings.data_dir) / KEY_FILE
    if path.is_file():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # Two crawlers starting at once must neither end up with two keys nor read a half-written
    # one: the key is written to a file of our own, then linked into place (fails if present).
    draft = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    finally:
        draft.unlink()
    return key


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
