"""Tag documents with every model that exists: one entry point for the crawl, ``vnopinion
tag`` and the demo.

Per batch: a normalised copy of each text (teencode, stretched letters, tone marks) is
segmented on all cores and matched against the watch-topic rules; sentiment and toxicity
come from the linear models (which do their own frozen preprocessing on the original
text); entities from underthesea NER; the place from the text and the entities. A comment
that names no place takes its article's, since it speaks about the article's events. The
original text is never changed; ``model_version`` records what tagged the document.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from indexer.documents import AnyDocument, Article, Place, Sentiment, Toxicity
from nlp.entities import extract_entities
from nlp.linear import load_model
from nlp.normalize import normalize
from nlp.places import PlaceResolver
from nlp.segment import Segmenter
from nlp.text import fold
from nlp.topics import DEFAULT_TOPICS_PATH, WatchTopics

ARTICLE_PLACES_KEPT = 20_000  # article places remembered for their comments


def analysis_text(document: AnyDocument) -> str:
    """What the models read: an article's title, lead and body; a comment's text."""
    if isinstance(document, Article):
        return "\n".join(p for p in (document.title, document.lead or "", document.text) if p)
    return document.text


class Tagger:
    """Loads the models once. ``tag`` serialises callers: underthesea is not thread-safe."""

    def __init__(self, models_dir: Path, *, workers: int = 0, entities: bool = True) -> None:
        self.segmenter = Segmenter(workers=workers)
        self.topics = WatchTopics.load()
        self.sentiment = load_model(models_dir, "sentiment")
        self.toxicity = load_model(models_dir, "toxicity")
        self.places = PlaceResolver()
        self.with_entities = entities
        self._article_places: OrderedDict[str, Place] = OrderedDict()
        self._lock = threading.Lock()
        topics_hash = hashlib.sha1(DEFAULT_TOPICS_PATH.read_bytes()).hexdigest()[:8]
        self.model_version = (
            f"sentiment={self.sentiment.version};toxicity={self.toxicity.version};"
            f"topics={topics_hash}"
        )

    def close(self) -> None:
        self.segmenter.close()

    def tag(self, documents: list[AnyDocument]) -> list[AnyDocument]:
        if not documents:
            return []
        with self._lock:
            return self._tag(documents)

    def _tag(self, documents: list[AnyDocument]) -> list[AnyDocument]:
        texts = [analysis_text(d) for d in documents]
        segmented = self.segmenter.segment_many([normalize(t) for t in texts])
        sentiments = self.sentiment.predict(texts)
        toxicities = self.toxicity.predict(texts)
        tagged = []
        for doc, text, seg, sentiment, toxicity in zip(
            documents, texts, segmented, sentiments, toxicities, strict=True
        ):
            update: dict[str, Any] = {
                "text_folded": fold(text) or None,
                "text_seg": seg or None,
                "sentiment": Sentiment(label=sentiment[0], score=round(sentiment[1], 4)),
                "toxicity": Toxicity(label=toxicity[0], score=round(toxicity[1], 4)),
                "model_version": self.model_version,
            }
            update.update(self._topics(seg))
            update.update(self._entities_and_place(doc, text))
            tagged.append(doc.model_copy(update=update))
        return tagged

    def _topics(self, segmented: str) -> dict[str, Any]:
        matched = self.topics.match(segmented)
        terms = [f"{topic}:{term}" for topic, found in matched.items() for term in found]
        return {"watch_topics": sorted(matched), "watch_terms": terms}

    def _entities_and_place(self, doc: AnyDocument, text: str) -> dict[str, Any]:
        entities = extract_entities(text) if self.with_entities else None
        place = self.places.resolve(text, entities.loc if entities else None)
        if isinstance(doc, Article):
            if place is not None:
                self._remember_place(doc.id, place)
        elif place is None:
            place = self._article_places.get(doc.thread_id)
        return {"entities": entities, "place": place}

    def _remember_place(self, article_id: str, place: Place) -> None:
        self._article_places[article_id] = place
        self._article_places.move_to_end(article_id)
        if len(self._article_places) > ARTICLE_PLACES_KEPT:
            self._article_places.popitem(last=False)
