"""The guard the crawl tests rely on really refuses outside addresses."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from crawlers.replay import LocalSites, Page, outside_network_blocked


def test_outside_connections_and_lookups_are_refused_and_recorded() -> None:
    with outside_network_blocked() as attempts:
        with pytest.raises(OSError, match="not local"):
            socket.create_connection(("192.0.2.1", 80), timeout=1)
        with pytest.raises(OSError, match="not local"):
            socket.getaddrinfo("vnexpress.net", 443)
    assert attempts == ["192.0.2.1", "vnexpress.net"]


def test_local_server_still_answers_inside_the_guard() -> None:
    sites = LocalSites({"vnexpress.net/": Page(b"<html>ok</html>")})
    try:
        with outside_network_blocked() as attempts:
            body = urllib.request.urlopen(f"{sites.base_url}/vnexpress.net/", timeout=5).read()
    finally:
        sites.close()
    assert body == b"<html>ok</html>"
    assert attempts == []
    assert sites.requests == ["vnexpress.net/"]
