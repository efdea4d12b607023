"""Seeded aliases on the session's real node, a webhook receiver, and settings per test."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from indexer.bulk import index_documents
from indexer.client import make_client
from indexer.documents import AnyDocument
from indexer.filters import Vocabulary
from indexer.node import LocalNode
from indexer.setup import ensure_index
from tests.api.corpus import CRAWLED, build
from vnopinion.settings import Settings
from vnopinion.vocabulary import load_vocabulary


@contextmanager
def seeded_alias(settings: Settings, docs: Sequence[AnyDocument]) -> Iterator[Settings]:
    """Settings whose (fresh) alias holds ``docs``; the indices are removed at the end."""
    alias = f"t-{uuid.uuid4().hex[:10]}-reports"
    client = make_client(settings)
    try:
        ensure_index(client, alias, now=CRAWLED)
        result = index_documents(client, list(docs), alias, progress=False)
        assert result.indexed == len(docs), result.summary()
        client.indices.refresh(index=alias)
        yield settings.model_copy(update={"index_alias": alias})
    finally:
        indices = list(client.indices.get(index=f"{alias}-*", allow_no_indices=True))
        if indices:
            client.indices.delete(index=",".join(indices))
        client.options(ignore_status=404).indices.delete_index_template(name=alias)
        client.close()


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="package")
def api_corpus_settings(es_node: LocalNode, es_settings: Settings) -> Iterator[Settings]:
    """The API tests' corpus (tests/api/corpus.py, with its planted spike), indexed once."""
    with seeded_alias(es_settings, build()) as settings:
        yield settings


@dataclass
class Receiver:
    """A webhook stand-in: records every POST body; answers ``status`` after ``delay_s``."""

    url: str = ""
    status: int = 200
    delay_s: float = 0.0
    bodies: list[bytes] = field(default_factory=list)  # taken (2xx)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def payloads(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(body) for body in self.bodies]

    def keys(self) -> list[str]:
        return [payload["key"] for payload in self.payloads()]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(state.delay_s)
            status = state.status
            with state.lock:
                state.attempts += 1
                if 200 <= status < 300:
                    state.bodies.append(body)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver is down")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/secret-token"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def alert_settings(api_corpus_settings: Settings, tmp_path: Path, receiver: Receiver) -> Settings:
    """The corpus alias, a fresh data directory (alert state, log) and the receiver's URL."""
    return api_corpus_settings.model_copy(
        update={"data_dir": tmp_path, "alerts_webhook_url": SecretStr(receiver.url)}
    )
