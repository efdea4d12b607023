"""The sample site as a configured source, so the generic NewsSpider (and the monitor) crawl it
like any real site: RSS entry point, article URL pattern, the ``tindansinh`` comment adapter.

The site is served on a local address (``http://127.0.0.1:<port>``) while its pages name
their canonical URL under ``https://tindansinh.demo``. Both hosts are the source's domains:
the first names it (documents carry ``source: tindansinh.demo``, as in the demo), the second
lets the crawl follow links to the server. ``Source`` takes an IP address as a host name
as it is; ``localhost`` (no dot) it refuses, so serve on ``127.0.0.1``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from crawlers.sources import Source
from vnopinion.demo_site.content import SITE_DOMAIN, SITE_NAME

SOURCE_KEY = "tindansinh"
FEED_PATH = "/rss/tin-moi-nhat.rss"
ARTICLE_PATH = r"/[a-z-]+/[a-z0-9-]+-\d{7}\.html$"


def sample_source(base_url: str, interval_minutes: float | None = None) -> Source:
    """The sample site served at ``base_url`` (e.g. ``SampleSiteServer.base_url``).

    ``interval_minutes`` sets the monitor's polling interval (the source's ``monitor``
    block; needs crawlers.sources' ``MonitorLimits``)."""
    parts = urlsplit(base_url.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) base URL: {base_url!r}")
    origin = f"{parts.scheme}://{parts.netloc}"
    origins = "|".join(re.escape(o) for o in (f"https://{SITE_DOMAIN}", origin))
    data: dict[str, Any] = {
        "key": SOURCE_KEY,
        "name": SITE_NAME,
        "domains": list(dict.fromkeys([SITE_DOMAIN, parts.hostname.casefold()])),
        "entry_points": [{"kind": "rss", "url": origin + FEED_PATH}],
        "article_url_patterns": [rf"^(?:{origins}){ARTICLE_PATH}"],
        "comments": SOURCE_KEY,
    }
    if interval_minutes is not None:
        data["monitor"] = {"interval_minutes": interval_minutes}
    return Source.model_validate(data)
