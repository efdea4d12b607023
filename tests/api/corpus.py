"""A small, realistic corpus with its tags set directly, for the analytics API tests.

Four weeks of daily traffic news from Hồ Chí Minh City (one article, two comments a day:
a flat series), land-clearance news from Hà Nội every fourth day, and on the last day
(25 November 2026, Vietnam time) a planted spike: one land article and 14 comments, mostly
negative. Besides: an article on administrative procedures in Đà Nẵng with a comment typed
without diacritics, an article the tagger has not seen, and one without a date.

Expectations in the tests are recounted from these documents in plain Python, so the API's
Elasticsearch queries are checked against an independent computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from indexer.documents import (
    AnyDocument,
    Article,
    Comment,
    Place,
    Sentiment,
    Toxicity,
    article_id,
    comment_id,
)
from indexer.text import fold

VN = timezone(timedelta(hours=7))
FIRST_DAY = date(2026, 10, 28)
SPIKE_DAY = date(2026, 11, 25)
DAYS = (SPIKE_DAY - FIRST_DAY).days + 1  # 29: 28 days of history and the spike day
UNTIL = datetime(2026, 11, 26, tzinfo=VN)  # exclusive end of every analytics window
CRAWLED = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)

HN = "Thành phố Hà Nội"
HCM = "Thành phố Hồ Chí Minh"
DN = "Thành phố Đà Nẵng"
SOURCES = [("vnexpress.net", "VnExpress"), ("tuoitre.vn", "Tuổi Trẻ"), ("dantri.com.vn", "Dân trí")]
CYCLE = ("negative", "neutral", "positive")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


@dataclass
class Builder:
    docs: list[AnyDocument]
    comments: int = 0

    def article(
        self,
        slug: str,
        source: int,
        title: str,
        text: str,
        published: datetime | None,
        *,
        topic: str | None,
        province: str | None,
        sentiment: str | None,
        commune: str | None = None,
        category: str | None = "chinh-tri-xa-hoi",
        keywords: list[str] | None = None,
        likes: int | None = None,
        replies: int | None = None,
    ) -> Article:
        domain, name = SOURCES[source]
        url = f"https://{domain}/{slug}.html"
        doc = Article(
            id=article_id(url), source=domain, source_name=name, url=url, title=title,
            lead=None, text=text, published_at=published, crawled_at=CRAWLED,
            likes=likes, replies=replies,
        )  # fmt: skip
        if sentiment is not None:
            tag(doc, f"{title}\n{text}", topic, province, sentiment, commune, category, keywords)
        self.docs.append(doc)
        return doc

    def comment(
        self,
        article: Article,
        text: str,
        published: datetime,
        sentiment: str | None,
        *,
        parent: Comment | None = None,
        likes: int | None = None,
        keywords: list[str] | None = None,
    ) -> Comment:
        self.comments += 1
        doc = Comment(
            id=comment_id(article.source, 1000 + self.comments), source=article.source,
            source_name=article.source_name, url=f"{article.url}#c{self.comments}", text=text,
            published_at=published, crawled_at=CRAWLED, parent_id=(parent or article).id,
            thread_id=article.id, author_id=f"author-{self.comments % 7}",
            author_name="Nguyễn Văn A", likes=likes, replies=0,
        )  # fmt: skip
        if sentiment is not None:
            topics = article.watch_topics or []
            place = article.place
            tag(
                doc, text, topics[0] if topics else None, place.province if place else None,
                sentiment, place.commune if place else None, article.category, keywords,
            )  # fmt: skip
        self.docs.append(doc)
        return doc


def tag(
    doc: AnyDocument,
    analysed: str,
    topic: str | None,
    province: str | None,
    sentiment: str,
    commune: str | None,
    category: str | None,
    keywords: list[str] | None,
) -> None:
    doc.text_folded = fold(analysed)
    doc.sentiment = Sentiment(label=sentiment, score=0.9)  # type: ignore[arg-type]
    doc.toxicity = Toxicity(label="clean", score=0.8)
    doc.category = category
    doc.watch_topics = [topic] if topic else []
    doc.place = Place(province=province, commune=commune) if province else None
    doc.keywords = keywords or []
    doc.model_version = "test"


def build() -> list[AnyDocument]:
    b = Builder([])
    for d in range(DAYS):
        day = FIRST_DAY + timedelta(days=d)
        traffic = b.article(
            f"un-tac-{d}", d % 3, f"Ùn tắc kéo dài trên đường Nguyễn Văn Linh ngày {d}",
            "Người dân mất hàng giờ vì ùn tắc giao thông giờ cao điểm.", at(day, 8),
            topic="giao_thong_ha_tang", province=HCM, commune="Phường Tân Hưng",
            sentiment=CYCLE[d % 3], keywords=["ùn tắc", "giao thông"], likes=d, replies=2,
        )  # fmt: skip
        b.comment(traffic, "Ngày nào cũng kẹt xe, quá mệt mỏi.", at(day, 9), "negative",
                  likes=d % 5, keywords=["kẹt xe"])  # fmt: skip
        # 06:30 the next morning in Vietnam is still the previous day in UTC.
        b.comment(traffic, "Mong thành phố sớm có giải pháp.", at(day, 6, 30) + timedelta(1),
                  None, likes=1)  # fmt: skip
        if d % 4 == 0 and day != SPIKE_DAY:
            land = b.article(
                f"den-bu-{d}", 0, f"Hà Nội chi trả tiền đền bù dự án vành đai ngày {d}",
                "Các hộ dân nhận tiền bồi thường giải phóng mặt bằng.", at(day, 14),
                topic="dat_dai", province=HN, sentiment="neutral", category="phap-luat",
                keywords=["đền bù", "giải phóng mặt bằng"], likes=3, replies=1,
            )  # fmt: skip
            b.comment(land, "Đền bù thấp quá, dân thiệt thòi.", at(day, 15), "negative",
                      keywords=["đền bù"])  # fmt: skip
    spike_day(b)
    procedures(b)
    b.article(
        "thu-tuc-so-do", 1, "Thủ tục cấp sổ đỏ ở phường", "Chưa gắn thẻ.",
        at(FIRST_DAY + timedelta(12), 10), topic=None, province=None, sentiment=None,
    )  # fmt: skip
    b.article(
        "khong-ro-ngay", 2, "Bản tin không rõ ngày đăng", "Trang không ghi ngày.", None,
        topic=None, province=None, sentiment="neutral", keywords=["bản tin"],
    )  # fmt: skip
    return b.docs


def spike_day(b: Builder) -> None:
    land = b.article(
        "phan-doi-thu-hoi-dat", 0, "Hàng trăm hộ dân phản đối cưỡng chế thu hồi đất",
        "Người dân phường Hoàn Kiếm tập trung phản đối mức đền bù và cưỡng chế thu hồi đất.",
        at(SPIKE_DAY, 7), topic="dat_dai", province=HN, commune="Phường Hoàn Kiếm",
        sentiment="negative", category="phap-luat",
        keywords=["thu hồi đất", "đền bù", "cưỡng chế"], likes=500, replies=14,
    )  # fmt: skip
    labels = ["negative"] * 11 + ["neutral"] * 2 + ["positive"]
    first: Comment | None = None
    for i, label in enumerate(labels):
        parent = first if i in (3, 7) else None  # two replies to the first comment
        made = b.comment(
            land, f"Ý kiến {i}: đền bù không thỏa đáng, cưỡng chế là sai.",
            at(SPIKE_DAY, 8 + i), label, parent=parent, likes=100 - i,
            keywords=["đền bù", "cưỡng chế"],
        )  # fmt: skip
        first = first or made


def procedures(b: Builder) -> None:
    day = FIRST_DAY + timedelta(10)
    article = b.article(
        "thu-tuc-hanh-chinh", 1, "Người dân than phiền thủ tục hành chính rườm rà",
        "Nhiều hồ sơ bị trễ hẹn; thủ tục cần được rút gọn.", at(day, 11),
        topic="thu_tuc_hanh_chinh", province=DN, sentiment="negative",
        keywords=["thủ tục hành chính", "hồ sơ"], likes=40, replies=1,
    )  # fmt: skip
    b.comment(article, "thu tuc gi ma lau qua, mat ca buoi sang", at(day, 12), "negative",
              likes=40, keywords=["thủ tục"])  # fmt: skip


# ---- plain-Python recounts used as expectations ----


def local_day(doc: AnyDocument) -> date | None:
    return doc.published_at.astimezone(VN).date() if doc.published_at else None


def in_days(doc: AnyDocument, first: date, last: date) -> bool:
    day = local_day(doc)
    return day is not None and first <= day <= last


def label(doc: AnyDocument) -> str:
    return doc.sentiment.label if doc.sentiment else "untagged"


def has_topic(doc: AnyDocument, topic: str) -> bool:
    return topic in (doc.watch_topics or [])


def province(doc: AnyDocument) -> str | None:
    return doc.place.province if doc.place else None
