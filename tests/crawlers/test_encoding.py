"""crawlers.encoding: every encoding a Vietnamese page arrives in, and the pages we refuse.

The pages under tests/fixtures/encoding are rendered from UTF-8 templates by make_fixtures.py
(the legacy ones with the inverse of our own tables); the hand-checked phrases below come from
the published charts and glibc's TCVN5712-1 converter, not from our tables.
"""

from __future__ import annotations

import codecs
import importlib.util
import random
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from crawlers.encoding import (
    DecodedPage,
    EncodingError,
    convert_tcvn3,
    convert_vni,
    decode_page,
    sniff_meta_charset,
    vietnamese_score,
)
from crawlers.encoding_tables import (
    TCVN3_DECODE,
    TCVN3_ENCODE,
    VIETNAMESE_LETTERS,
    VNI_DECODE,
    VNI_ENCODE,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "encoding"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def without_declarations(body: bytes) -> bytes:
    """The page with its meta charset and its legacy font name taken out."""
    for label in (b"windows-1258", b"windows-1252", b"utf-8"):
        body = body.replace(b"charset=" + label, b"")
    return body.replace(b".VnTime", b"Times").replace(b"VNI-Times", b"Times")


# --- Tables ---------------------------------------------------------------------------------


def test_the_alphabet_has_134_precomposed_letters() -> None:
    assert len(VIETNAMESE_LETTERS) == len(set(VIETNAMESE_LETTERS)) == 134
    assert all(unicodedata.is_normalized("NFC", letter) for letter in VIETNAMESE_LETTERS)
    assert {"đ", "Đ", "ỵ", "Ỵ", "ẫ", "Ẫ", "ự", "Ự"} <= set(VIETNAMESE_LETTERS)


@pytest.mark.parametrize("table", [TCVN3_ENCODE, VNI_ENCODE], ids=["tcvn3", "vni"])
def test_tables_cover_every_letter_with_distinct_codes(table: dict[str, object]) -> None:
    assert set(table) == set(VIETNAMESE_LETTERS)
    assert len(set(table.values())) == 134


@pytest.mark.parametrize("letter", VIETNAMESE_LETTERS)
def test_every_letter_round_trips(letter: str) -> None:
    assert convert_tcvn3(chr(TCVN3_ENCODE[letter])) == letter
    assert convert_vni(VNI_ENCODE[letter]) == letter
    assert convert_vni(f"x{VNI_ENCODE[letter]}x") == f"x{letter}x"


def test_decode_tables_invert_encode_tables() -> None:
    assert {TCVN3_DECODE[code] for code in TCVN3_ENCODE.values()} == set(VIETNAMESE_LETTERS)
    assert all(VNI_ENCODE[letter] == seq for seq, letter in VNI_DECODE.items())


# Published TCVN3 (ABC) text: the national motto as every ".VnTime" document spells it.
@pytest.mark.parametrize(
    ("tcvn3", "unicode"),
    [
        (
            b"C\xe9ng ho\xb5 x\xb7 h\xe9i ch\xf1 ngh\xdca Vi\xd6t Nam",
            "Cộng hoà xã hội chủ nghĩa Việt Nam",
        ),
        (b"\xa7\xe9c l\xcbp - T\xf9 do - H\xb9nh ph\xf3c", "Độc lập - Tự do - Hạnh phúc"),
        (b"Vi\xd6t Nam", "Việt Nam"),
        (b"Ng\xad\xeai d\xa9n \xae\xad\xeec h\xe1i \xfd ki\xd5n", "Người dân được hỏi ý kiến"),
        # Capitals at VN1 positions, as glibc iconv's TCVN5712-1 encodes them.
        (b"VI\x8cT NAM", "VIỆT NAM"),
        (b"C\x97NG H\x92A", "CỘNG HÒA"),
        (b"\x16 KI\xdaN", "Ý KIẾN"),
    ],
)
def test_tcvn3_known_phrases(tcvn3: bytes, unicode: str) -> None:
    assert convert_tcvn3(tcvn3.decode("latin-1")) == unicode


# Published VNI text: the same motto as every "VNI-Times" document spells it.
@pytest.mark.parametrize(
    ("vni", "unicode"),
    [
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("Vieät Nam", "Việt Nam"),
        ("Ngöôøi daân ñöôïc hoûi yù kieán", "Người dân được hỏi ý kiến"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
    ],
)
def test_vni_known_phrases(vni: str, unicode: str) -> None:
    assert convert_vni(vni) == unicode


def test_vni_takes_the_pair_before_the_single_byte() -> None:
    assert convert_vni("ôù") == "ớ"  # not ơ followed by a stray ù
    assert convert_vni("ô") == "ơ"
    assert convert_vni("uâ") == "uâ"  # â is no mark for u: both bytes are left alone


# --- Pages in each encoding -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GEN.VARIANTS))
def test_saved_fixtures_match_the_generator(name: str) -> None:
    assert page(name) == GEN.render(name)


@pytest.mark.parametrize(
    ("name", "encoding", "converted"),
    [
        ("news.utf8.html", "utf-8", False),
        ("news.utf8-bom.html", "utf-8", False),
        ("news.cp1258.html", "windows-1258", False),
        ("news.tcvn3.html", "tcvn3", True),
        ("news.vni.html", "vni", True),
    ],
)
@pytest.mark.parametrize("declared", [None, "header"])
def test_each_encoding_decodes_to_the_source(
    name: str, encoding: str, converted: bool, declared: str | None
) -> None:
    charset = GEN.VARIANTS[name][1] if declared else None
    result = decode_page(page(name), charset)
    assert result == DecodedPage(GEN.expected_text(name), encoding, converted)


def test_cp1258_tone_marks_are_combining_bytes_and_come_back_composed() -> None:
    body = page("news.cp1258.html")
    assert "Việt".encode("cp1258", errors="replace") != GEN.encode_cp1258("Việt")
    assert GEN.encode_cp1258("Việt") == b"Vi\xea\xf2t"  # ê, then the dot below (0xF2)
    text = decode_page(body).text
    assert unicodedata.is_normalized("NFC", text)
    assert "ĐỒNG BẰNG SÔNG CỬU LONG" in text


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("news.cp1258.html", "windows-1258"),
        ("news.tcvn3.html", "tcvn3"),
        ("news.vni.html", "vni"),
    ],
)
def test_detected_from_the_text_alone(name: str, encoding: str) -> None:
    """No charset, no font name: the letters decide (the TCVN3/VNI/cp1258 pattern density)."""
    body = without_declarations(page(name))
    assert sniff_meta_charset(body) is None
    assert b".VnTime" not in body
    assert b"VNI-Times" not in body
    result = decode_page(body)
    assert result.encoding == encoding
    assert "Đồng bằng sông Cửu Long chủ động ứng phó hạn mặn" in result.text


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("news.cp1258.html", "windows-1258"), ("news.tcvn3.html", "tcvn3"), ("news.vni.html", "vni")],
)
def test_a_wrong_utf8_header_is_overruled(name: str, encoding: str) -> None:
    # The server says UTF-8, the bytes are not: the meta tag, then the text itself decide.
    assert decode_page(page(name), "utf-8").encoding == encoding
    assert decode_page(without_declarations(page(name)), "UTF-8").encoding == encoding


@pytest.mark.parametrize(
    "label", ["windows-1258", "cp1258", "Windows-1258", "text/html; charset=cp1258"]
)
def test_windows_1258_labels(label: str) -> None:
    body = without_declarations(page("news.cp1258.html"))
    assert decode_page(body, label).encoding == "windows-1258"


@pytest.mark.parametrize(("label", "encoding"), [("x-viet-tcvn5712", "tcvn3"), ("VNI", "vni")])
def test_legacy_charset_labels(label: str, encoding: str) -> None:
    name = f"news.{encoding}.html"
    result = decode_page(without_declarations(page(name)), label)
    assert result.encoding == encoding
    assert result.converted_from_legacy


def test_a_windows_1258_label_the_bytes_disprove_falls_back_to_detection() -> None:
    # 0x9E (Ủ in TCVN3) is undefined in cp1258, so the label cannot be right.
    result = decode_page(page("news.tcvn3.html"), "windows-1258")
    assert result == DecodedPage(GEN.expected_text("news.tcvn3.html"), "tcvn3", True)


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "us-ascii"])
def test_cp1258_page_labelled_latin_is_read_as_cp1258(label: str) -> None:
    body = without_declarations(page("news.cp1258.html"))
    result = decode_page(body, label)
    assert result.encoding == "windows-1258"
    assert "Ủy ban nhân dân tỉnh Bến Tre" in result.text


def test_unsupported_charset_with_vietnamese_cp1258_text_is_still_read() -> None:
    body = without_declarations(page("news.cp1258.html"))
    assert decode_page(body, "iso-8859-2").encoding == "windows-1258"


def test_unsupported_charset_that_is_not_vietnamese_is_refused_by_name() -> None:
    body = page("english.latin1.html").replace(b"iso-8859-1", b"koi8-r")
    with pytest.raises(EncodingError, match=r"^unsupported charset: koi8-r") as caught:
        decode_page(body, "koi8-r")
    assert caught.value.reason == "unsupported charset"


# --- Unicode details ------------------------------------------------------------------------


def test_nfd_utf8_comes_back_nfc() -> None:
    source = GEN.expected_text("news.utf8.html")
    body = unicodedata.normalize("NFD", source).encode("utf-8")
    result = decode_page(body)
    assert result == DecodedPage(source, "utf-8", False)


def test_utf16_with_bom() -> None:
    source = GEN.expected_text("news.utf8.html")
    result = decode_page(codecs.BOM_UTF16_LE + source.encode("utf-16-le"))
    assert result == DecodedPage(source, "utf-16", False)


def test_utf8_cut_off_mid_letter_keeps_the_rest() -> None:
    body = "Hà Nội, Việt".encode()
    assert decode_page(body[:-2]).text == "Hà Nội, Vi"  # "ệ" is three bytes; one survived


def test_meta_charset_sniffing() -> None:
    assert sniff_meta_charset(b'<html><meta charset="windows-1258">') == "windows-1258"
    assert (
        sniff_meta_charset(b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=VNI'>")
        == "VNI"
    )
    assert sniff_meta_charset(b" " * 3000 + b'<meta charset="cp1258">') is None


# --- Pages we do not convert, and pages we refuse ---------------------------------------------


@pytest.mark.parametrize("declared", [None, "iso-8859-1", "windows-1252"])
def test_latin1_english_page_is_kept_as_it_is(declared: str | None) -> None:
    """Not Vietnamese: read as windows-1252 (what "latin-1" means on the web), not converted.

    cp1258 would turn "São" into "Săo", TCVN3 "café" into "cafộ"; neither happens.
    """
    result = decode_page(page("english.latin1.html"), declared)
    assert result == DecodedPage(GEN.expected_text("english.latin1.html"), "windows-1252", False)
    for kept in ("São Paulo", "crème brûlée", "5€"):
        assert kept in result.text


def test_a_latin1_letter_at_the_end_is_not_taken_for_cut_off_utf8() -> None:
    assert decode_page(b"Caf\xe9") == DecodedPage("Café", "windows-1252", False)


def test_random_binary_is_refused_with_a_reason() -> None:
    noise = random.Random(1258).randbytes(64 * 1024)  # noqa: S311 (test data, not a secret)
    body = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise
    with pytest.raises(EncodingError, match=r"^undecodable: .*best guess score \d\.\d\d") as caught:
        decode_page(body)
    assert caught.value.reason == "undecodable"
    with pytest.raises(EncodingError, match="undecodable"):
        decode_page(body, "utf-8")


def test_empty_body_is_refused() -> None:
    with pytest.raises(EncodingError, match=r"^empty body") as caught:
        decode_page(b"")
    assert caught.value.reason == "empty body"
    assert isinstance(caught.value, ValueError)


def test_cyrillic_single_byte_page_is_not_taken_for_vietnamese() -> None:
    body = ("<p>" + "Привет, как дела? Новости дня и погода в городе. " * 20 + "</p>").encode(
        "cp1251"
    )
    with pytest.raises(EncodingError, match=r"^undecodable"):
        decode_page(body)


# --- Score ---------------------------------------------------------------------------------


def test_vietnamese_score_separates_text_from_mojibake() -> None:
    text = GEN.expected_text("news.utf8.html")
    assert vietnamese_score(text) > 0.95
    assert vietnamese_score(GEN.encode_tcvn3(text).decode("latin-1")) < 0.3
    assert vietnamese_score(GEN.encode_vni(text).decode("latin-1")) < 0.1
    assert vietnamese_score("Café culture, crème brûlée, São Paulo") < 0.3
    assert vietnamese_score("no accents at all") == 0.0


# --- Size ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["news.utf8.html", "news.cp1258.html", "news.tcvn3.html", "news.vni.html"]
)
def test_a_one_megabyte_page_decodes(name: str) -> None:
    body = page(name)
    head, _, rest = body.partition(b"<body>")
    paragraphs, _, tail = rest.partition(b"</body>")
    big = head + b"<body>" + paragraphs * (1_048_576 // len(paragraphs) + 1) + b"</body>" + tail
    assert len(big) > 1_000_000
    result = decode_page(without_declarations(big))
    assert result.encoding == decode_page(body).encoding
