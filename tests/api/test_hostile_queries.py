"""Hostile search text and filter values never cause a 5xx (marker ``hostile``; real node).

Lucene syntax, very long queries, emoji, control characters and NUL bytes go to /search (as
``q``) and to /trends (as ``q`` and as every filter): the answer is 200 or a 422 that names
the parameter, never a 500 nor the 503 that stands for "Elasticsearch refused the query".
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = [pytest.mark.es, pytest.mark.hostile]

HOSTILE = [
    '"', '""', '"thủ tục', "*", "?", "thu*", "t?c", "~", "thu~2", "đền bù~", "\\", "\\\\",
    "a\\", "(", ")", "((((", "(thủ tục", "AND", "OR", "NOT", "thủ AND OR NOT tục",
    "NOT NOT NOT", "/regex/", "/[a-z]+.*/", "/(/", "a:b", "text:thủ", "_id:x", "title:(",
    "+", "-", "- -", "|", "||", "&&", "!", "^", "a^999999999", "[a TO z]", "{a TO *}",
    "~~~", "*?*?*", "đền bù -", "-\"\"", "@", "#", "%", "😡", "😡" * 200, "👨‍👩‍👧" * 50,
    "\x00", "a\x00b", "\x01\x02\x1f", "\u202e thủ tục", "\ufeff", "\ufffe", " ", "\t\n",
    "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:ldap://x}", "{{7*7}}",
    "thủ " * 124 + "tục",  # just under the 500-character bound
    "a" * 500, "đ" * 500,
]  # fmt: skip
TOO_LONG = ["x" * 501, "thủ " * 2_500, " ".join(f"t{i}" for i in range(10_000))]
FILTERS = ["topic", "category", "source", "kind", "province", "sentiment", "since", "until"]


def assert_no_server_error(response: object, what: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    body = response.text  # type: ignore[attr-defined]
    assert status in (200, 422), f"{what}: {status} {body[:300]}"
    if status == 422:
        assert response.json()["detail"], what  # type: ignore[attr-defined]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_text_on_search(api: TestClient, q: str) -> None:
    for sort in ("relevance", "time", "engagement"):
        assert_no_server_error(api.get("/search", params={"q": q, "sort": sort}), f"q={q!r:.60}")


@pytest.mark.parametrize("q", TOO_LONG)
def test_too_long_queries_are_refused_by_name(api: TestClient, q: str) -> None:
    for path in ("/search", "/trends"):
        response = api.get(path, params={"q": q})
        assert response.status_code == 422, response.text[:300]
        assert response.json()["detail"][0]["loc"] == ["query", "q"]


@pytest.mark.parametrize("value", HOSTILE[::3] + TOO_LONG[:1])
def test_hostile_values_in_every_trends_filter(api: TestClient, value: str) -> None:
    assert_no_server_error(api.get("/trends", params={"q": value}), f"/trends q={value!r:.60}")
    for name in FILTERS:
        response = api.get("/trends", params={name: value})
        assert_no_server_error(response, f"/trends {name}={value!r:.60}")


def test_many_repeated_filter_values(api: TestClient) -> None:
    many = [("source", f"s{i}.vn") for i in range(2_000)] + [("q", "thủ tục")]
    assert_no_server_error(api.get("/trends", params=many), "2,000 sources")
    assert_no_server_error(api.get("/search", params=many), "2,000 sources")


@pytest.mark.parametrize(
    "raw",
    ["q=%00", "q=%FF%FE", "q=%C0%80", "q=%ED%A0%80", "q=%", "q=%%%", "topic=%00&q=a%00",
     "q=" + "%F0%9F%98%A1" * 100, "since=%00&until=%FF", "cursor=%00", "cursor=" + "A" * 2000],
)  # fmt: skip
def test_raw_query_strings_with_broken_percent_encoding(api: TestClient, raw: str) -> None:
    for path in ("/search", "/trends"):
        assert_no_server_error(api.get(f"{path}?{raw}"), f"{path}?{raw[:60]}")
