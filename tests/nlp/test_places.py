"""PlaceResolver: sentences we wrote, the sample site's articles, traps and hostile input."""

from __future__ import annotations

import time

import pytest

from indexer.documents import Place
from nlp.places import PlaceResolver
from vnopinion.demo_site.content import load_site

HCM = "Thành phố Hồ Chí Minh"
HN = "Thành phố Hà Nội"
DN = "Thành phố Đà Nẵng"


@pytest.fixture(scope="module")
def resolver() -> PlaceResolver:
    return PlaceResolver()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A commune with its type, a namesake disambiguated by the province next to it.
        (
            "Người dân phường Tân Hưng, TP.HCM phản ánh đường ngập sau mưa.",
            Place(province=HCM, commune="Phường Tân Hưng", as_written="phường Tân Hưng"),
        ),
        (
            "Hơn 200 hộ dân ở xã Thanh Trì mỏi mòn chờ tiền đền bù.",
            Place(province=HN, commune="Xã Thanh Trì", as_written="xã Thanh Trì"),
        ),
        (
            "Phụ huynh phường Định Công phản ánh lạm thu đầu năm học.",
            Place(province=HN, commune="Phường Định Công", as_written="phường Định Công"),
        ),
        (
            "Mùi hôi từ bãi rác ở xã Hoà Vang, TP Đà Nẵng khiến người dân khổ sở.",
            Place(province=DN, commune="Xã Hòa Vang", as_written="xã Hoà Vang"),
        ),
        (
            "Căn hộ ở phường Tân Mỹ, Quận 7, TP.HCM bị ngập.",
            Place(province=HCM, commune="Phường Tân Mỹ", as_written="phường Tân Mỹ"),
        ),
        (
            "Du khách đổ về đặc khu Phú Quốc dịp lễ.",
            Place(province="An Giang", commune="Đặc khu Phú Quốc", as_written="đặc khu Phú Quốc"),
        ),
        (
            "Kẹt xe kéo dài ở phường Sài Gòn.",
            Place(province=HCM, commune="Phường Sài Gòn", as_written="phường Sài Gòn"),
        ),
        # A bare commune name only when it is unique nationwide.
        (
            "Ùn tắc kéo dài tại Định Công mỗi giờ tan tầm.",
            Place(province=HN, commune="Phường Định Công", as_written="Định Công"),
        ),
        # Old provinces map to the new ones; the old name is kept as written.
        (
            "Tỉnh Hà Giang đón nhiều khách du lịch.",
            Place(province="Tuyên Quang", as_written="Tỉnh Hà Giang"),
        ),
        (
            "Công nhân ở Bình Dương mất việc cuối năm.",
            Place(province=HCM, as_written="Bình Dương"),
        ),
        ("Quảng Nam mưa lớn, nhiều nơi ngập sâu.", Place(province=DN, as_written="Quảng Nam")),
        ("Dân tỉnh Hòa Bình lo sạt lở.", Place(province="Phú Thọ", as_written="tỉnh Hòa Bình")),
        ("Bà Rịa - Vũng Tàu đón bão.", Place(province=HCM, as_written="Bà Rịa - Vũng Tàu")),
        ("Thừa Thiên Huế mưa to.", Place(province="Thành phố Huế", as_written="Thừa Thiên Huế")),
        # Districts are gone: the province, as written.
        ("Quận 7 ngập nặng sau triều cường.", Place(province=HCM, as_written="Quận 7")),
        ("Nhà ở Q.7 ngập tới gối.", Place(province=HCM, as_written="Q.7")),
        ("Huyện Thanh Trì, Hà Nội chờ.", Place(province=HN, as_written="Huyện Thanh Trì")),
        ("Metro thành phố Thủ Đức chạy thử.", Place(province=HCM, as_written="thành phố Thủ Đức")),
        # Abbreviations.
        ("TPHCM kẹt xe từ sáng.", Place(province=HCM, as_written="TPHCM")),
        ("HN mưa to cả ngày.", Place(province=HN, as_written="HN")),
        ("Sài Gòn mưa chiều nay.", Place(province=HCM, as_written="Sài Gòn")),
        (
            "Thành phố Hồ Chí Minh đông dân nhất.",
            Place(province=HCM, as_written="Thành phố Hồ Chí Minh"),
        ),
        # The province mentioned most wins; ties go to the first.
        ("Hà Nội và TP.HCM, rồi lại Hà Nội.", Place(province=HN, as_written="Hà Nội")),
        ("Ở Huế mưa suốt tuần.", Place(province="Thành phố Huế", as_written="Huế")),
        # Typed without diacritics: matched accent-insensitively.
        (
            "nguoi dan phuong dinh cong, ha noi buc xuc vi ngap",
            Place(province=HN, commune="Phường Định Công", as_written="phuong dinh cong"),
        ),
        ("o ha noi ngap qua troi", Place(province=HN, as_written="ha noi")),
        ("tphcm ket xe qua", Place(province=HCM, as_written="tphcm")),
        ("The weather in Hanoi is nice today.", Place(province=HN, as_written="Hanoi")),
    ],
)
def test_resolves_to_current_units(resolver: PlaceResolver, text: str, expected: Place) -> None:
    assert resolver.resolve(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ngập ở phường Tân Hưng sau mưa lớn.",  # six Tân Hưng nationwide, no province given
        "Tàu cá ngư dân gặp nạn trên Thái Bình Dương.",  # not Bình Dương
        "Chúng tôi chỉ mong hòa bình và ấm no.",  # peace, not the old province
        "Người dân viếng Lăng Chủ tịch Hồ Chí Minh.",  # the president, not the city
        "Quán phở trên phố Huế đông khách.",  # a street in Hà Nội, not the city
        "Đường Nguyễn Trãi tắc cứng giờ cao điểm.",
        "Kiên Giang",  # also a person's name: needs its type or NER
        "Lấy ý kiến dự thảo nghị định về sắp xếp thôn, tổ dân phố.",
        "",
        "   \n\t",
        "😀😀😀 🔥🔥",
        "I love my new phone, it is great.",
        "phuong tan hung ngap qua",  # ambiguous without diacritics too
    ],
)
def test_absent_or_ambiguous_places_give_none(resolver: PlaceResolver, text: str) -> None:
    assert resolver.resolve(text) is None


def test_ner_locations_admit_names_that_are_also_words(resolver: PlaceResolver) -> None:
    assert resolver.resolve("Người dân Hòa Bình lo sạt lở.") is None
    assert resolver.resolve("Người dân Hòa Bình lo sạt lở.", locations=["Hòa Bình"]) == Place(
        province="Phú Thọ", as_written="Hòa Bình"
    )
    assert resolver.resolve("Lũ ở Kiên Giang.", locations=["tỉnh Kiên Giang"]) == Place(
        province="An Giang", as_written="Kiên Giang"
    )


def test_every_current_province_resolves_from_its_own_name(resolver: PlaceResolver) -> None:
    for name in resolver.provinces.values():
        place = resolver.resolve(f"Tin mới từ {name} hôm nay.")
        assert place is not None, name
        assert place.province == name


@pytest.mark.parametrize(
    ("article_id", "province", "commune"),
    [
        (4100001, HN, "Xã Thanh Trì"),
        (4100002, HCM, "Phường Tân Hưng"),
        (4100003, DN, "Xã Hòa Vang"),
        (4200001, HN, "Phường Định Công"),
        (4100005, "Thành phố Hải Phòng", "Phường Đông Hải"),
        (4100008, "Thành phố Cần Thơ", "Phường Ninh Kiều"),
        (4200005, HCM, None),
    ],
)
def test_sample_site_articles(
    resolver: PlaceResolver, article_id: int, province: str, commune: str | None
) -> None:
    article = next(a for a in load_site().articles if a.id == article_id)
    text = " ".join([article.title, article.lead, *article.body])
    place = resolver.resolve(text)
    assert place is not None
    assert (place.province, place.commune) == (province, commune)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        "Hà Nội " * 150_000,
        "phường Tân Hưng " * 70_000,
        "😀" * 300_000,
        "\x00\ufeff" * 200_000,
    ],
)
def test_hostile_inputs_return_quickly(resolver: PlaceResolver, text: str) -> None:
    started = time.perf_counter()
    resolver.resolve(text)
    assert time.perf_counter() - started < 2.0


def test_a_5kb_article_resolves_in_milliseconds(resolver: PlaceResolver) -> None:
    text = "Người dân phường Định Công, Hà Nội phản ánh về ô nhiễm tiếng ồn ban đêm. " * 70
    assert len(text) > 5_000
    started = time.perf_counter()
    for _ in range(10):
        resolver.resolve(text)
    assert (time.perf_counter() - started) / 10 < 0.05
