"""crawlers/sources.yaml: the launch sites, each entry point on the site's own domains."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from crawlers.sources import Source, load_sources

LAUNCH_SITES = {
    "vnexpress": "vnexpress.net",
    "tuoitre": "tuoitre.vn",
    "thanhnien": "thanhnien.vn",
    "dantri": "dantri.com.vn",
    "vietnamnet": "vietnamnet.vn",
    "hanoimoi": "hanoimoi.vn",
    "baochinhphu": "baochinhphu.vn",
    "laodong": "laodong.vn",
    "tienphong": "tienphong.vn",
    "vov": "vov.vn",
    "kinhtedothi": "kinhtedothi.vn",
    "voz": "voz.vn",
    "nld": "nld.com.vn",  # not a launch site, but a page of it is saved
}
COMMENT_ADAPTERS = {"vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "voz"}
# One real article URL per site (saved pages, SOURCES.md, public crawlers' examples).
ARTICLE_URLS = [
    "https://vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
    "https://tuoitre.vn/giam-doc-tai-chinh-tap-doan-tien-son-thanh-hoa-dung-nhieu-tai-khoan-thao-tung-chung-khoan-2026030707011493.htm",
    "https://thanhnien.vn/to-chuc-diem-thi-rieng-tung-truong-ke-ho-tieu-cuc-ky-thi-tot-nghiep-thpt-185260712201942802.htm",
    "https://dantri.com.vn/kinh-doanh/gia-vang-giam-van-cao-hon-the-gioi-gan-20-trieu-dongluong-20260307080054340.htm",
    "https://vietnamnet.vn/co-phieu-flc-duoc-giao-dich-tro-lai-2495349.html",
    "https://hanoimoi.vn/khai-mac-hoi-nghi-lan-thu-muoi-ba-ban-chap-hanh-dang-bo-thanh-pho-ha-noi-khoa-xvii-538828.html",
    "https://baochinhphu.vn/chinh-sach-moi-co-hieu-luc-tu-thang-3-2026-102260228093004191.htm",
    "https://laodong.vn/y-te/hom-nay-211-viet-nam-ghi-nhan-5637-ca-mac-covid-19-2741-ca-khoi-benh-969963.ldo",
    "https://tienphong.vn/sieu-mau-noi-y-bi-mang-khap-mang-xa-hoi-post1874068.tpo",
    "https://vov.vn/thi-truong/mot-so-co-phieu-can-quan-tam-108-co-hoi-tiem-nang-voi-mwg-va-dmx-post1322330.vov",
    "https://kinhtedothi.vn/ha-noi-kinh-te-thang-10-dan-hoi-phuc-439503.html",
    "https://voz.vn/t/clb-chung-khoan-chia-se-kinh-nghiem-dau-tu-chung-khoan-version-2022.464528/",
    "https://nld.com.vn/nhung-sai-sot-ho-kinh-doanh-thuong-gap-khi-thuc-hien-quy-dinh-moi-ve-thue-196260307071308923.htm",
]  # fmt: skip


def test_sources_file_lists_every_launch_site() -> None:
    sources = load_sources()
    assert {key: s.domains[0] for key, s in sources.items()} == LAUNCH_SITES
    assert {k for k, s in sources.items() if s.comments} == COMMENT_ADAPTERS
    assert all(s.comments == k for k, s in sources.items() if s.comments)
    assert sources["voz"].kind == "forum"
    assert {s.kind for k, s in sources.items() if k != "voz"} == {"news"}


@pytest.mark.parametrize("key", sorted(LAUNCH_SITES))
def test_entry_points_are_on_the_sites_own_domains(key: str) -> None:
    source = load_sources()[key]
    assert source.entry_points
    for entry in source.entry_points:
        assert entry.url.startswith("https://")
        assert source.is_on_domain(entry.url), entry.url
        assert not source.is_article_url(entry.url), f"{entry.url} is an article, not a start"


@pytest.mark.parametrize("url", ARTICLE_URLS, ids=lambda u: u.split("/")[2])
def test_each_site_recognises_its_article_urls(url: str) -> None:
    matching = [k for k, s in load_sources().items() if s.is_article_url(url)]
    assert matching == [next(k for k, d in LAUNCH_SITES.items() if f"//{d}/" in url)]


def test_an_entry_point_off_the_domain_is_refused() -> None:
    with pytest.raises(ValidationError, match="entry points outside"):
        Source(
            key="x", name="X", domains=["vnexpress.net"],
            entry_points=[{"kind": "rss", "url": "https://evil.example/rss"}],
            article_url_patterns=[r"-\d+\.html$"],
        )  # fmt: skip


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    entry = (
        "  - key: a\n    name: A\n    domains: [a.vn]\n"
        "    entry_points: [{kind: rss, url: 'https://a.vn/rss'}]\n"
        "    article_url_patterns: ['-\\d+\\.html$']\n"
    )
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + entry + entry, encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate source keys"):
        load_sources(path)
