"""The Elasticsearch client, built from settings at an entry point and passed down."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch
from elasticsearch.serializer import OrjsonSerializer

from vnopinion.settings import Settings


def _options(settings: Settings) -> dict[str, Any]:
    """What both clients share: hosts, credentials, timeouts, retries, the serializer."""
    return {
        "hosts": settings.es_hosts,
        "basic_auth": settings.es_basic_auth,
        "request_timeout": settings.es_request_timeout_s,
        "retry_on_timeout": True,
        "max_retries": 3,
        # orjson parses a /trends answer in about a third of the standard library's time.
        "serializer": OrjsonSerializer(),
    }


def make_client(settings: Settings) -> Elasticsearch:
    """One node, or a cluster's nodes (``es_url`` with commas): requests go round-robin among
    them, and a node that fails is set aside for a while and the request retried on another."""
    return Elasticsearch(**_options(settings))


def make_async_client(settings: Settings) -> AsyncElasticsearch:
    """``make_client``'s twin for the API's event loop; room for every concurrent request."""
    return AsyncElasticsearch(**_options(settings), connections_per_node=64)
