"""Encoding detection and article extraction on hostile pages (marker ``hostile``).

The crawl's path is ``decode_page`` then ``extract_article``: for any bytes and any declared
charset, the answer is a page and an ``Article``, or ``EncodingError`` / ``ExtractionError``
with a named reason, never another exception, and in bounded time.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crawlers.encoding import EncodingError, decode_page
from crawlers.extract import ExtractionError, article_links, extract_article
from crawlers.extract.errors import NO_BODY, REASONS
from crawlers.sources import Source, load_sources
from indexer.documents import Article
from tests.hostile import FEW, VERY_FEW, finishes_within, informal_text

pytestmark = pytest.mark.hostile

NOW = datetime(2026, 11, 25, tzinfo=UTC)
URL = "https://vnexpress.net/gia-xang-dau-co-the-duoc-dieu-chinh-som-hon-5047601.html"
PARAGRAPH = (
    "<p>Người dân phản ánh giá xăng tăng liên tục khiến chi phí đi lại của công nhân và "
    "người lao động tự do tăng theo, trong khi thu nhập không đổi. Đoạn {n}.</p>"
)
BODY = "".join(PARAGRAPH.format(n=n) for n in range(1, 6))
CHARSETS = [None, "utf-8", "windows-1258", "windows-1252", "iso-8859-1", "tcvn3", "vni",
            "utf-16", "shift_jis", "x-unknown", "", "utf-8; q=1", "\x00"]  # fmt: skip


def source() -> Source:
    return load_sources()["vnexpress"]


def article_page(body: str, head: str = "") -> str:
    return (
        f'{head}<html><head><meta charset="utf-8"><title>Giá xăng - VnExpress</title>'
        '<meta property="og:title" content="Giá xăng có thể được điều chỉnh sớm hơn">'
        '<meta property="article:published_time" content="2026-03-07T09:00:00+07:00">'
        f"</head><body><h1>Giá xăng có thể được điều chỉnh sớm hơn</h1>{body}</body></html>"
    )


def extract(html: str) -> Article | ExtractionError:
    """The article, or the named refusal; any other exception fails the test."""
    try:
        return extract_article(html, URL, source(), NOW)
    except ExtractionError as error:
        refused = error
    assert refused.reason in REASONS
    return refused


def crawl_path(body: bytes, declared: str | None) -> Article | ExtractionError | EncodingError:
    try:
        page = decode_page(body, declared=declared)
    except EncodingError as error:
        return error
    assert unicodedata.is_normalized("NFC", page.text)
    return extract(page.text)


# -- encoding detection ----------------------------------------------------------------------


@FEW
@given(st.binary(max_size=4096), st.sampled_from(CHARSETS))
@example(b"\xff\xfe\x00", None)  # a UTF-16 BOM and an odd byte count
@example(b"\xef\xbb\xbf\xff", "utf-8")  # a UTF-8 BOM before invalid UTF-8
@example(b"<meta charset=windows-1258>\x81\x8d", None)  # bytes cp1258 leaves undefined
@example("Việt Nam".encode("utf-16-le"), "utf-8")
@example(b"", "\x00")  # found: codecs.lookup raised ValueError on a NUL in the label
@example(b'<meta charset="a\x00b"><p>\xe0 \xe1 \xe2</p>', None)  # the same label in the page
def test_decode_page_gives_nfc_text_or_a_named_error(body: bytes, declared: str | None) -> None:
    try:
        page = decode_page(body, declared=declared)
    except EncodingError as error:
        reason = error.reason
    else:
        assert unicodedata.is_normalized("NFC", page.text)
        assert page.encoding in ("utf-8", "utf-16", "windows-1258", "windows-1252", "tcvn3", "vni")
        return
    assert reason in ("empty body", "undecodable", "unsupported charset")


@FEW
@given(informal_text(), st.sampled_from(["utf-8", "cp1258", "utf-16", "latin-1"]),
       st.sampled_from(CHARSETS))  # fmt: skip
def test_text_under_a_wrong_declared_charset(text: str, codec: str, declared: str | None) -> None:
    body = article_page(f"<p>{text}</p>" + BODY).encode(codec, errors="replace")
    crawl_path(body, declared)


def test_a_megabyte_of_binary_is_decided_in_bounded_time() -> None:
    noise = bytes(range(256)) * 4096  # 1 MB, every byte value
    with finishes_within(30, "decode_page of 1 MB of binary"):
        result = crawl_path(noise, None)
    assert isinstance(result, EncodingError | ExtractionError)


# -- article extraction ----------------------------------------------------------------------

TAGS = [
    "div",
    "p",
    "span",
    "b",
    "table",
    "tr",
    "td",
    "ul",
    "li",
    "script",
    "style",
    "h1",
    "article",
    "figure",
    "figcaption",
    "iframe",
    "svg",
    "a",
    "br",
    "noscript",
    "form",
]


@st.composite
def broken_markup(draw: st.DrawFn) -> str:
    """Tags opened and never closed, closed and never opened, attributes half written."""
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
                st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
                st.sampled_from(
                    [
                        "<",
                        ">",
                        "<!--",
                        "-->",
                        "<![CDATA[",
                        "&",
                        "&#x110000;",
                        "&#0;",
                        '<a href="',
                        "<meta charset=",
                        "<?xml?>",
                        "<!DOCTYPE",
                        '<script type="application/ld+json">{"@type": "NewsArticle",',
                        "<base href=javascript:>",
                        "\x00",
                    ]
                ),
                informal_text(40),
                st.just(PARAGRAPH.format(n=0)),
            ),
            max_size=60,
        )
    )
    return "".join(parts)


@FEW
@given(broken_markup())
@example("")
@example("<html><head><title>T</title></head><body>\ufffe" + BODY + "</body></html>")
@example('<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[</script>')
@example('<script type="application/ld+json">{"headline": 1e999999, "author": [[]]}</script>')
def test_broken_markup_gives_an_article_or_a_named_refusal(html: str) -> None:
    extract(html)
    extract(article_page(html))
    article_links(html, URL, source())


@VERY_FEW
@given(st.binary(max_size=3000))
def test_random_bytes_read_as_latin1_are_refused_by_name(body: bytes) -> None:
    extract(body.decode("latin-1"))


@example('<?xml version="1.0" encoding="utf-8"?>\n')
@example("<?xml version='1.0'?><!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">")
@given(st.sampled_from(["", "<!DOCTYPE html>", "\ufeff", "  \n"]))
@VERY_FEW
def test_an_xml_declaration_keeps_the_body(head: str) -> None:
    """XHTML pages (older CMSs) start with ``<?xml ...?>``: their text must not be lost."""
    result = extract(article_page(BODY, head=head))
    assert isinstance(result, Article), result
    assert "Đoạn 5." in result.text


@pytest.mark.parametrize("depth", [300, 10_000])
@pytest.mark.parametrize("tag", ["div", "b", "table", "ul"])
def test_deeply_nested_html(tag: str, depth: int) -> None:
    """Deeper than libxml2 keeps (256): the body is read as from a shallow page."""
    shallow = extract(article_page(f"<{tag}>" * 2 + BODY + f"</{tag}>" * 2))
    with finishes_within(60, f"{depth} nested <{tag}>"):
        closed = extract(article_page(f"<{tag}>" * depth + BODY + f"</{tag}>" * depth))
        unclosed = extract(article_page(f"<{tag}>" * depth + BODY))
    for result in (closed, unclosed):
        assert answer(result) == answer(shallow)
        if tag == "table":  # tables are never body text (tables of figures), at any depth
            assert answer(result) == (None, NO_BODY)
        else:
            text = answer(result)[0] or ""
            assert all(f"Đoạn {n}." in text for n in range(1, 6)), text


def answer(result: Article | ExtractionError) -> tuple[str, None] | tuple[None, str]:
    """The body text, or the reason it was refused."""
    return (result.text, None) if isinstance(result, Article) else (None, result.reason)


def test_a_huge_page() -> None:
    many = "".join(PARAGRAPH.format(n=n) for n in range(10_000))  # about 2 MB
    with finishes_within(120, "a 2 MB article page"):
        result = extract(article_page(many))
    assert isinstance(result, Article)
    assert "Đoạn 9999." in result.text


def test_a_page_of_one_huge_line() -> None:
    word = "Ồ" * 1_000_000  # one 3 MB "word": no paragraph breaks, no spaces
    with finishes_within(120, "a page holding one 1M-letter word"):
        extract(article_page(f"<p>{word}</p>"))
