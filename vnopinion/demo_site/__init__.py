"""A small sample news site, our own text, served locally for the demo and the tests.

Shaped like a real Vietnamese news site: a home listing, an RSS feed, article pages with
JSON-LD and ``article:published_time``, and a paginated JSON comment endpoint.
"""
