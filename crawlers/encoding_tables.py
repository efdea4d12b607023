"""Code tables for the two legacy Vietnamese font encodings: TCVN3 (ABC) and VNI.

Both put Vietnamese letters where a Latin-1 font has other glyphs, so a page "in" them is
Latin-1 bytes that only read as Vietnamese under the right font. Each table is written in
the direction the standards publish it, letter -> code, and inverted for decoding below.

TCVN3 / ABC (fonts ".VnTime", ".VnArial", ...): TCVN 5712:1993. Its VN3 subset (the ABC
fonts) holds the 67 lower-case letters and the 7 bare capitals Ă Â Ê Ô Ơ Ư Đ in 0xA1-0xFE;
the 60 toned capitals come from the full VN1 table, which puts them in 0x80-0x9F, in the
holes of 0xA1-0xFF and in twelve C0 positions (Ú Ụ Ừ Ử Ữ Ứ Ự Ỳ Ỷ Ỹ Ý Ỵ). Tools such as Unikey
write capitals there; pages set in the capital-only fonts (".VnTimeH") instead store capitals
under the lower-case codes, and those come back lower-case (the font is not in the bytes).
VN1's combining tone marks at 0xB0-0xB4 are left out on purpose: in ABC pages those bytes are
the Latin-1 signs ° ± ² ³ ´ ("30°C"), and a stray combining mark would corrupt the text.

VNI (fonts "VNI-Times", "VNI-Helve", ...): VNI Software's own font encoding for Windows
(no national standard). A toned letter is an ASCII base letter followed by one mark byte:
ù ø û õ ï for sắc huyền hỏi ngã nặng, â á à å ã ä for the circumflex (alone and with each
tone), ê é è ú ü ë for the breve; i-with-tone, ỵ, ơ, ư and đ are single bytes. Capitals use
the upper-case form of every byte (e.g. "AÙ" = Á).

How the tables were built and checked: typed from the published tables; the TCVN3 table was
compared byte for byte with glibc iconv's TCVN5712-1 converter (every letter, upper and lower
case), the VNI table with the VNI chart as reproduced in xvnkb's vni.h. The tests round-trip
all 134 precomposed Vietnamese letters through each table and decode hand-checked phrases
("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam").
"""

from __future__ import annotations

__all__ = [
    "TCVN3_DECODE",
    "TCVN3_ENCODE",
    "VIETNAMESE_LETTERS",
    "VNI_DECODE",
    "VNI_ENCODE",
]

# The 12 vowels with their six tone forms (none, sắc, huyền, hỏi, ngã, nặng), lower case.
_VOWEL_ROWS = (
    "aáàảãạ",
    "ăắằẳẵặ",
    "âấầẩẫậ",
    "eéèẻẽẹ",
    "êếềểễệ",
    "iíìỉĩị",
    "oóòỏõọ",
    "ôốồổỗộ",
    "ơớờởỡợ",
    "uúùủũụ",
    "ưứừửữự",
    "yýỳỷỹỵ",
)

# The 134 precomposed letters of Vietnamese that ASCII lacks (67 lower, 67 upper case).
VIETNAMESE_LETTERS: tuple[str, ...] = tuple(
    letter
    for lower in [c for row in _VOWEL_ROWS for c in row if not c.isascii()] + ["đ"]
    for letter in (lower, lower.upper())
)

# TCVN 5712:1993, letter -> byte. Lower case (VN3 = VN1), in _VOWEL_ROWS order.
_TCVN3_LOWER = {
    "á": 0xB8, "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "ạ": 0xB9,
    "ă": 0xA8, "ắ": 0xBE, "ằ": 0xBB, "ẳ": 0xBC, "ẵ": 0xBD, "ặ": 0xC6,
    "â": 0xA9, "ấ": 0xCA, "ầ": 0xC7, "ẩ": 0xC8, "ẫ": 0xC9, "ậ": 0xCB,
    "é": 0xD0, "è": 0xCC, "ẻ": 0xCE, "ẽ": 0xCF, "ẹ": 0xD1,
    "ê": 0xAA, "ế": 0xD5, "ề": 0xD2, "ể": 0xD3, "ễ": 0xD4, "ệ": 0xD6,
    "í": 0xDD, "ì": 0xD7, "ỉ": 0xD8, "ĩ": 0xDC, "ị": 0xDE,
    "ó": 0xE3, "ò": 0xDF, "ỏ": 0xE1, "õ": 0xE2, "ọ": 0xE4,
    "ô": 0xAB, "ố": 0xE8, "ồ": 0xE5, "ổ": 0xE6, "ỗ": 0xE7, "ộ": 0xE9,
    "ơ": 0xAC, "ớ": 0xED, "ờ": 0xEA, "ở": 0xEB, "ỡ": 0xEC, "ợ": 0xEE,
    "ú": 0xF3, "ù": 0xEF, "ủ": 0xF1, "ũ": 0xF2, "ụ": 0xF4,
    "ư": 0xAD, "ứ": 0xF8, "ừ": 0xF5, "ử": 0xF6, "ữ": 0xF7, "ự": 0xF9,
    "ý": 0xFD, "ỳ": 0xFA, "ỷ": 0xFB, "ỹ": 0xFC, "ỵ": 0xFE,
    "đ": 0xAE,
}  # fmt: skip

# Capitals: the 7 bare ones are in VN3; the 60 toned ones are VN1's.
_TCVN3_UPPER = {
    "Á": 0x83, "À": 0x80, "Ả": 0x81, "Ã": 0x82, "Ạ": 0x84,
    "Ă": 0xA1, "Ắ": 0xC0, "Ằ": 0xAF, "Ẳ": 0xBA, "Ẵ": 0xBF, "Ặ": 0x85,
    "Â": 0xA2, "Ấ": 0xC4, "Ầ": 0xC1, "Ẩ": 0xC2, "Ẫ": 0xC3, "Ậ": 0x86,
    "É": 0x8A, "È": 0x87, "Ẻ": 0x88, "Ẽ": 0x89, "Ẹ": 0x8B,
    "Ê": 0xA3, "Ế": 0xDA, "Ề": 0xC5, "Ể": 0xCD, "Ễ": 0xD9, "Ệ": 0x8C,
    "Í": 0x90, "Ì": 0x8D, "Ỉ": 0x8E, "Ĩ": 0x8F, "Ị": 0x91,
    "Ó": 0x95, "Ò": 0x92, "Ỏ": 0x93, "Õ": 0x94, "Ọ": 0x96,
    "Ô": 0xA4, "Ố": 0xFF, "Ồ": 0xDB, "Ổ": 0xE0, "Ỗ": 0xF0, "Ộ": 0x97,
    "Ơ": 0xA5, "Ớ": 0x9B, "Ờ": 0x98, "Ở": 0x99, "Ỡ": 0x9A, "Ợ": 0x9C,
    "Ú": 0x01, "Ù": 0x9D, "Ủ": 0x9E, "Ũ": 0x9F, "Ụ": 0x02,
    "Ư": 0xA6, "Ứ": 0x11, "Ừ": 0x04, "Ử": 0x05, "Ữ": 0x06, "Ự": 0x12,
    "Ý": 0x16, "Ỳ": 0x13, "Ỷ": 0x14, "Ỹ": 0x15, "Ỵ": 0x17,
    "Đ": 0xA7,
}  # fmt: skip

TCVN3_ENCODE: dict[str, int] = {**_TCVN3_LOWER, **_TCVN3_UPPER}

# For str.translate over the Latin-1 reading of the bytes: code point -> letter.
TCVN3_DECODE: dict[int, str] = {code: letter for letter, code in TCVN3_ENCODE.items()}

# VNI for Windows, lower case, letter -> byte sequence (as Latin-1 text), _VOWEL_ROWS order.
_VNI_LOWER = {
    "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ắ": "aé", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "é": "eù", "è": "eø", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ế": "eá", "ề": "eà", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ó": "où", "ò": "oø", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ố": "oá", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ớ": "ôù", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ú": "uù", "ù": "uø", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ứ": "öù", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ý": "yù", "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
    "đ": "ñ",
}  # fmt: skip

# Capitals are the upper-case form of both sides ("Ơ" = "Ô", "Ấ" = "AÁ"), as VNI publishes.
VNI_ENCODE: dict[str, str] = {
    **_VNI_LOWER,
    **{letter.upper(): code.upper() for letter, code in _VNI_LOWER.items()},
}

# Byte sequence -> letter. Identity entries (í = "í") are dropped: nothing to convert.
VNI_DECODE: dict[str, str] = {code: letter for letter, code in VNI_ENCODE.items() if code != letter}
