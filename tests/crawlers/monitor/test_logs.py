"""The monitor's JSON logs: one object per line, each with its cycle id."""

from __future__ import annotations

import io
import json
import logging

from crawlers.monitor.logs import configure_json_logging, cycle_context


def test_every_line_is_json_with_the_cycle_id_and_extras() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_json_logging("c-fixed", stream=stream)
        log = logging.getLogger("vnopinion.test")
        log.info("outside any cycle")
        with cycle_context("c-0042"):
            log.warning("fetched %d documents", 7, extra={"source": "vnexpress"})
            try:
                raise ValueError("bad page")
            except ValueError:
                log.exception("parse failed")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["cycle_id"] for line in lines] == ["c-fixed", "c-0042", "c-0042"]
    assert lines[1]["message"] == "fetched 7 documents"
    assert lines[1]["source"] == "vnexpress"
    assert lines[1]["level"] == "WARNING"
    assert "ValueError: bad page" in lines[2]["exception"]
    assert lines[0]["ts"].endswith("+00:00")
