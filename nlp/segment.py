"""Word segmentation with underthesea: batched, on both cores, cached for repeated texts.

The output is exactly ``underthesea.word_tokenize(text, format="text")`` (words joined with
``_``): worker processes run ``nlp.fast_segment`` (underthesea's own model and tokenizer, its
CRF scored in Python, about 3x faster; underthesea itself when that cannot load) on chunks of
a batch, and short texts that repeat (one-line comments, "Đồng ý", "Chuẩn") come from an LRU
cache. Texts longer than
``MAX_CHARS`` are segmented up to that length: ``text_seg`` serves search and rules, and a
megabyte comment would otherwise hold a worker for many seconds.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from nlp.fast_segment import load_segmenter

MAX_CHARS = 100_000
SHORT_TEXT = 280  # cache texts up to a comment's usual length
MIN_PARALLEL = 64  # smaller batches are not worth a round trip to the workers


@functools.cache
def _segmenter() -> Callable[[str], str]:
    return load_segmenter()  # once per process, on first use


def segment_text(text: str) -> str:
    """One text, in this process (loads underthesea's model on first use)."""
    if not text.strip():
        return ""
    return _segmenter()(text[:MAX_CHARS])


def _segment_chunk(texts: list[str]) -> list[str]:
    return [segment_text(t) for t in texts]


def _warm_up() -> None:
    segment_text("khởi động")


class Segmenter:
    """Segments batches; ``workers=0`` means one per core, ``1`` means in this process."""

    def __init__(self, workers: int = 0, cache_size: int = 50_000) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.cache_size = cache_size
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._pool: Executor | None = None

    def segment_many(self, texts: list[str]) -> list[str]:
        results: list[str | None] = [self._cached(t) for t in texts]
        todo = sorted({t for t, r in zip(texts, results, strict=True) if r is None})
        done = dict(zip(todo, self._run(todo), strict=True))
        for text, segmented in done.items():
            if len(text) <= SHORT_TEXT:
                self._remember(text, segmented)
        return [r if r is not None else done[t] for t, r in zip(texts, results, strict=True)]

    def start(self) -> None:
        """Start the worker processes now (each loads underthesea), not on the first batch."""
        if self.workers > 1:
            list(self._get_pool().map(_segment_chunk, [["khởi động"]] * self.workers))

    def segment(self, text: str) -> str:
        return self.segment_many([text])[0]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Segmenter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _run(self, texts: list[str]) -> list[str]:
        if self.workers <= 1 or len(texts) < MIN_PARALLEL:
            return _segment_chunk(texts)
        pool = self._get_pool()
        # Interleaved chunks balance long and short texts across workers.
        chunks = [texts[i :: self.workers] for i in range(self.workers)]
        parts = list(pool.map(_segment_chunk, chunks))
        merged: list[str] = [""] * len(texts)
        for i, part in enumerate(parts):
            merged[i :: self.workers] = part
        return merged

    def _get_pool(self) -> Executor:
        if self._pool is None:
            # forkserver: the crawler process has threads, and fork with threads is unsafe.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm_up)
        return self._pool

    def _cached(self, text: str) -> str | None:
        if len(text) > SHORT_TEXT:
            return None
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
        return hit

    def _remember(self, text: str, segmented: str) -> None:
        self._cache[text] = segmented
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
