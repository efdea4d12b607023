"""vnopinion's Kibana saved objects: a data view, Lens charts and the "Dư luận" dashboard.

The objects are built from code (``indexer.kibana_lens`` checks every field against the
index mapping, and label values come from the model's ``Literal`` types), so the schema
exists once. The shipped copy, ``indexer/kibana/vnopinion.ndjson`` (Kibana 8.19's import
format: one object per line), is ``render(saved_objects("vnopinion-docs", <the default
watch topics>))``; a test keeps the two equal, and ``vnopinion kibana export --out ...``
rewrites it. ``vnopinion kibana import`` sends the same objects for the configured alias.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from indexer.documents import Article, Comment, Sentiment, Toxicity
from indexer.kibana_lens import (
    TYPE_MIGRATION_VERSIONS,
    Fields,
    count,
    date_histogram,
    dumps,
    kql,
    last_value,
    lens,
    literal_values,
    maximum,
    ratio,
    saved_object,
    static_lookup,
    table,
    terms,
    xy,
)

__all__ = ["DASHBOARD_ID", "DATA_VIEW_ID", "SHIPPED_NDJSON", "render", "saved_objects"]

SHIPPED_NDJSON = Path(__file__).with_name("kibana") / "vnopinion.ndjson"
DATA_VIEW_ID = "vnopinion-data-view"
DASHBOARD_ID = "vnopinion-dashboard"
TIME_FIELD = "published_at"
COUNT = "Số tin và bình luận"

# How analysts read the stored values (data-view field formats and custom labels).
SENTIMENT_NAMES = {"negative": "Tiêu cực", "neutral": "Trung lập", "positive": "Tích cực"}
TOXICITY_NAMES = {"clean": "Bình thường", "offensive": "Xúc phạm", "hate": "Thù ghét"}
KIND_NAMES = {"article": "Bài báo", "comment": "Bình luận"}
FIELD_NAMES = {
    "published_at": "Thời điểm đăng",
    "kind": "Loại",
    "source_name": "Nguồn",
    "section": "Chuyên mục của báo",
    "category": "Lĩnh vực",
    "sentiment.label": "Cảm xúc",
    "sentiment.score": "Điểm cảm xúc",
    "toxicity.label": "Mức độc hại",
    "toxicity.score": "Điểm độc hại",
    "watch_topics": "Chủ đề theo dõi",
    "place.province": "Tỉnh/thành",
    "place.commune": "Xã/phường",
    "url": "Đường dẫn",
    "likes": "Lượt thích",
    "replies": "Lượt trả lời",
}
HIDDEN_IN_DISCOVER = ("text_seg", "text_folded")  # machine copies of `text`


def _data_view(f: Fields, alias: str, topic_names: Mapping[str, str]) -> dict[str, Any]:
    kinds = literal_values(Article, "kind") + literal_values(Comment, "kind")
    formats: dict[str, Any] = {
        f.searched("sentiment.label"): static_lookup(
            literal_values(Sentiment, "label"), SENTIMENT_NAMES
        ),
        f.searched("toxicity.label"): static_lookup(
            literal_values(Toxicity, "label"), TOXICITY_NAMES
        ),
        f.searched("kind"): static_lookup(kinds, KIND_NAMES),
        f.searched("url"): {"id": "url"},
    }
    if topic_names:
        formats[f.searched("watch_topics")] = static_lookup(tuple(topic_names), topic_names)
    attributes = {
        "title": alias,
        "name": "vnopinion — tin và bình luận",
        "timeFieldName": f.aggregated(TIME_FIELD),
        "fields": "[]",
        "fieldAttrs": dumps({f.searched(k): {"customLabel": v} for k, v in FIELD_NAMES.items()}),
        "fieldFormatMap": dumps(formats),
        "runtimeFieldMap": "{}",
        "sourceFilters": dumps([{"value": f.searched(name)} for name in HIDDEN_IN_DISCOVER]),
        "typeMeta": "{}",
    }
    return saved_object("index-pattern", DATA_VIEW_ID, attributes, [])


# --- The charts --------------------------------------------------------------------------


def _total(f: Fields) -> dict[str, Any]:
    columns = {"total-count": count(COUNT)}
    visualization = {"layerId": "total", "layerType": "data", "metricAccessor": "total-count"}
    text = (
        "Tổng số tin và bình luận",
        "Số bài báo và bình luận của bạn đọc trong khoảng thời gian đang chọn.",
    )
    return lens("vnopinion-lens-total", text, "lnsMetric", DATA_VIEW_ID, ("total", columns),
                visualization)  # fmt: skip


def _sentiment_share(f: Fields) -> dict[str, Any]:
    columns = {
        "share-sentiment": terms(f, "sentiment.label", "Cảm xúc", 3, "share-count"),
        "share-count": count(COUNT),
    }
    pie_layer = {
        "layerId": "share",
        "layerType": "data",
        "primaryGroups": ["share-sentiment"],
        "metrics": ["share-count"],
        "numberDisplay": "percent",
        "categoryDisplay": "default",
        "legendDisplay": "default",
        "nestedLegend": False,
    }
    text = (
        "Cơ cấu cảm xúc",
        "Tỷ lệ tích cực, trung lập và tiêu cực trong các tin và bình luận đã được gán cảm xúc.",
    )
    return lens("vnopinion-lens-sentiment-share", text, "lnsPie", DATA_VIEW_ID,
                ("share", columns), {"shape": "donut", "layers": [pie_layer]})  # fmt: skip


def _volume_by_sentiment(f: Fields) -> dict[str, Any]:
    columns = {
        "volume-sentiment": terms(f, "sentiment.label", "Cảm xúc", 3, "volume-count"),
        "volume-date": date_histogram(f, TIME_FIELD, "Thời điểm đăng"),
        "volume-count": count(COUNT),
    }
    text = (
        "Khối lượng theo cảm xúc",
        "Số tin và bình luận theo thời điểm đăng, chia theo cảm xúc (tích cực, trung lập, "
        "tiêu cực): một cột cao đột biến, nhiều phần tiêu cực, là dấu hiệu cần xem ngay.",
    )
    chart = xy("volume", "bar_stacked", "volume-date", "volume-count", split="volume-sentiment")
    return lens("vnopinion-lens-volume-by-sentiment", text, "lnsXY", DATA_VIEW_ID,
                ("volume", columns), chart)  # fmt: skip


def _top_by_sentiment(
    f: Fields, key: str, field: str, label: str, text: tuple[str, str]
) -> dict[str, Any]:
    """Horizontal bars: the 15 most frequent values of ``field``, split by sentiment."""
    columns = {
        f"{key}-terms": terms(f, field, label, 15, f"{key}-count"),
        f"{key}-sentiment": terms(f, "sentiment.label", "Cảm xúc", 3, f"{key}-count"),
        f"{key}-count": count(COUNT),
    }
    chart = xy(key, "bar_horizontal_stacked", f"{key}-terms", f"{key}-count", f"{key}-sentiment")
    return lens(f"vnopinion-lens-{key}", text, "lnsXY", DATA_VIEW_ID, (key, columns), chart)


def _watch_topics(f: Fields) -> dict[str, Any]:
    text = (
        "Chủ đề theo dõi nổi bật",
        "Các chủ đề theo dõi (đất đai, thủ tục hành chính, môi trường, ...) được nhắc đến "
        "nhiều nhất, chia theo cảm xúc.",
    )
    return _top_by_sentiment(f, "watch-topics", "watch_topics", "Chủ đề theo dõi", text)


def _places(f: Fields) -> dict[str, Any]:
    text = (
        "Địa bàn được nhắc đến",
        "Tỉnh, thành phố (đơn vị hành chính từ 1/7/2025) được nhắc đến nhiều nhất, chia theo "
        "cảm xúc.",
    )
    return _top_by_sentiment(f, "places", "place.province", "Tỉnh/thành", text)


def _negative_share_by_source(f: Fields) -> dict[str, Any]:
    negative = "negative"
    if negative not in literal_values(Sentiment, "label"):
        raise ValueError(f"{negative!r} is no longer a sentiment label")
    label = f.searched("sentiment.label")
    columns = {
        "negative-source": terms(f, "source_name", "Nguồn", 20, "negative-count"),
        "negative-count": count("Đã gán cảm xúc"),
        **ratio("negative-share", "Tỷ lệ tiêu cực", kql(label, negative)),
    }
    visible = ["negative-source", "negative-count", "negative-share"]
    text = (
        "Tỷ lệ tiêu cực theo nguồn",
        "Với mỗi nguồn: số tin và bình luận đã được gán cảm xúc, và tỷ lệ tiêu cực trong số "
        "đó (cao nhất trước).",
    )
    return lens("vnopinion-lens-negative-share-by-source", text, "lnsDatatable", DATA_VIEW_ID,
                ("negative", columns), table("negative", visible, sort_by="negative-share"),
                query=f"{label} : *")  # fmt: skip


def _toxic_comments(f: Fields) -> dict[str, Any]:
    toxic = [value for value in literal_values(Toxicity, "label") if value != "clean"]
    columns = {
        # One comment per row: url identifies it (`text` is a text field, not aggregatable).
        "toxic-url": terms(f, "url", "Bình luận (đường dẫn)", 100, "toxic-score"),
        "toxic-published": last_value(f, TIME_FIELD, "Thời điểm đăng", TIME_FIELD),
        "toxic-source": last_value(f, "source_name", "Nguồn", TIME_FIELD),
        "toxic-label": last_value(f, "toxicity.label", "Mức độc hại", TIME_FIELD),
        "toxic-score": maximum(f, "toxicity.score", "Điểm độc hại"),
    }
    visible = ["toxic-published", "toxic-source", "toxic-label", "toxic-score", "toxic-url"]
    query = f"{kql(f.searched('kind'), 'comment')} and {kql(f.searched('toxicity.label'), *toxic)}"
    text = (
        "Bình luận độc hại",
        "Bình luận được mô hình gắn nhãn xúc phạm hoặc thù ghét, điểm cao nhất trước; mở "
        "đường dẫn để đọc nguyên văn trước khi kết luận.",
    )
    return lens("vnopinion-lens-toxic-comments", text, "lnsDatatable", DATA_VIEW_ID,
                ("toxic", columns), table("toxic", visible, sort_by="toxic-score"),
                query=query)  # fmt: skip


# --- The dashboard -----------------------------------------------------------------------

Chart = Callable[[Fields], dict[str, Any]]

# (chart, x, y, w, h) on Kibana's 48-column grid.
_LAYOUT: tuple[tuple[Chart, int, int, int, int], ...] = (
    (_total, 0, 0, 12, 8),
    (_sentiment_share, 0, 8, 12, 13),
    (_volume_by_sentiment, 12, 0, 36, 21),
    (_watch_topics, 0, 21, 24, 17),
    (_places, 24, 21, 24, 17),
    (_negative_share_by_source, 0, 38, 20, 17),
    (_toxic_comments, 20, 38, 28, 17),
)


def _dashboard(charts: list[tuple[dict[str, Any], tuple[int, int, int, int]]]) -> dict[str, Any]:
    panels, references = [], []
    for index, (chart, (x, y, w, h)) in enumerate(charts):
        panels.append({
            "version": TYPE_MIGRATION_VERSIONS["dashboard"],
            "type": chart["type"],
            "gridData": {"x": x, "y": y, "w": w, "h": h, "i": str(index)},
            "panelIndex": str(index),
            "embeddableConfig": {"enhancements": {}},
            "panelRefName": f"panel_{index}",
        })  # fmt: skip
        references.append({"type": chart["type"], "id": chart["id"], "name": f"panel_{index}"})
    options = {"useMargins": True, "syncColors": True, "syncCursor": True,
               "syncTooltips": False, "hidePanelTitles": False}  # fmt: skip
    search = {"query": {"query": "", "language": "kuery"}, "filter": []}
    attributes = {
        "title": "vnopinion — Dư luận",
        "description": "Nắm tình hình dư luận trên báo điện tử và trong bình luận của bạn đọc: "
        "khối lượng và cảm xúc theo thời gian, chủ đề theo dõi, địa bàn, tỷ lệ tiêu cực theo "
        "nguồn, bình luận độc hại.",
        "panelsJSON": dumps(panels),
        "optionsJSON": dumps(options),
        "timeRestore": True,
        "timeFrom": "now-30d",
        "timeTo": "now",
        "refreshInterval": {"pause": True, "value": 60000},
        "kibanaSavedObjectMeta": {"searchSourceJSON": dumps(search)},
        "version": 1,
    }
    return saved_object("dashboard", DASHBOARD_ID, attributes, references)


def saved_objects(alias: str, topic_names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The data view on ``alias``, the Lens charts and the dashboard, dependencies first.

    ``topic_names`` (watch-topic key -> Vietnamese label) become the display format of
    ``watch_topics``; the caller reads them (the indexer does not import ``nlp``).
    """
    fields = Fields()
    charts = [(chart(fields), (x, y, w, h)) for chart, x, y, w, h in _LAYOUT]
    return [
        _data_view(fields, alias, topic_names or {}),
        *(chart for chart, _ in charts),
        _dashboard(charts),
    ]


def render(objects: list[dict[str, Any]]) -> str:
    """Kibana's ndjson: one object per line, keys sorted, so the output is stable."""
    return "".join(dumps(obj) + "\n" for obj in objects)
