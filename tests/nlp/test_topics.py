from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from nlp.topics import TopicsError, WatchTopics, has_diacritics

DEFAULT_KEYS = {
    "dat_dai",
    "thu_tuc_hanh_chinh",
    "moi_truong",
    "giao_thong_ha_tang",
    "trat_tu_do_thi",
    "y_te",
    "giao_duc",
    "tham_nhung_tieu_cuc",
    "an_sinh_viec_lam",
    "gia_ca_doi_song",
    "an_ninh_trat_tu",
    "chinh_sach_phap_luat",
    "tiep_dan_khieu_nai",
    "thien_tai",
    "ton_giao_dan_toc",
}


@cache
def segment(text: str) -> str:
    from underthesea import word_tokenize

    return str(word_tokenize(text, format="text"))


@pytest.fixture(scope="module")
def topics() -> WatchTopics:
    return WatchTopics.load()


def test_default_file_has_the_fifteen_topics_with_labels(topics: WatchTopics) -> None:
    assert set(topics.topics) == DEFAULT_KEYS
    assert topics.topics["thu_tuc_hanh_chinh"] == "Thủ tục hành chính"
    assert all(label.strip() for label in topics.topics.values())


# One comment per topic, written the way readers write them.
OWN_SENTENCES = {
    "dat_dai": "Nhà tôi bị thu hồi đất làm đường mà tiền đền bù thấp quá, chưa có sổ đỏ.",
    "thu_tuc_hanh_chinh": "Nộp hồ sơ ở bộ phận một cửa ba lần vẫn bị trả về, thủ tục rườm rà.",
    "moi_truong": "Khu xử lý rác bốc mùi hôi cả đêm, nước thải chảy thẳng ra kênh.",
    "giao_thong_ha_tang": "Chiều nào cũng ùn tắc ở nút giao này, dự án mở rộng thì chậm tiến độ.",
    "trat_tu_do_thi": "Quán xá lấn chiếm vỉa hè, người đi bộ phải xuống lòng đường.",
    "y_te": "Bệnh viện tuyến huyện thiếu thuốc, có bảo hiểm y tế vẫn phải mua ngoài.",
    "giao_duc": "Đầu năm học phụ huynh phải đóng đủ thứ quỹ, lạm thu quá mức.",
    "tham_nhung_tieu_cuc": "Nâng khống giá thiết bị, nhận hối lộ hàng chục tỷ, phải xử nghiêm.",
    "an_sinh_viec_lam": "Công ty nợ bảo hiểm xã hội, công nhân mất việc không nhận được trợ cấp.",
    "gia_ca_doi_song": "Giá xăng tăng, giá điện cũng tăng, lương không đủ sống.",
    "an_ninh_trat_tu": "Mẹ tôi suýt bị lừa đảo qua điện thoại, kẻ gian giả danh công an.",
    "chinh_sach_phap_luat": "Dự thảo nghị định này cần lấy ý kiến rộng rãi hơn nữa.",
    "tiep_dan_khieu_nai": "Dân gửi đơn khiếu nại nhiều lần mà phường không tổ chức đối thoại.",
    "thien_tai": "Cơn bão vừa đi qua, mưa lũ lại gây sạt lở ở mấy xã miền núi.",
    "ton_giao_dan_toc": "Đồng bào dân tộc thiểu số được tôn trọng tự do tín ngưỡng, tôn giáo.",
}
UNRELATED = "Hôm nay trời đẹp, cả nhà đi chơi công viên rồi ăn kem, vui lắm."


def test_every_default_topic_has_a_sentence() -> None:
    assert set(OWN_SENTENCES) == DEFAULT_KEYS


@pytest.mark.parametrize("key", sorted(DEFAULT_KEYS))
def test_each_topic_matches_its_own_sentence(topics: WatchTopics, key: str) -> None:
    assert key in topics.match(segment(OWN_SENTENCES[key]))


@pytest.mark.parametrize("key", sorted(DEFAULT_KEYS))
def test_each_topic_ignores_an_unrelated_sentence(topics: WatchTopics, key: str) -> None:
    assert key not in topics.match(segment(UNRELATED))


def test_matched_terms_are_returned_in_the_file_spelling(topics: WatchTopics) -> None:
    found = topics.match(segment("Hồ sơ trễ hẹn, đúng là nhũng nhiễu"))
    assert found == {"thu_tuc_hanh_chinh": ["hồ sơ", "nhũng nhiễu", "trễ hẹn"]}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("thu tuc hanh chinh qua rac roi", "thu_tuc_hanh_chinh"),
        ("con bao so 3 sap do bo vao mien trung", "thien_tai"),
        ("nha toi bi thu hoi dat ma chua duoc den bu", "dat_dai"),
        ("gia xang tang hoai, song sao noi", "gia_ca_doi_song"),
        ("me toi bi lua dao mat het tien tiet kiem", "an_ninh_trat_tu"),
        ("nguoi benh phai tu mua thuoc ben ngoai", "y_te"),
    ],
)
def test_unaccented_comments_match_folded(topics: WatchTopics, text: str, key: str) -> None:
    assert not has_diacritics(text)
    assert key in topics.match(segment(text))


def test_unaccented_text_still_avoids_exact_only_terms(topics: WatchTopics) -> None:
    # "=bão", "=thuốc", "=chùa": their folded forms are "bao nhiêu", "thuộc", "chưa"
    assert topics.match(segment("bao nhieu tien vay, cai nay thuoc ve ai, chua biet")) == {}


@pytest.mark.parametrize(
    "text",
    [
        "Tôi đã bảo rồi mà không ai nghe.",
        "Bao nhiêu lần hứa hẹn rồi?",
        "Lũy kế cả năm vẫn tăng trưởng tốt.",
        "Lũy tre làng giờ còn đâu.",
        "Báo đăng bài này hay quá.",
    ],
)
def test_accented_text_avoids_bao_and_lu_traps(topics: WatchTopics, text: str) -> None:
    assert "thien_tai" not in topics.match(segment(text))


def test_accented_storm_and_flood_still_match(topics: WatchTopics) -> None:
    found = topics.match(segment("Bão đổ bộ, nước lũ lên nhanh"))
    assert found["thien_tai"] == ["bão", "lũ", "nước lũ"]


def test_word_boundaries_and_punctuation(topics: WatchTopics) -> None:
    assert topics.match("lũy_tre") == {}
    assert topics.match("thu hồi , đất trống") == {}  # a comma breaks "thu hồi đất"
    assert "dat_dai" in topics.match("THU_HỒI ĐẤT")  # case and underscores ignored


def test_tone_placement_is_normalised_before_matching() -> None:
    rules = WatchTopics.from_mapping(
        {"topics": {"hoa_giai": {"label": "Hòa giải", "any": ["hòa giải"]}}}
    )
    assert rules.match("hoà_giải ở cơ_sở") == {"hoa_giai": ["hòa giải"]}


def test_mode_can_be_forced(topics: WatchTopics) -> None:
    assert "thien_tai" in topics.match("cơn bao", has_diacritics=False)
    assert "thien_tai" not in topics.match("cơn bao", has_diacritics=True)


def test_has_diacritics() -> None:
    assert has_diacritics("Người dân phản ánh")
    assert not has_diacritics("nguoi dan phan anh, ko đc")
    assert not has_diacritics("")
    assert not has_diacritics("😂😂 123")


RULES = {
    "topics": {
        "sua_duong": {
            "label": "Sửa đường",
            "any": ["ổ gà", "sửa đường"],
            "all": ["phường"],
            "not": ["quảng cáo"],
        }
    }
}


def test_all_rule_requires_every_term() -> None:
    rules = WatchTopics.from_mapping(RULES)
    assert rules.match("đường nhiều ổ_gà quá") == {}
    assert rules.match("phường không sửa_đường") == {"sua_duong": ["sửa đường", "phường"]}


def test_not_rule_excludes() -> None:
    rules = WatchTopics.from_mapping(RULES)
    assert rules.match("quảng_cáo dịch_vụ sửa_đường tại phường") == {}


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ({"label": "X", "any": ["a"], "anyy": ["b"]}, "unknown key"),
        ({"label": "X", "any": []}, "'any' must list"),
        ({"label": "X"}, "'any' must list"),
        ({"label": "X", "any": ["ổn", "  ...  "]}, "empty after folding"),
        ({"label": "X", "any": ["="]}, "empty after folding"),
        ({"label": "", "any": ["a"]}, "label"),
        ({"label": "X", "any": "a"}, "must be a list"),
    ],
)
def test_validation_names_the_topic(topic: dict[str, object], message: str) -> None:
    with pytest.raises(TopicsError, match=message) as error:
        WatchTopics.from_mapping({"topics": {"bad_topic": topic}})
    assert "bad_topic" in str(error.value)


def test_validation_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text("topics:\n  Bad-Key:\n    label: X\n    any: [a]\n", encoding="utf-8")
    with pytest.raises(TopicsError, match="Bad-Key"):
        WatchTopics.load(path)
    path.write_text("topic: {}\n", encoding="utf-8")
    with pytest.raises(TopicsError, match="topics"):
        WatchTopics.load(path)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "😂😂😂🙏",
        "The government approved a new land compensation decree on Monday.",
        "Thủ_tục hành_chính quá rườm_rà , bão số 3 gây lũ_lụt . " * 20_000,
        "a" * 1_000_000,
        "_" * 1_000_000,
        "lũ " * 300_000,
    ],
    ids=["empty", "emoji", "english", "megabyte", "one-word", "underscores", "repeats"],
)
def test_hostile_inputs_return(topics: WatchTopics, text: str) -> None:
    result = topics.match(text)
    assert isinstance(result, dict)
    assert set(result) <= DEFAULT_KEYS


def test_megabyte_text_is_matched(topics: WatchTopics) -> None:
    text = "Thủ_tục hành_chính quá rườm_rà , bão số 3 gây lũ_lụt . " * 20_000
    assert set(topics.match(text)) == {"thu_tuc_hanh_chinh", "thien_tai"}


def test_most_sample_articles_have_comments_on_a_watch_topic(topics: WatchTopics) -> None:
    from vnopinion.demo_site.content import load_site

    articles = load_site().articles
    matched = 0
    for article in articles:
        comments = [c.text for c in article.comments]
        comments += [r.text for c in article.comments for r in c.replies]
        if any(topics.match(segment(text)) for text in comments):
            matched += 1
    assert len(articles) >= 10
    assert matched >= 0.6 * len(articles)
