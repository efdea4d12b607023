"""The API's vocabulary (watch topics and news categories), read from ``nlp`` here, in the
composition root, because ``api`` may import only ``indexer``."""

from __future__ import annotations

from indexer.filters import Vocabulary


def load_vocabulary() -> Vocabulary:
    """Watch topics from nlp/topics.yaml and the news categories of the category model."""
    from nlp.datasets import CATEGORY_NAMES
    from nlp.topics import WatchTopics

    return Vocabulary(topics=WatchTopics.load().topics, categories=dict(CATEGORY_NAMES))
