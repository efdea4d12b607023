"""`vnopinion report` on a seeded corpus covering two weeks (real node): figures, escaping,
the PDF, the week's validation and an empty week."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from tests.api.corpus import HCM, HN, has_topic, in_days, label, province
from tests.conftest import cli_env, run_cli
from tests.reports.conftest import seeded_alias
from tests.reports.report_corpus import INJECTED, build_report_corpus
from vnopinion.settings import Settings

W48 = (date(2026, 11, 23), date(2026, 11, 29))
W47 = (date(2026, 11, 16), date(2026, 11, 22))
DOCS = build_report_corpus()


def env(settings: Settings, **extra: str) -> dict[str, str]:
    return cli_env(settings, VNOPINION_INDEX_ALIAS=settings.index_alias, **extra)


@pytest.fixture(scope="module")
def report_settings(es_node: object, es_settings: Settings) -> Iterator[Settings]:
    with seeded_alias(es_settings, DOCS) as settings:
        yield settings


@pytest.fixture(scope="module")
def page(report_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "w48.html"
    result = run_cli("report", "--week", "2026-W48", "--out", str(out), env=env(report_settings))
    assert result.returncode == 0, result.stderr
    assert f"Wrote {out}" in result.stdout
    assert "Week 2026-W48 (23/11/2026 - 29/11/2026): 26 documents, 4 spikes." in result.stdout
    return out.read_text(encoding="utf-8")


def text(node: lxml.html.HtmlElement, xpath: str) -> str:
    [found] = node.xpath(xpath)
    return " ".join(found.text_content().split())


def cls(name: str) -> str:
    """An XPath test for one CSS class (``contains(@class, ...)`` would match parts)."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def week_docs(days: tuple[date, date]) -> list[object]:
    return [d for d in DOCS if in_days(d, *days)]


@pytest.mark.es
def test_headline_figures_are_exact(page: str) -> None:
    # By hand, week 48: 3 traffic articles, 3 tagged and 4 untagged traffic comments, the
    # spike (1 article, 14 comments) and the injected comment: 4 articles, 22 comments; 17 of
    # the 22 tagged are negative. Week 47: 9 articles, 16 comments, 11 of 18 negative.
    now, before = week_docs(W48), week_docs(W47)
    assert (len(now), len(before)) == (26, 25)
    root = lxml.html.fromstring(page)
    figure = '//div[@data-figure="{}"]'
    assert text(root, figure.format("documents") + '//div[@class="value"]') == "26"
    assert text(root, figure.format("documents") + '//span[@class="previous"]') == "25"
    assert text(root, figure.format("documents") + f"//div[{cls('change')}]") == (
        "Thay đổi: +1 (+4%)"
    )
    assert text(root, figure.format("articles") + '//div[@class="value"]') == "4"
    assert text(root, figure.format("articles") + '//span[@class="previous"]') == "9"
    assert text(root, figure.format("comments") + '//div[@class="value"]') == "22"
    assert text(root, figure.format("comments") + f"//div[{cls('change')}]") == (
        "Thay đổi: +6 (+38%)"
    )
    share = figure.format("negative-share")
    assert text(root, share + '//div[@class="value"]') == "77,3%"  # 17 / 22
    assert text(root, share + '//span[@class="previous"]') == "61,1%"  # 11 / 18
    assert text(root, share + f"//div[{cls('change')}]") == "Thay đổi: +16,2 điểm %"
    assert "Tuần 48/2026: từ 23/11/2026 đến 29/11/2026" in text(root, '//*[@id="period"]')


@pytest.mark.es
def test_days_table_matches_a_recount(page: str) -> None:
    root = lxml.html.fromstring(page)
    rows = root.xpath('//table[@id="days"]/tbody/tr')
    assert [r.get("data-day") for r in rows] == [f"2026-11-{d}" for d in range(23, 30)]
    for row in rows:
        day = date.fromisoformat(row.get("data-day"))
        docs = week_docs((day, day))
        labels = Counter(label(d) for d in docs)
        assert text(row, f"./td[{cls('count')}]") == str(len(docs))
        for name in ("negative", "neutral", "positive", "untagged"):
            assert text(row, f"./td[{cls(name)}]") == str(labels[name]), name
    spike_day = text(root, '//tr[@data-day="2026-11-25"]/td[1]')
    assert spike_day == "Thứ Tư 25/11/2026"
    # spike day: the traffic article (neutral), its tagged comment, the spike, the injection
    assert text(root, f'//tr[@data-day="2026-11-25"]/td[{cls("count")}]') == "19"
    assert root.xpath('//section[@id="trend"]//svg//rect')


@pytest.mark.es
def test_top_issues_with_change_and_negative_share(page: str) -> None:
    root = lxml.html.fromstring(page)
    rows = root.xpath('//section[@id="issues"]//tbody/tr')
    assert [r.get("data-topic") for r in rows] == ["dat_dai", "giao_thong_ha_tang"]
    land = '//tr[@data-topic="dat_dai"]'
    now = [d for d in week_docs(W48) if has_topic(d, "dat_dai")]
    before = [d for d in week_docs(W47) if has_topic(d, "dat_dai")]
    assert (len(now), len(before)) == (16, 4)
    assert text(root, land + f"/td[{cls('count')}]") == "16"
    assert text(root, land + f"/td[{cls('previous')}]") == "4"
    assert text(root, land + f"/td[{cls('change')}]") == "+12 (+300%)"
    assert text(root, land + f"/td[{cls('negative')}]") == "13"
    share = text(root, land + f"/td[{cls('share')}]")
    assert share == "81,2%"  # 13 / 16 = 0.8125, to one decimal (half to even)
    assert text(root, land + f"/td[{cls('share-change')}]") == "+31,2 điểm %"  # from 2/4
    traffic = '//tr[@data-topic="giao_thong_ha_tang"]'
    assert text(root, traffic + f"/td[{cls('count')}]") == "6"
    assert text(root, traffic + f"/td[{cls('previous')}]") == "14"
    assert text(root, traffic + f"/td[{cls('change')}]") == "-8 (-57%)"


@pytest.mark.es
def test_negative_hotspots_by_province(page: str) -> None:
    root = lxml.html.fromstring(page)
    rows = root.xpath('//section[@id="hotspots"]//tbody/tr')
    assert [r.get("data-province") for r in rows] == [HN, HCM]
    for row in rows:
        docs = [d for d in week_docs(W48) if province(d) == row.get("data-province")]
        negative = sum(label(d) == "negative" for d in docs)
        assert text(row, f"./td[{cls('negative')}]") == str(negative)
        assert text(row, f"./td[{cls('count')}]") == str(len(docs))
    assert text(root, f'//tr[@data-province="{HN}"]/td[{cls("negative")}]') == "13"


@pytest.mark.es
def test_representative_comments_are_the_most_liked_negative_ones(page: str) -> None:
    root = lxml.html.fromstring(page)
    land = root.xpath('//section[@id="quotes"]//div[@data-topic="dat_dai"]//blockquote/p')
    assert [p.text_content() for p in land] == [
        INJECTED,
        "Ý kiến 0: đền bù không thỏa đáng, cưỡng chế là sai.",
        "Ý kiến 1: đền bù không thỏa đáng, cưỡng chế là sai.",
    ]
    footer = text(root, '(//div[@data-topic="dat_dai"]//blockquote/footer)[2]')
    assert footer == (
        "VnExpress · 08:00 25/11/2026 · 100 lượt thích · bài: Hàng trăm hộ dân phản đối "
        "cưỡng chế thu hồi đất · xem bình luận"
    )
    traffic = root.xpath('//div[@data-topic="giao_thong_ha_tang"]//blockquote/footer')
    assert [f.text_content().split(" · ")[2] for f in traffic] == [
        "3 lượt thích", "2 lượt thích", "1 lượt thích",
    ]  # fmt: skip


@pytest.mark.es
def test_untrusted_comment_is_printed_as_text_and_no_one_is_named(page: str) -> None:
    root = lxml.html.fromstring(page)
    assert root.xpath("//script") == []
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page
    assert not [a for a in root.xpath("//a/@href") if not a.startswith("https://")]
    assert "Trần Thị B" not in page
    assert "Nguyễn Văn A" not in page
    assert "author-" not in page
    csp = root.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]


@pytest.mark.es
def test_spikes_of_the_week_and_method_notes(page: str) -> None:
    root = lxml.html.fromstring(page)
    messages = [" ".join(t.text_content().split()) for t in root.xpath('//td[@class="message"]')]
    assert len(messages) == 4
    assert (
        "Tăng đột biến tin bài và bình luận tiêu cực về Đất đai ở Thành phố Hà Nội: "
        "13 so với trung vị 0 (ngày 25/11/2026)"
    ) in messages
    assert text(root, '//*[@id="models"]') == "test (22 tài liệu)."
    assert "Nghị định 13/2023/NĐ-CP" in text(root, '//section[@id="method"]')
    assert root.xpath("//html/@lang") == ["vi"]
    assert not root.xpath("//link | //img[not(starts-with(@src, 'data:'))]")


@pytest.mark.es
def test_empty_week_says_there_is_no_data(report_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "w30.html"
    result = run_cli("report", "--week", "2026-W30", "--out", str(out), env=env(report_settings))
    assert result.returncode == 0, result.stderr
    assert "(no data this week)" in result.stdout
    root = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert text(root, '//*[@id="no-data"]').startswith(
        "Không có dữ liệu trong tuần này: không có tin bài hay bình luận nào đăng từ "
        "20/07/2026 đến 26/07/2026."
    )
    assert text(root, '//div[@data-figure="documents"]//div[@class="value"]') == "0"
    assert text(root, '//div[@data-figure="negative-share"]//div[@class="value"]') == "–"
    assert root.xpath('//section[@id="method"]')


def chromium_or_skip() -> None:
    if shutil.which("chromium") is None:
        reason = "chromium is not installed (scripts/system-deps.sh --with-browser installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.es
@pytest.mark.slow
def test_pdf_is_written(report_settings: Settings, tmp_path: Path) -> None:
    chromium_or_skip()
    html, pdf = tmp_path / "r.html", tmp_path / "out" / "r.pdf"
    result = run_cli("report", "--week", "2026-W48", "--out", str(html), "--pdf", str(pdf),
                     env=env(report_settings))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert f"Wrote {pdf}" in result.stdout
    alone = tmp_path / "alone.pdf"  # --pdf without --out: the HTML is a temporary file
    result = run_cli("report", "--week", "2026-W48", "--pdf", str(alone), env=env(report_settings))
    assert result.returncode == 0, result.stderr
    assert alone.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2026-47", "Error: --week '2026-47' is not an ISO week: write YYYY-Www."),
        ("2026-W54", "Error: --week '2026-W54': 2026 has ISO weeks W01 to W53."),
        ("2027-W53", "Error: --week '2027-W53': 2027 has ISO weeks W01 to W52."),
        ("2026-W00", "Error: --week '2026-W00': 2026 has ISO weeks W01 to W53."),
        ("last week", "Error: --week 'last week' is not an ISO week"),
    ],
)
def test_bad_week_is_refused_clearly(week: str, message: str, tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    result = run_cli("report", "--week", week, "--out", str(tmp_path / "r.html"),
                     env=cli_env(settings))  # fmt: skip
    assert result.returncode == 1
    assert message in result.stderr
    assert "What to do: e.g. --week 2026-W47" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_missing_chromium_names_the_package(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    bare = cli_env(settings, PATH=str(tmp_path))  # no chromium on this PATH
    result = run_cli("report", "--week", "2026-W48", "--pdf", str(tmp_path / "r.pdf"), env=bare)
    assert result.returncode == 1
    assert "Error: No Chromium to print the PDF with" in result.stderr
    assert "install Debian's package `chromium`" in result.stderr
    configured = cli_env(settings, VNOPINION_CHROMIUM=str(tmp_path / "nope"))
    result = run_cli("report", "--week", "2026-W48", "--pdf", "r.pdf", env=configured)
    assert result.returncode == 1
    assert f"Error: VNOPINION_CHROMIUM={tmp_path / 'nope'}: no such file." in result.stderr


def test_no_output_asked_for(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    result = run_cli("report", "--week", "2026-W48", env=cli_env(settings))
    assert result.returncode == 1
    assert "Error: Say where to write the report" in result.stderr
