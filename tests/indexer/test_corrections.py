"""The corrections store (indexer/corrections.py) against the real node: its strict mapping,
validation, history and "latest per document wins"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import BadRequestError, Elasticsearch

from indexer import corrections
from indexer.corrections import (
    Correction,
    CorrectionError,
    CorrectionStore,
    Corrector,
    latest_per_document,
)

pytestmark = pytest.mark.es

TOPICS = {"dat_dai": "Đất đai", "y_te": "Y tế"}
ANALYST = Corrector(key_id="0123456789abcdef", key_name="Cán bộ A", role="analyst")
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def comment(doc_id: str = "vnexpress.net:1", **extra: Any) -> dict[str, Any]:
    return {
        "id": doc_id, "kind": "comment", "source": "vnexpress.net",
        "published_at": "2026-11-19T01:00:00Z", "text": "Đền bù như cho.",
        "sentiment": {"label": "positive", "score": 0.48}, "watch_topics": ["dat_dai"],
        "model_version": "sentiment=s-1;toxicity=t-1", **extra,
    }  # fmt: skip


@pytest.fixture
def store(es: Elasticsearch) -> Iterator[CorrectionStore]:
    index = f"t-{uuid.uuid4().hex[:10]}.corrections"
    yield CorrectionStore(es, index)
    es.options(ignore_status=404).indices.delete(index=index)


def test_index_is_created_once_with_a_strict_mapping(
    store: CorrectionStore, es: Elasticsearch
) -> None:
    store.ensure()
    store.ensure()  # idempotent
    mapping = es.indices.get_mapping(index=store.index)[store.index]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert set(mapping["properties"]) == set(Correction.model_fields)
    assert mapping["properties"]["by"]["properties"]["role"] == {"type": "keyword"}
    assert mapping["properties"]["snapshot"]["properties"]["text"]["index"] is False
    with pytest.raises(BadRequestError, match="strict"):
        es.index(index=store.index, document={"document_id": "x", "unknown": 1})


def test_add_keeps_who_when_and_a_snapshot(store: CorrectionStore) -> None:
    stored = store.add(
        comment(), ANALYST, topics=TOPICS, sentiment="negative",
        watch_topics=["y_te", "dat_dai", "y_te"], note="  mỉa mai  ", now=T0,
    )  # fmt: skip
    assert (stored.sentiment, stored.watch_topics, stored.note) == (
        "negative",
        ["dat_dai", "y_te"],
        "mỉa mai",
    )
    found = store.latest("vnexpress.net:1")
    assert found == stored  # visible at once (refresh=wait_for)
    assert found.by == ANALYST
    assert found.created_at == T0
    snap = found.snapshot
    assert (snap.kind, snap.text) == ("comment", "Đền bù như cho.")
    assert snap.model_sentiment == "positive"
    assert snap.model_watch_topics == ["dat_dai"]
    assert snap.model_version == "sentiment=s-1;toxicity=t-1"
    assert store.latest("no-such-document") is None


def test_missing_index_reads_as_no_corrections(store: CorrectionStore) -> None:
    assert store.latest("x") is None
    assert store.history("x") == []
    assert store.latest_all() == []


@pytest.mark.parametrize(
    ("values", "field", "said"),
    [
        ({"sentiment": "angry"}, "sentiment", "Nhãn cảm xúc không hợp lệ: 'angry'"),
        ({"sentiment": "untagged"}, "sentiment", "unknown sentiment label"),
        ({"watch_topics": ["dat_dai", "bong_da"]}, "watch_topics", "'bong_da'"),
        ({}, "body", "give a sentiment, a list of watch topics, or both"),
        ({"sentiment": "neutral", "note": "x" * 2001}, "note", "2000"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(
    store: CorrectionStore, values: dict[str, Any], field: str, said: str
) -> None:
    with pytest.raises(CorrectionError, match=said) as refused:
        store.add(comment(), ANALYST, topics=TOPICS, **values)
    assert refused.value.field == field
    assert store.history("vnexpress.net:1") == []


def test_an_empty_topic_list_is_a_correction(store: CorrectionStore) -> None:
    stored = store.add(comment(), ANALYST, topics=TOPICS, watch_topics=[])
    assert stored.watch_topics == []
    assert stored.sentiment is None
    assert store.latest("vnexpress.net:1").watch_topics == []  # type: ignore[union-attr]


def test_latest_wins_and_history_is_kept(store: CorrectionStore, monkeypatch) -> None:
    monkeypatch.setattr(corrections, "PAGE", 2)  # several search_after pages
    for minutes, label in ((0, "negative"), (10, "neutral"), (5, "positive")):
        store.add(comment(), ANALYST, topics=TOPICS, sentiment=label,
                  now=T0 + timedelta(minutes=minutes))  # fmt: skip
    store.add(comment("vnexpress.net:2"), ANALYST, topics=TOPICS, sentiment="negative", now=T0)
    history = store.history("vnexpress.net:1")
    assert [c.sentiment for c in history] == ["neutral", "positive", "negative"]
    assert store.latest("vnexpress.net:1").sentiment == "neutral"  # type: ignore[union-attr]
    latest = store.latest_all()
    assert [(c.document_id, c.sentiment) for c in latest] == [
        ("vnexpress.net:1", "neutral"),
        ("vnexpress.net:2", "negative"),
    ]
    assert len(list(store.all())) == 4


def test_latest_per_document_breaks_ties_by_id() -> None:
    same = {"document_id": "d", "by": ANALYST, "created_at": T0,
            "snapshot": corrections.snapshot_of(comment("d"))}  # fmt: skip
    a = Correction(id="aaaa", sentiment="negative", **same)
    b = Correction(id="bbbb", sentiment="neutral", **same)
    assert latest_per_document(iter([b, a])) == [b]
    assert latest_per_document(iter([a, b])) == [b]
