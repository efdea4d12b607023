"""Durable ingestion: documents Elasticsearch cannot take now wait on disk for a replay.

``<data_dir>/spool/`` holds append-only JSON Lines segments (``segment-*.jsonl``, one
``{"alias": ..., "doc": _source}`` per line) and ``rejected.jsonl``: documents refused for
good (a mapping error would fail forever), each with Elasticsearch's reason.

Each append is whole lines in one write, then fsync. A write that fails is truncated back
and its segment sealed, so a crash or a full disk can only tear a segment's *last* line;
a replay skips that line with a warning (it was never acknowledged, so its article is not
in the crawl state and is fetched again). A writer holds an exclusive ``flock`` on its
segment, which gets its final name only once locked, and a replay skips locked segments, so
two processes on one data directory never delete each other's work. A segment is deleted
only after every document in it is indexed; replaying twice is harmless because writes are
upserts under stable ids.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from tqdm import tqdm

from indexer.bulk import BulkResult, InterruptedIndexingError, Rejection, index_documents
from indexer.documents import AnyDocument, Article, Comment
from indexer.durable_files import fsync_dir, lock_for_replay, write_all
from indexer.errors import IndexingError, VnopinionError
from indexer.setup import ensure_index

log = logging.getLogger(__name__)

SEGMENT_GLOB = "segment-*.jsonl"
REJECTED_FILE = "rejected.jsonl"
SEGMENT_MAX_DOCS = 5000
_MODELS: dict[object, type[Article] | type[Comment]] = {"article": Article, "comment": Comment}


class SpoolError(VnopinionError):
    """The spool could not be written (or read back): documents are not safe on disk."""


@dataclass
class ReplayReport:
    result: BulkResult = field(default_factory=BulkResult)
    segments: int = 0  # replayed and deleted
    kept: int = 0  # segments left for later (a retryable refusal or an outage)
    busy: int = 0  # segments another writer still holds
    torn: int = 0  # torn last lines skipped
    error: str | None = None  # why the replay stopped early

    def summary(self) -> str:
        text = f"{self.result.replayed} documents replayed from {self.segments} segments"
        if self.result.rejected:
            text += f", {len(self.result.rejected)} rejected for good ({REJECTED_FILE})"
        if self.torn:
            text += f", {self.torn} torn lines skipped"
        if self.kept or self.busy:
            text += f"; {self.kept} segments kept for later, {self.busy} still being written"
        return text


class Spool:
    """Segments under ``directory``; thread-safe for writers in one process."""

    def __init__(self, directory: Path, max_docs: int = SEGMENT_MAX_DOCS) -> None:
        self.directory = directory
        self.max_docs = max_docs
        self._fd: int | None = None
        self._lines = 0
        self._lock = threading.Lock()

    def segments(self) -> list[Path]:
        """Segments on disk, oldest first (none if the folder is missing or not a folder)."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob(SEGMENT_GLOB))

    def pending(self) -> int:
        """Documents waiting in the spool (lines in its segments)."""
        return sum(_read_bytes(p).count(b"\n") for p in self.segments())

    def append(self, alias: str, documents: list[AnyDocument]) -> int:
        """Write ``documents`` durably (fsync'd) or raise ``SpoolError``; return how many."""
        if not documents:
            return 0
        lines = [{"alias": alias, "doc": d.to_source()} for d in documents]
        with self._lock:
            if self._fd is None:
                self._fd = self._new_segment()
            self._write(self._fd, _encode(lines))
            self._lines += len(documents)
            if self._lines >= self.max_docs:
                self._seal_locked()
        return len(documents)

    def reject(self, alias: str, rejected: list[tuple[Rejection, dict[str, Any]]]) -> None:
        """Keep documents refused for good, with the reason, in ``rejected.jsonl``."""
        if not rejected:
            return
        lines = [
            {"alias": alias, "id": r.id, "status": r.status, "reason": r.reason, "doc": doc}
            for r, doc in rejected
        ]
        with self._lock:
            fd = self._open(self.directory / REJECTED_FILE, os.O_CREAT)
            try:
                self._write(fd, _encode(lines), seal=False)
            finally:
                os.close(fd)

    def seal(self) -> None:
        """Close the segment being written; the next append starts a new one."""
        with self._lock:
            self._seal_locked()

    def close(self) -> None:
        self.seal()

    # -- internals -----------------------------------------------------------------------

    def _seal_locked(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the flock
        self._fd, self._lines = None, 0

    def _new_segment(self) -> int:
        name = f"segment-{time.time_ns():020d}-{os.getpid()}.jsonl"
        temporary = self.directory / f".{name}.new"
        fd = self._open(temporary, os.O_CREAT | os.O_EXCL)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            # Named as a segment only once locked: a replay never takes one being written.
            temporary.rename(self.directory / name)
            fsync_dir(self.directory)
        except OSError as exc:
            os.close(fd)
            raise self._error(exc) from exc
        return fd

    def _open(self, path: Path, flags: int) -> int:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            return os.open(path, os.O_WRONLY | os.O_APPEND | flags, 0o600)
        except OSError as exc:
            raise self._error(exc) from exc

    def _write(self, fd: int, data: bytes, *, seal: bool = True) -> None:
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            write_all(fd, data)
            os.fsync(fd)
        except OSError as exc:
            # Never leave half a line where the next append would follow it.
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
            except OSError:
                log.warning("could not truncate a failed spool write; replay skips torn lines")
            if seal:
                self._seal_locked()
            raise self._error(exc) from exc

    def _error(self, exc: OSError) -> SpoolError:
        return SpoolError(
            f"Cannot write the spool at {self.directory}: {exc.strerror or exc}.",
            hint=f"make {self.directory} a writable folder with free space. Documents that "
            "were not spooled were not recorded as stored, so they are fetched again.",
        )


def store_durably(
    client: Elasticsearch | None,
    documents: list[AnyDocument],
    alias: str,
    spool: Spool,
    *,
    chunk_size: int = 500,
) -> BulkResult:
    """Index ``documents``; what Elasticsearch cannot take now goes to ``spool``.

    ``client=None`` means Elasticsearch is known to be away: everything is spooled. In the
    result, ``rejected`` holds only refusals for good (also written to ``rejected.jsonl``);
    retryable ones (429, 5xx) are counted in ``spooled``. Raises ``SpoolError``.
    """
    if client is None:
        return BulkResult(spooled=spool.append(alias, documents))
    try:
        result = index_documents(client, documents, alias, chunk_size=chunk_size, progress=False)
    except InterruptedIndexingError as exc:
        log.warning("Elasticsearch is away; spooling %d documents: %s", len(exc.pending), exc)
        exc.result.spooled += spool.append(alias, exc.pending)
        return exc.result
    return _spool_refusals(result, documents, alias, spool)


def _spool_refusals(
    result: BulkResult, documents: list[AnyDocument], alias: str, spool: Spool
) -> BulkResult:
    if not result.rejected:
        return result
    by_id = {d.id: d for d in documents}
    retry = [r for r in result.rejected if r.retryable]
    permanent = [r for r in result.rejected if not r.retryable]
    result.spooled += spool.append(alias, [by_id[r.id] for r in retry if r.id in by_id])
    spool.reject(alias, [(r, by_id[r.id].to_source()) for r in permanent if r.id in by_id])
    result.rejected = permanent
    return result


def replay(
    client: Elasticsearch, spool: Spool, *, chunk_size: int = 500, progress: bool = False
) -> ReplayReport:
    """Index every spooled segment (oldest first) and delete each one that went in whole.

    Stops at the first outage (``error`` says why); a segment with a retryable refusal is
    kept for the next replay. Raises ``SpoolError`` for a segment corrupted before its end.
    """
    spool.seal()
    report = ReplayReport()
    segments = spool.segments()
    bar = tqdm(total=len(segments), desc="replaying", unit="segment", disable=not progress)
    ready: set[str] = set()
    try:
        for path in segments:
            fd = lock_for_replay(path)
            if fd is None:
                report.busy += 1
            else:
                try:
                    _replay_segment(client, spool, path, report, ready, chunk_size)
                except IndexingError as exc:
                    report.error = str(exc)
                    report.kept += 1
                    break
                finally:
                    os.close(fd)
            bar.update(1)
    finally:
        bar.close()
    return report


def _replay_segment(
    client: Elasticsearch,
    spool: Spool,
    path: Path,
    report: ReplayReport,
    ready: set[str],
    chunk_size: int,
) -> None:
    by_alias, torn = _read_segment(path)
    report.torn += torn
    replayed, kept = 0, False
    for alias, (documents, invalid) in by_alias.items():
        if alias not in ready:
            ensure_index(client, alias)
            ready.add(alias)
        result = index_documents(client, documents, alias, chunk_size=chunk_size, progress=False)
        retry = [r for r in result.rejected if r.retryable]
        by_id = {d.id: d for d in documents}
        permanent = [(r, by_id[r.id].to_source()) for r in result.rejected if not r.retryable]
        spool.reject(alias, permanent + invalid)
        report.result.rejected.extend(r for r, _ in permanent + invalid)
        replayed += result.indexed
        kept = kept or bool(retry)
    if kept:
        report.kept += 1
        return
    path.unlink()
    fsync_dir(path.parent)
    report.segments += 1
    report.result.replayed += replayed


def _read_segment(
    path: Path,
) -> tuple[dict[str, tuple[list[AnyDocument], list[tuple[Rejection, dict[str, Any]]]]], int]:
    """Documents by alias (and lines the model refuses), and how many torn lines were skipped."""
    lines = _read_bytes(path).split(b"\n")
    out: dict[str, tuple[list[AnyDocument], list[tuple[Rejection, dict[str, Any]]]]] = {}
    torn = 0
    for number, raw in enumerate(lines, start=1):
        if not raw:
            continue
        try:
            entry = json.loads(raw)
            alias, source = str(entry["alias"]), entry["doc"]
        except (ValueError, KeyError, TypeError) as exc:
            if number < len(lines):  # it ends with a newline: complete, not a torn write
                raise SpoolError(
                    f"Spool segment {path} is corrupt at line {number}.",
                    hint="inspect the file; move it out of the spool folder to replay the rest.",
                ) from exc
            log.warning("skipping the torn last line of %s (a write cut short)", path)
            torn += 1
            continue
        documents, invalid = out.setdefault(alias, ([], []))
        try:
            model = _MODELS.get(source.get("kind")) if isinstance(source, dict) else None
            if model is None:
                raise ValueError(f"unknown kind of document: {str(source)[:80]}")
            documents.append(model.model_validate(source))
        except ValueError as exc:  # pydantic's ValidationError among them
            doc_id = str(source.get("id")) if isinstance(source, dict) else "?"
            invalid.append((Rejection(doc_id, alias, 0, f"invalid document: {exc}"), source))
    return out, torn


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SpoolError(
            f"Cannot read spool segment {path}: {exc.strerror or exc}.",
            hint="check the file's permissions; nothing was deleted.",
        ) from exc


def _encode(lines: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(x, ensure_ascii=False).encode() + b"\n" for x in lines)
