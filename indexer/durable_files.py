"""Append-only segment files that survive a kill: the spool (``indexer/spool.py``) and the
crawl's fetch journal (``crawlers/journal.py``) both keep their lines this way.

A writer holds an flock on its segment while it appends; a replayer takes the same lock
without waiting, so it only ever reads segments no live writer owns.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (it may write fewer)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fsync_dir(directory: Path) -> None:
    """Make a created, renamed or deleted name in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock_for_replay(path: Path) -> int | None:
    """An fd holding ``path``'s flock, or None if a writer holds it (or it just went)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    if not path.exists():  # deleted by its writer between open and lock
        os.close(fd)
        return None
    return fd
