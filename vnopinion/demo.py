"""``vnopinion demo``: Elasticsearch, the sample site, a real crawl, the index, the API."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from api.security.keys import KeyStore
from crawlers.run import CrawlReport, run_crawl
from crawlers.spiders.news import NewsSpider
from indexer.client import make_client
from indexer.errors import VnopinionError
from indexer.node import LocalNode
from indexer.queries import count_by_kind
from indexer.setup import ensure_index
from vnopinion.demo_site.content import load_site
from vnopinion.demo_site.server import SampleSiteServer
from vnopinion.demo_site.source import sample_source
from vnopinion.settings import Settings

log = logging.getLogger(__name__)

# The sample site is ours and local: no politeness delay needed, and quiet logs.
LOCAL_CRAWL = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
    "LOG_VERSIONS": [],
}


@dataclass(frozen=True)
class DemoResult:
    site_url: str
    crawl: CrawlReport
    counts: dict[str, int]


def start_sample_site(settings: Settings) -> SampleSiteServer:
    try:
        server = SampleSiteServer(load_site(), port=settings.demo_site_port)
    except OSError as exc:
        raise VnopinionError(
            f"Cannot serve the sample site on port {settings.demo_site_port}: {exc.strerror}.",
            hint="free the port or set VNOPINION_DEMO_SITE_PORT to another one.",
        ) from exc
    server.start_in_thread()
    return server


def run_demo_ingest(settings: Settings, server: SampleSiteServer) -> DemoResult:
    """Start the node, crawl the (already served) sample site, index, and count."""
    LocalNode(settings).start()
    with make_client(settings) as client:
        ensure_index(client, settings.index_alias)
    log.info("Crawling the sample site at %s", server.base_url)
    # The generic spider the real sites use, with the sample site's sources.yaml entry.
    report = run_crawl(settings, NewsSpider, LOCAL_CRAWL, source=sample_source(server.base_url))
    if report.errors or report.rejected:
        raise VnopinionError(
            f"The demo crawl ended with {report.errors} errors and {report.rejected} "
            "rejected documents.",
            hint="read the log above; `vnopinion es logs` shows the node's side.",
        )
    with make_client(settings) as client:
        client.indices.refresh(index=settings.index_alias)
        counts = count_by_kind(client, settings.index_alias)
    return DemoResult(server.base_url, report, counts)


DEMO_KEY_NAME = "demo"


def demo_login_key(settings: Settings) -> str | None:
    """With auth on, a fresh admin key for this demo run (earlier demo keys are revoked),
    so the printed link opens a populated dashboard with no manual step; None with auth off."""
    if not settings.api_auth:
        return None
    with make_client(settings) as client:
        store = KeyStore(client, settings.api_keys_index)
        for key in store.list():
            if key.name == DEMO_KEY_NAME and not key.revoked:
                store.revoke(key.id)
        return store.create(DEMO_KEY_NAME, "admin").secret
