"""The Elasticsearch client, built from settings at an entry point and passed down."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from vnopinion.settings import Settings


def make_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(
        settings.es_url,
        basic_auth=settings.es_basic_auth,
        request_timeout=settings.es_request_timeout_s,
        retry_on_timeout=True,
        max_retries=3,
    )
