"""Replay: serve saved pages at their real URLs from 127.0.0.1, and keep crawls on this machine.

Used by the offline tests and the crawl benchmark, never by a production crawl.

``LocalSites`` maps real URLs (https://vnexpress.net/kinh-doanh) to files: saved pages in
../shared are read in place, our own pages from tests/fixtures. The downloader middleware
``ToLocalSites`` rewrites every request for another host to the local server and restores
the real URL on the response, so spiders see the URLs they would see online.
``outside_network_blocked`` refuses any socket connection or name lookup that is not local.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
BASE_SETTING = "LOCAL_SITES_BASE"


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"


@dataclass
class LocalSites:
    """A local server for ``pages`` keyed by real URL (scheme ignored, query kept)."""

    pages: dict[str, Page]
    requests: list[str] = field(default_factory=list)
    delay_s: float = 0.0  # per response, to make a crawl slow enough to interrupt
    # Called with each request's page key before it is answered (a test may hold it there).
    before_response: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        sites = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                real = self.path.lstrip("/")  # "<host>/<path>?<query>"
                sites.requests.append(real)
                if sites.before_response is not None:
                    sites.before_response(real)
                if sites.delay_s:
                    time.sleep(sites.delay_s)
                page = sites.pages.get(real)
                if page is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def page_key(url: str) -> str:
    parts = urlsplit(url)
    key = f"{parts.hostname}{parts.path or '/'}"
    return f"{key}?{parts.query}" if parts.query else key


def file_page(path: Path, content_type: str = "text/html; charset=utf-8") -> Page:
    return Page(path.read_bytes(), content_type)


class ToLocalSites:
    """Downloader middleware: real URL -> local server, and back on the response."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ToLocalSites:
        return cls(crawler.settings.get(BASE_SETTING))

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        host = urlsplit(request.url).hostname or ""
        if host in LOCAL_HOSTS:
            return None
        local = f"{self.base}/{page_key(request.url)}"
        # The local twin is rescheduled: let it past the offsite and duplicate filters,
        # which already judged the real URL.
        meta = {**request.meta, "real_url": request.url, "allow_offsite": True}
        return request.replace(url=local, meta=meta, dont_filter=True)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        real = request.meta.get("real_url")
        return response.replace(url=real) if real else response


@contextmanager
def outside_network_blocked() -> Iterator[list[str]]:
    """Refuse (and record) every connection or lookup to a non-local address."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def is_local(host: object) -> bool:
        return str(host) in LOCAL_HOSTS or str(host).startswith("127.")

    def guard(original: Callable[..., Any]) -> Callable[..., Any]:
        def connect(sock: socket.socket, address: Any) -> Any:
            host = address[0] if isinstance(address, tuple) else address
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(host):
                attempts.append(str(host))
                raise ConnectionRefusedError(f"test network guard: {host} is not local")
            return original(sock, address)

        return connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not is_local(host):
            attempts.append(str(host))
            raise socket.gaierror(f"test network guard: {host} is not local")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guard(real_connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = guard(real_connect_ex)  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield attempts
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo
