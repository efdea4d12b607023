"""The small rules the extractor is built from: dates, datelines, bylines, publishers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from lxml.html import document_fromstring, fragment_fromstring

from crawlers.extract.body import byline_name, selected_paragraphs, tidy
from crawlers.extract.dates import SITE_TIMEZONE, htmldate_date, parse_datetime, printed_date
from crawlers.extract.metadata import is_publisher, person_names, read_metadata
from crawlers.extract.page import flatten_deep, parse_page
from crawlers.extract.text import clean, strip_dateline, unescape
from crawlers.extract.urls import normalized_url

PLUS_7 = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-07T00:05:00+07:00", datetime(2026, 3, 7, 0, 5, tzinfo=PLUS_7)),
        ("2026-03-07T08:52:11.000 +07:00", datetime(2026, 3, 7, 8, 52, 11, tzinfo=PLUS_7)),
        ("2021-12-31T22:32:18+0700", datetime(2021, 12, 31, 22, 32, 18, tzinfo=PLUS_7)),
        ("2026-03-07T01:00:00Z", datetime(2026, 3, 7, 8, 0, tzinfo=PLUS_7)),
        ("2026-03-07 08:07", datetime(2026, 3, 7, 8, 7, tzinfo=PLUS_7)),  # no zone: site time
        ("07/03/2026 08:01 GMT+7", datetime(2026, 3, 7, 8, 1, tzinfo=PLUS_7)),
        ("Thứ bảy, 07/03/2026 - 08:07", datetime(2026, 3, 7, 8, 7, tzinfo=PLUS_7)),
        ("Thứ Ba, 07:15, 02/06/2026", datetime(2026, 6, 2, 7, 15, tzinfo=PLUS_7)),
        ("14/05/2026", datetime(2026, 5, 14, tzinfo=PLUS_7)),
    ],
)
def test_dates_as_sites_write_them(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    "text", [None, "", "hôm qua", "31/02/2026 10:00", "2026-13-01", "1/1/1899"]
)
def test_not_dates(text: str | None) -> None:
    assert parse_datetime(text) is None


def test_naive_dates_are_ho_chi_minh_time() -> None:
    parsed = parse_datetime("2026-05-14T09:30:00")
    assert parsed is not None
    assert parsed.tzinfo == SITE_TIMEZONE


def test_printed_date_is_the_one_by_the_headline_not_todays_in_the_top_bar() -> None:
    page = document_fromstring(
        "<html><body><div class='top'><span class='date'>Thứ Sáu, 15/05/2026</span></div>"
        "<div class='article'><h1>Tiêu đề</h1><div class='meta'>"
        "<span class='publish-time'>14/05/2026 06:45</span></div><p>Nội dung.</p></div>"
        "</body></html>"
    )
    assert printed_date(page) == datetime(2026, 5, 14, 6, 45, tzinfo=PLUS_7)


def test_htmldate_is_the_last_resort() -> None:
    page = document_fromstring("<html><body><h1>Tiêu đề</h1><p>Nội dung.</p></body></html>")
    found = htmldate_date(page, "https://laodong.vn/2026/05/14/tieu-de.html")
    assert found == datetime(2026, 5, 14, tzinfo=PLUS_7)


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("(Dân trí) - Giá vàng giảm.", "Giá vàng giảm."),
        ("TPO - Tỉnh Bách Nhiên vừa nổi tiếng.", "Tỉnh Bách Nhiên vừa nổi tiếng."),
        ("(NLĐO)- Không ít hộ kinh doanh.", "Không ít hộ kinh doanh."),
        ("VOV.VN - Sáng 2/6, Hà Nội lấy ý kiến.", "Sáng 2/6, Hà Nội lấy ý kiến."),
        ("KTĐT - Sau hai năm thí điểm.", "Sau hai năm thí điểm."),
        ("VN-Index - chỉ số chính - giảm 40 điểm.", "VN-Index - chỉ số chính - giảm 40 điểm."),
        ("Apple - công ty lớn nhất - vừa ra mắt.", "Apple - công ty lớn nhất - vừa ra mắt."),
    ],
)
def test_datelines_leave_leads(lead: str, expected: str) -> None:
    assert strip_dateline(lead) == expected


def test_json_ld_entities_escaped_twice_are_decoded() -> None:
    assert unescape("Chi&amp;#7871;n s&amp;#7921;") == "Chiến sự"
    assert clean("  a\u200b b\xa0\n c ") == "a b c"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Lê Phương", "Lê Phương"),
        ("Hà Thu (tổng hợp)", "Hà Thu"),
        ("Thu Hằng/VOV.VN", "Thu Hằng"),
        ("NHẬT XUÂN - NGHI VŨ", "NHẬT XUÂN - NGHI VŨ"),
        ("Đồng USD duy trì đà tăng", None),
        ("Quy định trên có hiệu lực từ ngày 1/3/2026.", None),
        ("Lo ngại sân nhà", None),
    ],
)
def test_closing_bylines(line: str, name: str | None) -> None:
    assert byline_name(line) == name


def test_tidy_drops_title_lead_and_byline() -> None:
    paragraphs = ["Tiêu đề bài", "(Dân trí) - Lời dẫn bài.", "Đoạn một.", "Đoạn hai.", "Lê Phương"]
    kept, byline = tidy(paragraphs, "Tiêu đề bài", "Lời dẫn bài.")
    assert kept == ["Đoạn một.", "Đoạn hai."]
    assert byline == "Lê Phương"


def test_publishers_are_not_authors() -> None:
    publishers = ["Tuổi Trẻ", "tuoitre", "tuoitre.vn", "VOV", "vov", "nld", "Người Lao Động"]
    assert person_names(
        ["TUOI TRE ONLINE", "baotuoitre", "https://www.facebook.com/x", "NLD.COM.VN",
         "Võ Văn Thưởng", "NHẬT XUÂN", "Nhật Xuân", "", None],
        publishers,
    ) == ["Võ Văn Thưởng", "NHẬT XUÂN"]  # fmt: skip
    assert is_publisher("Thu Hằng/VOV.VN", publishers)
    assert not is_publisher("Thu Hằng", publishers)


def test_selected_paragraphs_keep_loose_text_and_skip_captions() -> None:
    body = fragment_fromstring(
        "<div>Dòng mở đầu <b>không</b> có thẻ p.<br>Dòng sau thẻ br."
        "<figure><img src='x.jpg'><figcaption>Chú thích ảnh</figcaption></figure>"
        "<p>Đoạn <a href='#'>có liên kết</a>.</p><ul><li>Ý một</li><li>Ý hai</li></ul>"
        "<table><tr><td>1</td></tr></table><script>var x = 1;</script></div>"
    )
    assert selected_paragraphs([body]) == [
        "Dòng mở đầu không có thẻ p.", "Dòng sau thẻ br.", "Đoạn có liên kết.", "Ý một", "Ý hai",
    ]  # fmt: skip


def test_a_photo_story_is_its_captions() -> None:
    body = fragment_fromstring(
        "<div><div class='layout-image-2'><figure><img src='a.jpg'></figure>"
        "<figcaption>Ảnh một kể chuyện.</figcaption></div>"
        "<div class='layout-image-2'><figure><img src='b.jpg'></figure>"
        "<figcaption>Ảnh hai kể tiếp.</figcaption></div></div>"
    )
    assert selected_paragraphs([body]) == ["Ảnh một kể chuyện.", "Ảnh hai kể tiếp."]


def test_metadata_reads_graphs_broken_json_and_nested_breadcrumbs() -> None:
    page = document_fromstring(
        """<html><head>
        <script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
          "headline": "Ti&#234;u &#273;&#7873;", "datePublished": "2026-05-14T09:30:00",
          "author": [{"@type": "Person", "name": "Hải Nguyễn"},
                     {"@type": "Organization", "name": "Báo Lao Động"}],}]}</script>
        <script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": [
          [{"@type": "ListItem", "position": 2, "name": "Xã hội", "item": "https://a.vn/xa-hoi"}],
          [{"@type": "ListItem", "position": 1, "name": "Trang chủ", "item": "https://a.vn"}]
        ]}</script>
        <link rel="canonical" href="/xa-hoi/tieu-de-123456.ldo#top"></head><body></body></html>"""
    )
    meta = read_metadata(page, "https://a.vn/x?utm=1", ["Lao Động"])
    assert meta.title == "Tiêu đề"
    assert meta.authors == ["Hải Nguyễn"]
    assert meta.section == "Xã hội"
    assert meta.canonical == "https://a.vn/xa-hoi/tieu-de-123456.ldo"
    assert meta.published_at == datetime(2026, 5, 14, 9, 30, tzinfo=PLUS_7)
    assert meta.is_article


def test_urls_lose_fragments_and_tracking_but_keep_real_parameters() -> None:
    assert (
        normalized_url(
            "https://vnexpress.net/a-5047363.html?utm_source=rss&utm_campaign=x&fbclid=1#box"
        )
        == "https://vnexpress.net/a-5047363.html"
    )
    assert (
        normalized_url("https://voz.vn/t/a.1/?page=2&zarsrc=30") == "https://voz.vn/t/a.1/?page=2"
    )


def test_a_canonical_pointing_at_the_front_page_is_ignored() -> None:
    page = document_fromstring(
        '<html><head><link rel="canonical" href="https://hanoimoi.vn/">'
        '<meta property="og:url" content="https://hanoimoi.vn/bai-viet-712345.html">'
        "</head><body></body></html>"
    )
    meta = read_metadata(page, "https://hanoimoi.vn/bai-viet-712345.html", [])
    assert meta.canonical == "https://hanoimoi.vn/bai-viet-712345.html"


def test_flatten_deep_drops_only_the_tags_below_the_limit_and_keeps_the_text() -> None:
    page = "<div>" * 5 + "<p>a</p><span>b</span>c<br>" + "</div>" * 5 + "<p>d</p>"
    assert flatten_deep(page, max_depth=3) == (
        "<div><div><div><p>a</p>bc<br></div></div></div><p>d</p>"
    )
    # Unclosed, and inside markup that is not markup (a script, a comment): nothing counted.
    assert flatten_deep("<b>" * 4 + "x", max_depth=2) == "<b><b>x"
    quiet = "<div><script>s = '<div><div><div>'</script><!-- <div><div><div> --></div>"
    assert flatten_deep(quiet, max_depth=1) is quiet
    siblings = "<ul>" + "<li>x" * 50 + "</ul>" + "<p>y" * 50  # unclosed siblings do not nest
    assert flatten_deep(siblings, max_depth=2) is siblings


def test_a_page_too_deep_for_the_parser_is_flattened_and_keeps_its_text() -> None:
    deep = "<html><body>" + "<div>" * 10_000 + "<p>Đoạn 1.</p><p>Đoạn 2.</p></body></html>"
    root, html = parse_page(deep)
    assert root is not None
    assert [p.text for p in root.iter("p")] == ["Đoạn 1.", "Đoạn 2."]
    assert len(html) < len(deep)
    shallow = "<html><body>" + "<div>" * 200 + "<p>Đoạn 1.</p></body></html>"
    assert parse_page(shallow)[1] is shallow  # within the parser's limit: read as it is
