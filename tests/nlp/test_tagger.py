"""The tagger on the sample site's own documents and on hostile input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from indexer.documents import Article, Comment
from nlp.datasets import CATEGORY_NAMES
from nlp.tagger import Tagger, TaggerError
from vnopinion.demo_site.content import load_site
from vnopinion.settings import Settings

NOW = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.fixture(scope="module")
def tagger() -> Iterator[Tagger]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    tagger = Tagger(settings.models_dir, workers=1)
    yield tagger
    tagger.close()


def land_article_and_comment() -> tuple[Article, Comment]:
    written = next(a for a in load_site().articles if a.id == 4100001)
    body = "\n\n".join(written.body)
    article = Article(id="a1", source="s", source_name="S", url="u", title=written.title,
                      lead=written.lead, text=body, crawled_at=NOW)  # fmt: skip
    comment = Comment(id="c1", source="s", source_name="S", url="u#1", parent_id="a1",
                      thread_id="a1", text="Chờ tiền đền bù mỏi mòn mà chẳng ai trả lời 😡",
                      crawled_at=NOW)  # fmt: skip
    return article, comment


def test_article_and_comment_get_every_tag(tagger: Tagger) -> None:
    article, comment = land_article_and_comment()
    tagged_article, tagged_comment = tagger.tag([article, comment])
    assert "dat_dai" in (tagged_article.watch_topics or [])
    assert any(t.startswith("dat_dai:") for t in tagged_article.watch_terms or [])
    assert tagged_article.place is not None
    assert tagged_article.place.province == "Thành phố Hà Nội"
    assert tagged_comment.place == tagged_article.place  # the comment inherits its article's
    assert tagged_comment.sentiment is not None
    assert tagged_comment.sentiment.label == "negative"
    assert tagged_comment.toxicity is not None
    assert 0.0 <= tagged_comment.toxicity.score <= 1.0
    assert "dat_dai" in (tagged_comment.watch_topics or [])
    assert tagged_comment.text == comment.text  # the original is kept
    assert tagged_comment.text_folded == "cho tien den bu moi mon ma chang ai tra loi 😡"
    assert tagged_comment.model_version == tagger.model_version
    assert "sentiment=" in tagger.model_version
    assert "category=topic-linear-" in tagger.model_version


def test_article_gets_a_category_and_keywords_and_its_comment_inherits_the_category(
    tagger: Tagger,
) -> None:
    article, comment = land_article_and_comment()
    tagged_article, tagged_comment = tagger.tag([article, comment])
    assert tagged_article.category in CATEGORY_NAMES
    assert tagged_comment.category == tagged_article.category
    keywords = tagged_article.keywords or []
    assert 0 < len(keywords) <= 10
    assert all(k == k.lower() and "_" not in k for k in keywords)
    assert any(" " in k for k in keywords)  # compounds such as "giải phóng mặt bằng"
    assert "đền bù" in (tagged_comment.keywords or [])


def test_worker_processes_tag_exactly_like_one_process(tagger: Tagger) -> None:
    site = load_site()
    articles = [
        Article(id=f"a{a.id}", source="s", source_name="S", url=f"u{a.id}", title=a.title,
                lead=a.lead, text="\n\n".join(a.body), crawled_at=NOW)
        for a in site.articles[:6]
    ]  # fmt: skip
    comments = [
        Comment(id=f"c{c.id}", source="s", source_name="S", url=f"u#{c.id}",
                parent_id=f"a{a.id}", thread_id=f"a{a.id}", text=c.text, crawled_at=NOW)
        for a in site.articles[:6]
        for c in a.comments
    ]  # fmt: skip
    documents = [*articles, *comments]
    with Tagger(Settings(_env_file=None).models_dir, workers=2) as pool_tagger:  # type: ignore[call-arg]
        pooled = pool_tagger.tag(documents)
        assert pool_tagger.model_version == tagger.model_version
    assert [d.model_dump() for d in pooled] == [d.model_dump() for d in tagger.tag(documents)]


def test_repeated_short_comments_are_tagged_once(tagger: Tagger) -> None:
    same = [
        Comment(id=f"r{n}", source="s", source_name="S", url="u", parent_id="a", thread_id="a",
                text="Đồng ý với bạn, chuẩn luôn", crawled_at=NOW)
        for n in range(3)
    ]  # fmt: skip
    tagged = tagger.tag(same)
    assert len({d.model_dump_json(exclude={"id"}) for d in tagged}) == 1
    assert "Đồng ý với bạn, chuẩn luôn" in tagger._cache


def test_missing_models_are_a_clear_error(tmp_path) -> None:
    with pytest.raises(TaggerError, match="vnopinion train"):
        Tagger(tmp_path)


def test_praise_is_positive(tagger: Tagger) -> None:
    praise = Comment(id="c2", source="s", source_name="S", url="u", parent_id="a", thread_id="a",
                     text="Cảm ơn phường đã xử lý rất nhanh, cán bộ nhiệt tình, tuyệt vời!",
                     crawled_at=NOW)  # fmt: skip
    [tagged] = tagger.tag([praise])
    assert tagged.sentiment is not None
    assert tagged.sentiment.label == "positive"


@pytest.mark.parametrize(
    "text", ["", "😡😡😡👍", "The council met on Tuesday to discuss parking.", "Đồng ý. " * 150_000]
)
def test_hostile_text_gets_a_result(tagger: Tagger, text: str) -> None:
    doc = Comment(id="c", source="s", source_name="S", url="u", parent_id="a", thread_id="a",
                  text=text, crawled_at=NOW)  # fmt: skip
    [tagged] = tagger.tag([doc])
    assert tagged.sentiment is not None
    assert tagged.toxicity is not None
    assert tagged.text == doc.text


def test_watch_terms_explain_rule_topics_and_the_model_adds_without_terms(tagger: Tagger) -> None:
    article, _ = land_article_and_comment()
    texts = ["Tiền đền bù đất chậm quá", "tiền chợ, tiền trọ tăng mà lương vẫn vậy thì sống sao"]
    comments = [
        Comment(
            id=f"c{i}",
            source="s",
            source_name="S",
            url=f"u#{i}",
            parent_id="a1",
            thread_id="a1",
            text=text,
            crawled_at=NOW,
        )
        for i, text in enumerate(texts)
    ]
    for doc in tagger.tag([article, *comments]):
        topics = set(doc.watch_topics or [])
        assert {term.split(":")[0] for term in doc.watch_terms or []} <= topics
    assert "dat_dai" in (tagger.tag(comments[:1])[0].watch_terms or [""])[0]
