"""Tag documents with every model that exists: one entry point for the crawl, ``vnopinion
tag`` and the demo.

Everything that depends on a text alone runs in worker processes, one per core
(``TextTagger``): a normalised copy of the text (teencode, stretched letters, tone marks) is
segmented and matched against the watch-topic rules and scored for keywords; the watch-topic
model (``nlp.watch_model``) may veto a rule match it is confident against, or add a topic the
rules missed (a topic without matched terms in ``watch_terms``); sentiment and
toxicity come from their models (which do their own frozen preprocessing on the original
text), an article's news category from the topic model; entities from underthesea NER; the
place from the text and the entities. The main process (``Tagger``) only sends texts, builds
the tagged documents and lets a comment that names no place take its article's place, and
always its article's category, since it speaks about the article's events. Short texts that
repeat ("Đồng ý", "Chuẩn") are tagged once (an LRU cache). The original text is never
changed; ``model_version`` records what tagged the document.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from indexer.documents import AnyDocument, Article, Entities, Place, Sentiment, Toxicity
from nlp.classifier import artifact_path, load_classifier
from nlp.entities import extract_entities
from nlp.keywords import ARTICLE_KEYWORDS, COMMENT_KEYWORDS, KeywordExtractor, keywords_path
from nlp.linear import LinearTextClassifier
from nlp.normalize import normalize
from nlp.places import PlaceResolver
from nlp.segment import segment_text
from nlp.shared_features import LinearScorer, SharedLinearModels
from nlp.text import fold, model_input
from nlp.topics import DEFAULT_TOPICS_PATH, WatchTopics
from nlp.watch_model import WatchTopicModel, watch_model_path

__all__ = ["Tagger", "TaggerError", "TextTagger", "analysis_text", "required_artifacts"]

ARTICLE_CONTEXTS_KEPT = 20_000  # article places and categories remembered for their comments
SHORT_TEXT = 280  # comments up to this length are cached: one-liners repeat
CACHE_SIZE = 50_000
MIN_PARALLEL = 16  # smaller batches go to one worker in one piece
WARM_UP_TEXT = "Người dân phường Hạc Thành, Thanh Hóa phản ánh thủ tục chậm."
START_TIMEOUT_S = 300  # loading the models in every worker (NER included) on a busy machine

Tags = dict[str, Any]  # plain values, cheap to send between processes


class TaggerError(RuntimeError):
    """The tagger cannot run: a model is missing or a worker process died."""


def analysis_text(document: AnyDocument) -> str:
    """What the models read: an article's title, lead and body; a comment's text."""
    if isinstance(document, Article):
        return model_input(document.title, document.lead, document.text)
    return document.text


def required_artifacts(models_dir: Path, backend: str = "linear") -> list[Path]:
    """Sentiment and toxicity of ``backend``; the news category is always linear."""
    return [
        artifact_path(models_dir, "sentiment", backend),
        artifact_path(models_dir, "toxicity", backend),
        artifact_path(models_dir, "topic", "linear"),
        keywords_path(models_dir),
        watch_model_path(models_dir),
    ]


class TextTagger:
    """Tags texts in this process; every model is loaded once."""

    def __init__(self, models_dir: Path, *, entities: bool = True, backend: str = "linear") -> None:
        self.topics = WatchTopics.load()
        self.sentiment = load_classifier(models_dir, "sentiment", backend)
        self.toxicity = load_classifier(models_dir, "toxicity", backend)
        self.category = load_classifier(models_dir, "topic", "linear")
        self.classifiers = {
            "sentiment": self.sentiment, "toxicity": self.toxicity, "category": self.category
        }  # fmt: skip
        self.watch_model = WatchTopicModel.load(watch_model_path(models_dir))
        self.labelled = {
            n: m for n, m in self.classifiers.items() if isinstance(m, LinearTextClassifier)
        }
        scorers: dict[str, LinearScorer] = {**self.labelled, "watch_topics": self.watch_model}
        self.linear = SharedLinearModels(scorers)
        self.keywords = KeywordExtractor.load(models_dir)
        self.places = PlaceResolver()
        self.with_entities = entities
        topics_hash = hashlib.sha1(DEFAULT_TOPICS_PATH.read_bytes()).hexdigest()[:8]
        self.model_version = (
            f"sentiment={self.sentiment.version};toxicity={self.toxicity.version};"
            f"category={self.category.version};keywords={self.keywords.version};"
            f"topics={topics_hash}+{self.watch_model.version}"
        )

    def warm_up(self) -> None:
        """Tag one article and one comment: underthesea loads its models on first use."""
        self.tag([(True, WARM_UP_TEXT), (False, WARM_UP_TEXT)])

    def tag(self, items: list[tuple[bool, str]]) -> list[Tags]:
        """One dict of tags per ``(is_article, text)``."""
        texts = [text for _, text in items]
        scored = self._predict(texts, ("sentiment", "toxicity", "watch_topics"))
        sentiments, toxicities = scored["sentiment"], scored["toxicity"]
        topic_scores = scored["watch_topics"]
        articles = [i for i, (is_article, _) in enumerate(items) if is_article]
        article_texts = [texts[i] for i in articles]
        categories = dict(
            zip(articles, self._predict(article_texts, ("category",))["category"], strict=True)
        )
        results = []
        for i, (is_article, text) in enumerate(items):
            segmented = segment_text(normalize(text))
            topics, matched = self.watch_model.decide(self.topics.match(segmented), topic_scores[i])
            entities = extract_entities(text) if self.with_entities else None
            place = self.places.resolve(text, entities.loc if entities else None)
            limit = ARTICLE_KEYWORDS if is_article else COMMENT_KEYWORDS
            results.append(
                {
                    "text_folded": fold(text) or None,
                    "text_seg": segmented or None,
                    "sentiment": (sentiments[i][0], round(sentiments[i][1], 4)),
                    "toxicity": (toxicities[i][0], round(toxicities[i][1], 4)),
                    "category": categories[i][0] if i in categories else None,
                    "watch_topics": topics,
                    "watch_terms": [
                        f"{t}:{term}" for t, found in matched.items() for term in found
                    ],
                    "keywords": self.keywords.extract(segmented, limit),
                    "entities": entities.model_dump() if entities is not None else None,
                    "place": place.model_dump() if place is not None else None,
                }
            )
        return results

    def _predict(self, texts: list[str], names: tuple[str, ...]) -> dict[str, list[Any]]:
        """Linear models share one n-gram analysis; any other backend predicts on its own.

        Classifiers give (label, probability) per text, the watch-topic model its
        probability matrix.
        """
        shared = [name for name in names if name in self.linear.models]
        probabilities = self.linear.probabilities(texts, only=shared)
        result: dict[str, Any] = {}
        for name in names:
            if name not in self.classifiers:
                result[name] = probabilities[name]
            elif not texts:
                result[name] = []
            elif name in probabilities:
                result[name] = self.labelled[name].labelled(probabilities[name])
            else:
                result[name] = self.classifiers[name].predict(texts)
        return result


_WORKER: TextTagger | None = None


def _start_worker(models_dir: Path, entities: bool, backend: str) -> None:
    global _WORKER
    _WORKER = TextTagger(models_dir, entities=entities, backend=backend)
    _WORKER.warm_up()


def _worker_tag(items: list[tuple[bool, str]]) -> list[Tags]:
    if _WORKER is None:
        raise RuntimeError("tagger worker was not initialised")
    return _WORKER.tag(items)


def _worker_ready(hold_s: float) -> tuple[int, str]:
    time.sleep(hold_s)
    return os.getpid(), _worker_version()


def _worker_version() -> str:
    if _WORKER is None:
        raise RuntimeError("tagger worker was not initialised")
    return _WORKER.model_version


class Tagger:
    """Tags batches of documents; ``workers=0`` means one process per core, ``1`` in-process.

    ``tag`` serialises its callers: the article contexts are shared state.
    """

    def __init__(
        self, models_dir: Path, *, workers: int = 0, entities: bool = True, backend: str = "linear"
    ) -> None:
        missing = [
            str(path) for path in required_artifacts(models_dir, backend) if not path.exists()
        ]
        if missing:
            raise TaggerError(
                f"model artifacts missing: {', '.join(missing)}; run `vnopinion train --task "
                "sentiment|toxicity|topic|keywords|watch_topics` or point VNOPINION_MODELS_DIR "
                "at them"
            )
        self.models_dir = models_dir
        self.workers = workers or os.cpu_count() or 1
        self.with_entities = entities
        self.backend = backend
        self._local: TextTagger | None = None
        self._pool: Executor | None = None
        self._model_version: str | None = None
        self._cache: OrderedDict[str, Tags] = OrderedDict()
        self._contexts: OrderedDict[str, tuple[dict[str, Any] | None, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model_version(self) -> str:
        if self._model_version is None:
            if self.workers <= 1:
                self._model_version = self._in_process().model_version
            else:
                [self._model_version] = self._in_pool([(_worker_version, ())])
        return self._model_version

    def start(self) -> None:
        """Load the models now (in every worker), not on the first batch."""
        if self.workers <= 1:
            self._in_process()
            return
        # A task's answer proves its worker ran the initializer (loaded the models). One fast
        # worker can answer every task while another still loads, so ask until every process
        # has answered; each task holds its worker briefly to leave the others theirs.
        deadline = time.monotonic() + START_TIMEOUT_S
        ready: set[int] = set()
        while len(ready) < self.workers:
            if time.monotonic() > deadline:
                raise TaggerError(
                    f"only {len(ready)} of {self.workers} tagging workers started within "
                    f"{START_TIMEOUT_S} s"
                )
            answers = self._in_pool([(_worker_ready, (0.05,))] * self.workers)
            ready |= {pid for pid, _ in answers}
            self._model_version = answers[0][1]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Tagger:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def tag(self, documents: list[AnyDocument]) -> list[AnyDocument]:
        if not documents:
            return []
        with self._lock:
            texts = [analysis_text(d) for d in documents]
            kinds = [isinstance(d, Article) for d in documents]
            tags = self._tags(list(zip(kinds, texts, strict=True)))
            version = self.model_version
            return [self._apply(d, t, version) for d, t in zip(documents, tags, strict=True)]

    def _tags(self, items: list[tuple[bool, str]]) -> list[Tags]:
        cached: list[Tags | None] = [self._cached(*item) for item in items]
        todo = list(dict.fromkeys(item for item, c in zip(items, cached, strict=True) if c is None))
        done = dict(zip(todo, self._run(todo), strict=True))
        for (is_article, text), tags in done.items():
            if not is_article and len(text) <= SHORT_TEXT:
                self._cache[text] = tags
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return [c if c is not None else done[item] for item, c in zip(items, cached, strict=True)]

    def _cached(self, is_article: bool, text: str) -> Tags | None:
        if is_article or len(text) > SHORT_TEXT:
            return None
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
        return hit

    def _run(self, items: list[tuple[bool, str]]) -> list[Tags]:
        if not items:
            return []
        if self.workers <= 1:
            return self._in_process().tag(items)
        if len(items) < MIN_PARALLEL:
            [tags] = self._in_pool([(_worker_tag, (items,))])
            return list(tags)
        # Interleaved chunks balance long and short texts across the workers.
        chunks = [items[i :: self.workers] for i in range(self.workers)]
        parts = self._in_pool([(_worker_tag, (chunk,)) for chunk in chunks])
        merged: list[Tags] = [{}] * len(items)
        for i, part in enumerate(parts):
            merged[i :: self.workers] = part
        return merged

    def _in_pool(self, calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[Any]:
        """Run ``(function, args)`` calls in the workers; a dead worker is a clear error."""
        try:
            pool = self._get_pool()
            futures = [pool.submit(function, *args) for function, args in calls]
            return [future.result() for future in futures]
        except BrokenProcessPool as error:
            self.close()
            raise TaggerError(
                "a tagging worker process died (out of memory, or a model failed to load); "
                "the batch was not tagged and nothing was stored"
            ) from error

    def _get_pool(self) -> Executor:
        if self._pool is None:
            # forkserver: the crawler process has threads, and fork with threads is unsafe.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(self.models_dir, self.with_entities, self.backend),
            )
        return self._pool

    def _in_process(self) -> TextTagger:
        if self._local is None:
            self._local = TextTagger(
                self.models_dir, entities=self.with_entities, backend=self.backend
            )
            self._local.warm_up()
        return self._local

    def _apply(self, doc: AnyDocument, tags: Tags, version: str) -> AnyDocument:
        place = tags["place"]
        category = tags["category"]
        if isinstance(doc, Article):
            self._remember(doc.id, place, category)
        else:
            article_place, category = self._contexts.get(doc.thread_id, (None, None))
            place = place or article_place
        sentiment, toxicity = tags["sentiment"], tags["toxicity"]
        update = {
            "text_folded": tags["text_folded"],
            "text_seg": tags["text_seg"],
            "sentiment": Sentiment.model_construct(label=sentiment[0], score=sentiment[1]),
            "toxicity": Toxicity.model_construct(label=toxicity[0], score=toxicity[1]),
            "category": category,
            "watch_topics": tags["watch_topics"],
            "watch_terms": tags["watch_terms"],
            "keywords": tags["keywords"],
            "entities": Entities.model_construct(**tags["entities"]) if tags["entities"] else None,
            "place": Place.model_construct(**place) if place else None,
            "model_version": version,
        }
        return doc.model_copy(update=update)

    def _remember(
        self, article_id: str, place: dict[str, Any] | None, category: str | None
    ) -> None:
        self._contexts[article_id] = (place, category)
        self._contexts.move_to_end(article_id)
        if len(self._contexts) > ARTICLE_CONTEXTS_KEPT:
            self._contexts.popitem(last=False)
