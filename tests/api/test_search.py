"""/search and /documents/{id} on the seeded corpus (real node)."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from indexer.documents import AnyDocument, article_id
from tests.api.corpus import DN, has_topic

pytestmark = pytest.mark.es

PROCEDURES = article_id("https://tuoitre.vn/thu-tuc-hanh-chinh.html")
UNTAGGED = article_id("https://tuoitre.vn/thu-tuc-so-do.html")
SPIKE = article_id("https://vnexpress.net/phan-doi-thu-hoi-dat.html")


def ids_of(body: dict[str, object]) -> list[str]:
    return [h["id"] for h in body["hits"]]  # type: ignore[attr-defined]


def by_id(corpus: list[AnyDocument]) -> dict[str, AnyDocument]:
    return {d.id: d for d in corpus}


def test_unaccented_query_finds_accented_text(api: TestClient, corpus: list[AnyDocument]) -> None:
    body = api.get("/search", params={"q": "thu tuc"}).json()
    docs = by_id(corpus)
    assert body["total"] == 2
    assert {docs[i].kind for i in ids_of(body)} == {"article", "comment"}
    article = next(h for h in body["hits"] if h["id"] == PROCEDURES)
    assert article["highlight"]["title"] == [
        "Người dân than phiền <mark>thủ</mark> <mark>tục</mark> hành chính rườm rà"
    ]
    comment = next(h for h in body["hits"] if h["id"] != PROCEDURES)
    assert "<mark>thu</mark> <mark>tuc</mark>" in comment["highlight"]["text"][0]


def test_accented_query_ranks_exact_spelling_first(api: TestClient) -> None:
    body = api.get("/search", params={"q": "thủ tục"}).json()
    # the tagged article (accented and folded), the comment typed without diacritics
    # (folded only), and the article not tagged yet (accented only: it has no text_folded)
    assert body["total"] == 3
    assert ids_of(body)[0] == PROCEDURES
    assert set(ids_of(body)) >= {PROCEDURES, UNTAGGED}
    assert body["hits"][0]["highlight"]["title"] == [
        "Người dân than phiền <mark>thủ</mark> <mark>tục</mark> hành chính rườm rà"
    ]


def test_search_filters(api: TestClient) -> None:
    comments = api.get("/search", params={"q": "thủ tục", "kind": "comment"}).json()
    assert comments["total"] == 1
    assert comments["hits"][0]["thread_id"] == PROCEDURES
    placed = api.get("/search", params={"q": "thủ tục", "province": DN}).json()
    assert placed["total"] == 2
    negative = api.get("/search", params={"q": "đền bù", "sentiment": "negative"}).json()
    assert negative["total"] == 7 + 12
    untagged = api.get("/search", params={"sentiment": "untagged", "source": "tuoitre.vn"}).json()
    assert untagged["total"] == 10 + 1  # the day-after comments of tuoitre's traffic news, and
    assert UNTAGGED in ids_of(untagged)  # the article the tagger has not seen


def test_time_sort(api: TestClient, corpus: list[AnyDocument]) -> None:
    body = api.get(
        "/search", params={"topic": "giao_thong_ha_tang", "sort": "time", "size": 100}
    ).json()
    expected = sorted(
        (d for d in corpus if has_topic(d, "giao_thong_ha_tang")),
        key=lambda d: d.published_at or datetime.min, reverse=True,
    )  # fmt: skip
    assert ids_of(body) == [d.id for d in expected]
    assert body["next_cursor"] is None


def test_engagement_sort(api: TestClient) -> None:
    body = api.get("/search", params={"topic": "dat_dai", "sort": "engagement", "size": 6}).json()
    assert ids_of(body)[0] == SPIKE
    assert [h["likes"] for h in body["hits"]] == [500, 100, 99, 98, 97, 96]
    everything = api.get("/search", params={"sort": "engagement", "size": 100}).json()
    keys = [
        (h["likes"] is None, -(h["likes"] or 0), -(h["replies"] or 0)) for h in everything["hits"]
    ]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("sort", "q"),
    [("time", None), ("engagement", None), ("relevance", None), ("relevance", "đền bù")],
)
def test_cursor_pages_through_everything_once(
    api: TestClient, corpus: list[AnyDocument], sort: str, q: str | None
) -> None:
    params: dict[str, object] = {"sort": sort, "size": 7}
    if q:
        params["q"] = q
    seen: list[str] = []
    body = api.get("/search", params=params).json()
    while True:
        seen += ids_of(body)
        if body["next_cursor"] is None:
            break
        body = api.get("/search", params={**params, "cursor": body["next_cursor"]}).json()
    assert len(seen) == len(set(seen)) == body["total"]
    if q is None:
        assert set(seen) == {d.id for d in corpus}


def test_page_numbers_and_cursor_agree(api: TestClient) -> None:
    first = api.get("/search", params={"sort": "time", "size": 5}).json()
    by_page = api.get("/search", params={"sort": "time", "size": 5, "page": 2}).json()
    by_cursor = api.get(
        "/search", params={"sort": "time", "size": 5, "cursor": first["next_cursor"]}
    ).json()
    assert ids_of(by_page) == ids_of(by_cursor)
    assert by_page["next_cursor"] == by_cursor["next_cursor"]


@pytest.mark.parametrize(
    "q",
    ['"', "(", ")", "a:b", "*", "\\", "AND OR NOT", "title:(thủ", "/thu.*/", "{[}]~^2",
     "🔥🔥 quá tệ 😡", "thủ tục " * 62, "-", "|", "+", "\"thu tuc\" -đất | hồ sơ*", "\u0000x"],
)  # fmt: skip
def test_hostile_queries_never_fail(api: TestClient, q: str) -> None:
    response = api.get("/search", params={"q": q[:500]})
    assert response.status_code == 200, response.text
    assert response.json()["total"] >= 0


def test_article_with_its_thread(api: TestClient) -> None:
    response = api.get(f"/documents/{SPIKE}")
    assert response.status_code == 200
    body = response.json()
    assert body["document"]["title"] == "Hàng trăm hộ dân phản đối cưỡng chế thu hồi đất"
    thread = body["thread"]
    assert (thread["total"], thread["returned"]) == (14, 14)
    top = thread["comments"]
    assert len(top) == 12
    assert [r["text"][:9] for r in top[0]["children"]] == ["Ý kiến 3:", "Ý kiến 7:"]
    assert all(r["parent_id"] == top[0]["id"] for r in top[0]["children"])
    times = [c["published_at"] for c in top]
    assert times == sorted(times)
    for hidden in ("text_folded", "text_seg", "author_name"):
        assert hidden not in response.text
    assert top[0]["author_id"].startswith("author-")


def test_thread_is_bounded(api: TestClient) -> None:
    body = api.get(f"/documents/{SPIKE}", params={"comments_size": 5}).json()
    assert (body["thread"]["total"], body["thread"]["returned"]) == (14, 5)
    # a reply whose parent is returned sits under it; 5 comments: 0 (with reply 3), 1, 2, 4
    assert [len(c["children"]) for c in body["thread"]["comments"]] == [1, 0, 0, 0]


def test_comment_document_and_missing_document(api: TestClient) -> None:
    thread = api.get(f"/documents/{SPIKE}").json()["thread"]
    comment_id = thread["comments"][0]["id"]
    body = api.get(f"/documents/{comment_id}").json()
    assert body["document"]["kind"] == "comment"
    assert body["document"]["thread_id"] == SPIKE
    assert body["thread"] is None
    missing = api.get("/documents/khong-co-tai-lieu-nay")
    assert missing.status_code == 404
    assert "khong-co-tai-lieu-nay" in missing.json()["detail"]
    assert "no document" in missing.json()["detail"]
