"""Serve the sample site on localhost, in a background thread."""

from __future__ import annotations

import json
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from vnopinion.demo_site import render
from vnopinion.demo_site.content import SampleSite

log = logging.getLogger(__name__)
ROBOTS = "User-agent: *\nAllow: /\n"


class SampleSiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: SampleSite, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.site = site
        self.blocked = False

    def set_blocked(self, blocked: bool) -> None:
        """Answer every request with a Cloudflare-style "Just a moment..." challenge (403),
        as a source does when it starts blocking crawlers; False serves the site again."""
        self.blocked = blocked

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="sample-site", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: SampleSiteServer

    def do_GET(self) -> None:
        if self.server.blocked:
            self._challenge()
            return
        with self.server.site.lock:  # pages published meanwhile show whole or not at all
            self._route()

    def _route(self) -> None:
        parts = urlsplit(self.path)
        site = self.server.site
        if parts.path in ("/", "/index.html"):
            self._send(render.home_page(site), "text/html; charset=utf-8")
        elif parts.path == "/robots.txt":
            self._send(ROBOTS, "text/plain; charset=utf-8")
        elif parts.path == "/rss/tin-moi-nhat.rss":
            self._send(render.rss_feed(site, self.server.base_url), "application/rss+xml")
        elif parts.path == "/api/comments":
            self._comments(site, parse_qs(parts.query))
        elif (article := site.by_path(parts.path)) is not None:
            api = self.server.base_url + "/api/comments"
            self._send(render.article_page(article, api), "text/html; charset=utf-8")
        else:
            self._send("<h1>404 - Không tìm thấy trang</h1>", "text/html; charset=utf-8",
                       HTTPStatus.NOT_FOUND)  # fmt: skip

    def _comments(self, site: SampleSite, query: dict[str, list[str]]) -> None:
        try:
            article_id = int(query["objectid"][0])
            offset = int(query.get("offset", ["0"])[0])
            limit = int(query.get("limit", ["20"])[0])
        except (KeyError, ValueError):
            body = {"error": 1, "errorDescription": "objectid, offset and limit must be integers"}
            self._send(json.dumps(body), "application/json", HTTPStatus.BAD_REQUEST)
            return
        article = site.article(article_id)
        if article is None or offset < 0 or limit < 1:
            body = {"error": 1, "errorDescription": "unknown objectid or bad offset/limit"}
            self._send(json.dumps(body), "application/json", HTTPStatus.NOT_FOUND)
            return
        data = render.comments_json(article, offset, limit)
        self._send(json.dumps(data, ensure_ascii=False), "application/json; charset=utf-8")

    def _challenge(self) -> None:
        headers = {"Server": "cloudflare", "cf-mitigated": "challenge",
                   "Cache-Control": "private, max-age=0, no-store"}  # fmt: skip
        self._send(render.CHALLENGE_PAGE, "text/html; charset=UTF-8", HTTPStatus.FORBIDDEN,
                   headers)  # fmt: skip

    def _send(
        self,
        text: str,
        content_type: str,
        status: HTTPStatus = HTTPStatus.OK,
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = text.encode("utf-8")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("sample site: " + format, *args)
