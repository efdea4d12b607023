"""Syndicated copies: near-duplicate articles across sites get ``duplicate_of``.

Vietnamese outlets republish each other's stories (and agency copy) with small edits. We
take MinHash signatures (datasketch) of word 5-shingles of the folded title and body and
query an LSH index: the first article seen is the original, later near-copies point to it.
Nothing is dropped. Signatures persist in SQLite so copies are found across runs.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from crawlers.shared_sqlite import connect_shared
from nlp.text import fold

NUM_PERM = 128
SHINGLE_WORDS = 5
MIN_WORDS = 40  # shorter texts share too much boilerplate to judge
SEED = 7
SCHEMA = "CREATE TABLE IF NOT EXISTS signatures (doc_id TEXT PRIMARY KEY, hashes BLOB NOT NULL);"
SCHEME = "affine64"  # stored signatures must be read back with the scheme that made them


def signature(text: str) -> MinHash | None:
    words = fold(text).split()
    if len(words) < MIN_WORDS:
        return None
    shingles = {
        " ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    }
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return minhash


class NearDuplicates:
    """First seen wins; thread-safe; ``threshold`` is the estimated Jaccard similarity."""

    def __init__(self, path: Path, threshold: float = 0.8) -> None:
        # Shared by the crawler processes of one machine, as the crawl state is.
        self._db = connect_shared(path, SCHEMA)
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._lock = threading.Lock()
        for doc_id, blob in self._db.execute(
            "SELECT doc_id, hashes FROM signatures ORDER BY rowid"
        ):
            hashes = np.frombuffer(blob, dtype=np.uint64)
            self._lsh.insert(
                doc_id, MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashvalues=hashes)
            )

    def original_of(self, doc_id: str, text: str) -> str | None:
        """The id of an earlier near-identical article, or None; remembers this one."""
        minhash = signature(text)
        if minhash is None:
            return None
        with self._lock:
            if doc_id in self._lsh:
                matches = [m for m in self._lsh.query(minhash) if m != doc_id]
                return self._earliest(matches) if matches else None
            matches = self._lsh.query(minhash)
            self._lsh.insert(doc_id, minhash)
            self._db.execute(
                "INSERT OR IGNORE INTO signatures (doc_id, hashes) VALUES (?, ?)",
                (doc_id, minhash.hashvalues.astype(np.uint64).tobytes()),
            )
        return self._earliest(matches) if matches else None

    def _earliest(self, doc_ids: list[str]) -> str:
        marks = ",".join("?" * len(doc_ids))
        row = self._db.execute(
            f"SELECT doc_id FROM signatures WHERE doc_id IN ({marks}) ORDER BY rowid LIMIT 1",  # noqa: S608
            doc_ids,
        ).fetchone()
        return str(row[0]) if row else sorted(doc_ids)[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
