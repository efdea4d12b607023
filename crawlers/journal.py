"""The fetch journal: every fetched document is on disk before its article counts as fetched.

Without it the pipeline holds a batch in memory and records an article in the crawl state
only once the batch is stored, so a SIGKILL loses the batch and the next crawl fetches those
articles again. With it (Scrapy setting ``VNOPINION_JOURNAL`` = a folder; the monitor turns
it on) each document is appended to a segment and fsync'd (one fsync covers every item
written meanwhile) *before* its article is recorded in the crawl state, so no later crawl
requests it again; once its batch is stored the entry is acknowledged, and a segment whose
entries are all acknowledged is deleted. What is left (a kill, a batch that could be neither
indexed nor spooled) is tagged and stored at the next pipeline open, or by
``replay_journal()`` at the monitor's start-up. Writes are upserts under stable ids, so
storing an entry twice is harmless.

A segment ``journal-*.jsonl`` holds entry lines ``{"seq": n, "doc": _source, "fetched":
{source, urls, ref} | absent}`` and acknowledgement lines ``{"ack": [n, ...]}``. Like the
spool (indexer/spool.py), a writer holds an exclusive ``flock`` on each segment it may still
acknowledge, and the segment gets its final name only once locked; a replay skips locked
segments, so pipelines in one process or on one data directory never replay each other's
live work. A kill mid-write can only tear a line: a replay skips it with a warning (its
article was not yet recorded as fetched, so it is fetched again).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawlers.comments.base import ArticleRef
from crawlers.items import FetchedArticle
from indexer.documents import AnyDocument, Article, Comment
from indexer.durable_files import fsync_dir, lock_for_replay, write_all

if TYPE_CHECKING:
    from nlp.tagger import Tagger
    from vnopinion.settings import Settings

log = logging.getLogger(__name__)
JOURNAL_SETTING = "VNOPINION_JOURNAL"  # Scrapy setting: the journal's folder, or unset
# Scrapy setting: journal only, the monitor tags and stores (crawlers/pipeline.py)
DEFER_SETTING = "VNOPINION_JOURNAL_DEFER"
JOURNAL_DIR = "journal"  # under the data directory, by convention
SEGMENT_GLOB = "journal-*.jsonl"
UNNAMED_GLOB = ".journal-*.jsonl.new"  # a segment created but not yet locked and named
SEGMENT_MAX_ENTRIES = 2000
_MODELS: dict[object, type[Article] | type[Comment]] = {"article": Article, "comment": Comment}

JournalItem = FetchedArticle | AnyDocument


@dataclass(frozen=True)
class Ticket:
    """Where an entry was written: what the pipeline hands back to acknowledge it."""

    segment: str
    seq: int


@dataclass
class JournalReplayReport:
    entries: int = 0  # unacknowledged entries found
    stored: int = 0  # of them stored (or spooled) and acknowledged now
    segments: int = 0  # segments fully handled and deleted
    kept: int = 0  # segments left for later (storing failed)
    busy: int = 0  # segments a live writer still holds
    torn: int = 0  # torn or unreadable lines skipped
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"journal: {self.stored} of {self.entries} entries stored from {self.segments}"
        text += " segments"
        if self.torn:
            text += f", {self.torn} torn lines skipped"
        if self.kept or self.busy:
            text += f"; {self.kept} segments kept for later, {self.busy} still being written"
        return text


# -- the writer ----------------------------------------------------------------------------


@dataclass
class _Segment:
    path: Path
    fd: int
    entries: int = 0
    unacked: set[int] = field(default_factory=set)
    dirty: bool = False


class Journal:
    """This process's segments under ``directory``. Thread-safe.

    ``append`` writes a line (no fsync: cheap enough for the reactor thread); ``sync`` makes
    everything appended before it durable; ``ack`` acknowledges entries once stored.
    """

    def __init__(self, directory: Path, max_entries: int = SEGMENT_MAX_ENTRIES) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.max_entries = max_entries
        self.appended = 0  # entries appended so far (a sync covers all of them)
        self._seq = 0
        self._current: _Segment | None = None
        self._open: dict[str, _Segment] = {}  # segments with unacknowledged entries
        self._lock = threading.Lock()

    def append(self, item: JournalItem) -> Ticket:
        entry = _entry(item)
        with self._lock:
            segment = self._writable()
            self._seq += 1
            line = _encode({"seq": self._seq, **entry})
            write_all(segment.fd, line)
            segment.entries += 1
            segment.unacked.add(self._seq)
            segment.dirty = True
            self.appended += 1
            return Ticket(segment.path.name, self._seq)

    def sync(self) -> None:
        """fsync every segment written since the last sync (outside the lock)."""
        with self._lock:
            dirty = [s for s in self._open.values() if s.dirty]
            fds = [os.dup(s.fd) for s in dirty]
            for segment in dirty:
                segment.dirty = False
        try:
            for fd in fds:
                os.fsync(fd)
        finally:
            for fd in fds:
                os.close(fd)

    def ack(self, tickets: Iterable[Ticket]) -> None:
        """Acknowledge stored entries; a segment done with (and rotated out) is deleted."""
        by_segment: dict[str, list[int]] = {}
        for ticket in tickets:
            by_segment.setdefault(ticket.segment, []).append(ticket.seq)
        with self._lock:
            for name, seqs in by_segment.items():
                segment = self._open.get(name)
                if segment is None:
                    continue
                segment.unacked.difference_update(seqs)
                if not segment.unacked and segment is not self._current:
                    self._delete(segment)
                else:  # an ack need not be durable: losing it only repeats an upsert
                    write_all(segment.fd, _encode({"ack": sorted(seqs)}))

    def close(self) -> None:
        """Sync and release every segment; those fully acknowledged are deleted."""
        self.sync()
        with self._lock:
            for segment in list(self._open.values()):
                if not segment.unacked:
                    self._delete(segment)
                else:
                    os.close(segment.fd)
            self._open.clear()
            self._current = None

    def _writable(self) -> _Segment:
        current = self._current
        if current is not None and current.entries < self.max_entries:
            return current
        if current is not None and not current.unacked:
            self._delete(current)
        self._current = self._new_segment()
        self._open[self._current.path.name] = self._current
        return self._current

    def _new_segment(self) -> _Segment:
        """Locked before it gets its final name, so no replay ever takes a live segment."""
        name = f"journal-{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        temporary = self.directory / f".{name}.new"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        final = self.directory / name
        os.rename(temporary, final)
        fsync_dir(self.directory)
        return _Segment(final, fd)

    def _delete(self, segment: _Segment) -> None:
        segment.path.unlink(missing_ok=True)  # unlinked while still locked: no replay races
        os.close(segment.fd)
        self._open.pop(segment.path.name, None)
        if segment is self._current:
            self._current = None


# -- the replay ----------------------------------------------------------------------------

StoreItems = Callable[[list[JournalItem]], bool]


def default_journal_dir(settings: Settings) -> Path:
    """``<data_dir>/journal``: where the monitor keeps the journal."""
    return settings.data_dir / JOURNAL_DIR


def segments(directory: Path) -> list[Path]:
    """Segments on disk, oldest first."""
    return sorted(directory.glob(SEGMENT_GLOB)) if directory.is_dir() else []


def replay(directory: Path, store: StoreItems, chunk_size: int) -> JournalReplayReport:
    """Hand every unacknowledged entry to ``store`` (chunks of ``chunk_size``), then
    acknowledge it; ``store`` returns False when the chunk was not stored (it stays)."""
    report = JournalReplayReport()
    _remove_unnamed(directory)
    for path in segments(directory):
        fd = lock_for_replay(path)
        if fd is None:
            report.busy += 1
            continue
        try:
            _replay_segment(path, fd, store, max(chunk_size, 1), report)
        finally:
            os.close(fd)
    if report.entries or report.torn:
        log.info(report.summary())
    return report


def replay_journal(
    settings: Settings, journal_dir: Path, tagger: Tagger | None = None
) -> JournalReplayReport:
    """Tag and store what a killed crawl left in ``journal_dir`` (the monitor, at start-up).

    Stores as the pipeline does (Elasticsearch with the spool behind it, near-duplicate
    marks, crawl state); the tagger is loaded only when there is something to replay, and
    one passed in is not closed.
    """
    if not segments(journal_dir):
        return JournalReplayReport()
    from crawlers.pipeline import StandaloneStore  # the pipeline imports this module

    with StandaloneStore(settings, tagger) as store:
        return replay(journal_dir, store.store_items, settings.bulk_chunk_size)


def _replay_segment(
    path: Path, fd: int, store: StoreItems, chunk_size: int, report: JournalReplayReport
) -> None:
    pending, torn = _read_pending(path)
    report.torn += torn
    report.entries += len(pending)
    for start in range(0, len(pending), chunk_size):
        chunk = pending[start : start + chunk_size]
        if not store([item for _, item in chunk]):
            report.kept += 1
            report.errors.append(f"{path.name}: a chunk of {len(chunk)} was not stored")
            return
        report.stored += len(chunk)
        _append_ack(fd, path, [seq for seq, _ in chunk])
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)
    report.segments += 1


def _read_pending(path: Path) -> tuple[list[tuple[int, JournalItem]], int]:
    """Unacknowledged entries in order, and how many lines were torn or unreadable."""
    entries: dict[int, JournalItem] = {}
    acked: set[int] = set()
    torn = 0
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            if "ack" in line:
                acked.update(int(s) for s in line["ack"])
            else:
                entries[int(line["seq"])] = _decode(line)
        except (ValueError, KeyError, TypeError) as exc:  # pydantic's ValidationError too
            log.warning("journal %s: skipping line %d (torn by a kill?): %s", path, number, exc)
            torn += 1
    return [(seq, item) for seq, item in sorted(entries.items()) if seq not in acked], torn


def _append_ack(fd: int, path: Path, seqs: list[int]) -> None:
    """An ack line, on a line of its own even after a torn last line."""
    data = path.read_bytes()
    prefix = b"" if not data or data.endswith(b"\n") else b"\n"
    with open(path, "ab") as handle:  # the lock is held on ``fd``
        handle.write(prefix + _encode({"ack": seqs}))


def _remove_unnamed(directory: Path) -> None:
    """Segments a kill left before they were named hold nothing; a live writer's is locked."""
    for path in directory.glob(UNNAMED_GLOB) if directory.is_dir() else []:
        fd = lock_for_replay(path)
        if fd is not None:
            path.unlink(missing_ok=True)
            os.close(fd)


# -- encoding ------------------------------------------------------------------------------


def _entry(item: JournalItem) -> dict[str, Any]:
    if isinstance(item, FetchedArticle):
        ref = asdict(item.comment_ref) if item.comment_ref else None
        fetched = {"source": item.source_key, "urls": item.urls, "ref": ref}
        return {"doc": item.document.to_source(), "fetched": fetched}
    return {"doc": item.to_source()}


def _decode(line: dict[str, Any]) -> JournalItem:
    source = line["doc"]
    model = _MODELS.get(source.get("kind"))
    if model is None:
        raise ValueError(f"unknown kind of document: {str(source)[:80]}")
    document = model.model_validate(source)
    fetched = line.get("fetched")
    if fetched is None:
        return document
    if not isinstance(document, Article):
        raise ValueError("a fetched article's entry holds a comment")
    ref = ArticleRef(**fetched["ref"]) if fetched.get("ref") else None
    return FetchedArticle(document, str(fetched["source"]), list(fetched["urls"]), ref)


def _encode(line: dict[str, Any]) -> bytes:
    return json.dumps(line, ensure_ascii=False).encode() + b"\n"
