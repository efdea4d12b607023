"""/trends, /topics, /spikes, /places, /sources, /keywords on the seeded corpus (real node).

Expected figures are recounted from the corpus in plain Python (tests/api/corpus.py), and a
few are pinned by hand where the corpus makes them easy to see.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from api.routes.search import SearchResponse
from indexer.analytics import TopicRanking, Trends
from indexer.client import make_client
from indexer.documents import AnyDocument
from indexer.filters import Vocabulary
from tests.api.corpus import (
    HCM,
    HN,
    SPIKE_DAY,
    VN,
    has_topic,
    in_days,
    label,
    local_day,
    province,
)
from vnopinion.settings import Settings

pytestmark = pytest.mark.es

LABELS = ("negative", "neutral", "positive", "untagged")


def share(docs: list[AnyDocument]) -> float | None:
    labels = Counter(label(d) for d in docs)
    tagged = labels["negative"] + labels["neutral"] + labels["positive"]
    return round(labels["negative"] / tagged, 4) if tagged else None


def check_bucket(bucket: dict[str, object], docs: list[AnyDocument]) -> None:
    labels = Counter(label(d) for d in docs)
    assert bucket["count"] == len(docs), bucket["start"]
    assert {name: bucket[name] for name in LABELS} == {name: labels[name] for name in LABELS}
    assert bucket["negative_share"] == share(docs)


def test_daily_trend_in_vietnam_time(api: TestClient, corpus: list[AnyDocument]) -> None:
    body = api.get(
        "/trends", params={"interval": "day", "since": "2026-11-19", "until": "2026-11-25"}
    ).json()
    days = [date(2026, 11, 19) + timedelta(i) for i in range(7)]
    assert body["time_zone"] == "Asia/Ho_Chi_Minh"
    assert [b["start"] for b in body["buckets"]] == [f"{d}T00:00:00+07:00" for d in days]
    assert body["buckets"][-1]["end"] == "2026-11-26T00:00:00+07:00"
    for bucket, day in zip(body["buckets"], days, strict=True):
        check_bucket(bucket, [d for d in corpus if local_day(d) == day])
    assert body["total"] == sum(in_days(d, days[0], days[-1]) for d in corpus)
    # By hand: the spike (1 article, 11 negative, 2 neutral, 1 positive comments), the day's
    # neutral traffic article and its negative comment, and yesterday's untagged comment at
    # 06:30 (23:30 UTC the day before: counted in Vietnam's day, not UTC's).
    last = body["buckets"][-1]
    assert (last["count"], last["negative"], last["neutral"], last["positive"]) == (18, 13, 3, 1)
    assert (last["untagged"], last["negative_share"]) == (1, round(13 / 17, 4))


def test_empty_buckets_are_filled(api: TestClient) -> None:
    body = api.get(
        "/trends", params={"interval": "day", "since": "2026-12-01", "until": "2026-12-03"}
    ).json()
    assert [b["start"][:10] for b in body["buckets"]] == ["2026-12-01", "2026-12-02", "2026-12-03"]
    assert all(b["count"] == 0 and b["negative_share"] is None for b in body["buckets"])


def test_trends_over_a_closed_month_come_from_the_request_cache(
    api: TestClient, corpus_settings: Settings
) -> None:
    """Two windows that both cover all of October: October's index answers the second from
    its shard request cache, because the request no longer names the window's ends."""
    client = make_client(corpus_settings)
    alias = corpus_settings.index_alias

    def cache_hits() -> int:
        stats = client.indices.stats(index=alias, metric="request_cache")
        return int(stats["_all"]["total"]["request_cache"]["hit_count"])

    client.indices.clear_cache(index=alias, request=True)
    first = api.get("/trends", params={"since": "2026-09-20", "until": "2026-11-03"})
    before = cache_hits()
    second = api.get("/trends", params={"since": "2026-09-27T08:00", "until": "2026-11-05"})
    assert first.status_code == second.status_code == 200
    assert cache_hits() > before
    october = {b["start"]: b for b in first.json()["buckets"] if b["start"].startswith("2026-10")}
    assert [b for b in second.json()["buckets"] if b["start"].startswith("2026-10")] == list(
        october.values()
    )
    client.close()


def test_weekly_trend_starts_on_monday(api: TestClient, corpus: list[AnyDocument]) -> None:
    body = api.get(
        "/trends",
        params={"interval": "week", "since": "2026-11-01", "until": "2026-11-25",
                "topic": "dat_dai"},
    ).json()  # fmt: skip
    mondays = [date(2026, 10, 26) + timedelta(weeks=i) for i in range(5)]
    assert [b["start"][:10] for b in body["buckets"]] == [str(m) for m in mondays]
    for bucket, monday in zip(body["buckets"], mondays, strict=True):
        first = max(monday, date(2026, 11, 1))  # the first week is cut at since
        docs = [
            d
            for d in corpus
            if has_topic(d, "dat_dai") and in_days(d, first, monday + timedelta(6))
        ]
        check_bucket(bucket, docs)
    assert body["buckets"][-1]["count"] == 15


def test_hourly_and_monthly_trends(api: TestClient, corpus: list[AnyDocument]) -> None:
    hourly = api.get(
        "/trends",
        params={"interval": "hour", "since": "2026-11-25T06:00", "until": "2026-11-25T10:00"},
    ).json()
    assert [b["start"][11:16] for b in hourly["buckets"]] == ["06:00", "07:00", "08:00", "09:00"]
    assert [b["count"] for b in hourly["buckets"]] == [1, 1, 2, 2]
    monthly = api.get(
        "/trends", params={"interval": "month", "since": "2026-10-01", "until": "2026-11-30"}
    ).json()
    assert [b["start"][:10] for b in monthly["buckets"]] == ["2026-10-01", "2026-11-01"]
    october = [d for d in corpus if in_days(d, date(2026, 10, 1), date(2026, 10, 31))]
    check_bucket(monthly["buckets"][0], october)


def test_topics_ranked_against_the_previous_period(
    api: TestClient, corpus: list[AnyDocument], vocabulary: Vocabulary
) -> None:
    body = api.get("/topics", params={"since": "2026-11-19", "until": "2026-11-25"}).json()
    assert body["previous_since"] == "2026-11-12T00:00:00+07:00"
    current = [d for d in corpus if in_days(d, date(2026, 11, 19), SPIKE_DAY)]
    previous = [d for d in corpus if in_days(d, date(2026, 11, 12), date(2026, 11, 18))]
    expected = []
    for key, name in vocabulary.topics.items():
        now = [d for d in current if has_topic(d, key)]
        before = [d for d in previous if has_topic(d, key)]
        expected.append({
            "key": key, "label": name, "count": len(now),
            "negative": sum(label(d) == "negative" for d in now),
            "negative_share": share(now), "previous_count": len(before),
            "previous_negative_share": share(before), "change": len(now) - len(before),
            "change_ratio": round(len(now) / len(before) - 1, 4) if before else None,
            "negative_share_change": (
                round(share(now) - share(before), 4)  # type: ignore[operator]
                if share(now) is not None and share(before) is not None else None
            ),
        })  # fmt: skip
    expected.sort(key=lambda t: (-t["count"], t["key"]))  # type: ignore[operator]
    assert body["topics"] == expected
    assert len(body["topics"]) == len(vocabulary.topics)
    # By hand: traffic 14 both weeks; land 2 + 15 (the spike) against 4.
    top = {t["key"]: t for t in body["topics"][:2]}
    assert [t["key"] for t in body["topics"][:2]] == ["dat_dai", "giao_thong_ha_tang"]
    assert (top["dat_dai"]["count"], top["dat_dai"]["previous_count"]) == (17, 4)
    assert top["giao_thong_ha_tang"]["change"] == 0
    assert body["topics"][0]["label"] == "Đất đai"


def test_topics_filtered_to_some(api: TestClient) -> None:
    body = api.get(
        "/topics",
        params={"since": "2026-11-19", "until": "2026-11-25", "topic": ["y_te", "dat_dai"]},
    ).json()
    assert [(t["key"], t["count"]) for t in body["topics"]] == [("dat_dai", 17), ("y_te", 0)]


SPIKE_START = "2026-11-25T00:00:00+07:00"


def test_planted_spike_is_found_with_its_documents(api: TestClient) -> None:
    body = api.get("/spikes", params={"until": "2026-11-25"}).json()
    keys = {s["key"] for s in body["spikes"]}
    assert keys == {
        f"topic:dat_dai:day:{SPIKE_START}:volume",
        f"topic:dat_dai:day:{SPIKE_START}:negative",
        f"province:{HN}:day:{SPIKE_START}:volume",
        f"province:{HN}:day:{SPIKE_START}:negative",
    }
    assert body["since"] == "2026-10-28T00:00:00+07:00"
    volume = next(
        s for s in body["spikes"] if s["key"].endswith("dat_dai:day:" + SPIKE_START + ":volume")
    )
    assert volume["label"] == "Đất đai"
    assert (volume["count"], volume["baseline_median"], volume["baseline_mad"]) == (15, 0, 0)
    assert volume["z"] == 15.0
    assert len(volume["series"]) == 29
    assert volume["series"][:5] == [2, 0, 0, 0, 2]
    docs = volume["documents"]
    assert [d["likes"] for d in docs] == [500, 100, 99, 98, 97]
    assert docs[0]["title"] == "Hàng trăm hộ dân phản đối cưỡng chế thu hồi đất"
    assert docs[0]["url"] == "https://vnexpress.net/phan-doi-thu-hoi-dat.html"
    assert docs[1]["snippet"].startswith("Ý kiến 0: đền bù")
    negative = next(
        s for s in body["spikes"] if s["key"].endswith(":negative") and s["dimension"] == "topic"
    )
    assert negative["count"] == 12
    assert all(d["sentiment"] == "negative" for d in negative["documents"])


def test_flat_series_and_quiet_days_give_no_spike(api: TestClient) -> None:
    before = api.get("/spikes", params={"until": "2026-11-24"}).json()
    assert before["spikes"] == []
    traffic = api.get(
        "/spikes", params={"until": "2026-11-25", "topic": "giao_thong_ha_tang", "min_count": 1}
    ).json()
    assert [s for s in traffic["spikes"] if s["value"] in ("giao_thong_ha_tang", HCM)] == []


def test_spike_floor_and_threshold(api: TestClient) -> None:
    floor = api.get("/spikes", params={"until": "2026-11-25", "min_count": 13}).json()
    assert {s["kind"] for s in floor["spikes"]} == {"volume"}
    high = api.get("/spikes", params={"until": "2026-11-25", "threshold": 20}).json()
    assert high["spikes"] == []


def test_places_with_communes(api: TestClient, corpus: list[AnyDocument]) -> None:
    body = api.get("/places").json()
    counts = Counter(province(d) for d in corpus)
    assert [(p["name"], p["count"]) for p in body["provinces"]] == [
        (HCM, counts[HCM]), (HN, counts[HN]), ("Thành phố Đà Nẵng", 2),
    ]  # fmt: skip
    assert body["unplaced"] == counts[None] == 31
    hanoi = [d for d in corpus if province(d) == HN]
    assert body["provinces"][1]["negative_share"] == share(hanoi)
    assert body["communes"] is None
    one = api.get("/places", params={"province": HN, "since": "2026-11-25"}).json()
    assert [(p["name"], p["count"]) for p in one["provinces"]] == [(HN, 15)]
    assert one["province"] == HN
    assert [(c["name"], c["count"], c["negative"]) for c in one["communes"]] == [
        ("Phường Hoàn Kiếm", 15, 12)
    ]


def test_sources(api: TestClient, corpus: list[AnyDocument]) -> None:
    body = api.get("/sources").json()
    assert body["total"] == len(corpus)
    by_source = {s["source"]: s for s in body["sources"]}
    for name in ("vnexpress.net", "tuoitre.vn", "dantri.com.vn"):
        docs = [d for d in corpus if d.source == name]
        dated = [d.published_at for d in docs if d.published_at]
        got = by_source[name]
        assert got["total"] == len(docs)
        assert got["articles"] == sum(d.kind == "article" for d in docs)
        assert got["comments"] == sum(d.kind == "comment" for d in docs)
        assert got["latest_published_at"] == max(dated).astimezone(VN).isoformat()
        assert got["negative_share"] == share(docs)
    assert by_source["vnexpress.net"]["source_name"] == "VnExpress"
    assert [s["total"] for s in body["sources"]] == sorted(
        (s["total"] for s in body["sources"]), reverse=True
    )
    comments = api.get("/sources", params={"kind": "comment"}).json()
    assert all(s["articles"] == 0 for s in comments["sources"])


def test_keywords_with_negative_split(api: TestClient, corpus: list[AnyDocument]) -> None:
    body = api.get("/keywords", params={"size": 3, "split": "true", "topic": "dat_dai"}).json()
    docs = [d for d in corpus if has_topic(d, "dat_dai")]
    counts = Counter(k for d in docs for k in d.keywords or [])
    negative = Counter(k for d in docs if label(d) == "negative" for k in d.keywords or [])
    assert body["total"] == len(docs) == 29
    assert [(k["keyword"], k["count"], k["negative"]) for k in body["keywords"]] == [
        (word, count, negative[word])
        for word, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    ]
    assert body["keywords"][0] == {"keyword": "đền bù", "count": 29, "negative": 19}
    assert [(k["keyword"], k["count"]) for k in body["negative_keywords"]] == sorted(
        negative.items(), key=lambda kv: (-kv[1], kv[0])
    )[:3]
    plain = api.get("/keywords", params={"topic": "dat_dai"}).json()
    assert plain["negative_keywords"] is None


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/trends", {"interval": "day", "since": "2026-11-01", "until": "2026-11-21"}),
        ("/trends", {"interval": "hour", "since": "2026-11-15T06:30:00+07:00"}),
        ("/topics", {"since": "2026-11-01", "until": "2026-11-21"}),
        ("/search", {"q": "đền bù", "sort": "time", "size": 3}),
    ],
)
def test_hand_built_answers_match_their_declared_model(
    api: TestClient, path: str, params: dict[str, str]
) -> None:
    """/trends, /topics and /search send JSON they build themselves (api.responses): it must
    read back into the model their OpenAPI declares and serialise to the very same JSON."""
    model = {"/trends": Trends, "/topics": TopicRanking, "/search": SearchResponse}[path]
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert model.model_validate(body).model_dump(mode="json") == body
