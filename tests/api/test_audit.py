"""The audit log file: one line per record, kept open, reopened when it is moved away."""

from __future__ import annotations

import json
from pathlib import Path

from api.security.audit import AuditLog


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_are_appended_and_readable_at_once(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "logs" / "audit.jsonl")
    log.write({"path": "/trends", "n": 1})
    assert lines(log.path) == [{"path": "/trends", "n": 1}]  # flushed, not buffered
    log.write({"path": "/search", "q": "đền bù"})
    assert [r["path"] for r in lines(log.path)] == ["/trends", "/search"]
    log.close()


def test_a_rotated_log_is_followed_by_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.write({"n": 1})
    path.rename(tmp_path / "audit.jsonl.1")  # what logrotate does
    log.write({"n": 2})
    assert lines(tmp_path / "audit.jsonl.1") == [{"n": 1}]
    assert lines(path) == [{"n": 2}]
    path.unlink()  # removed outright: the next record starts the file again
    log.write({"n": 3})
    assert lines(path) == [{"n": 3}]
    log.close()
    log.write({"n": 4})  # closed logs reopen on demand
    assert lines(path) == [{"n": 3}, {"n": 4}]
    log.close()
