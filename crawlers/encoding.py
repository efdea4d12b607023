"""Turn a fetched page's bytes into NFC Unicode, or refuse the page with a named reason.

Vietnamese pages arrive as UTF-8, as windows-1258 (whose tone marks are combining
characters, so the text is NFC-composed here), or in the legacy font encodings TCVN3 (ABC,
".VnTime") and VNI ("VNI-Times"), where Latin-1 bytes stand for Vietnamese letters through a
font's glyph positions. ``decode_page`` decides in this order:

1. a byte order mark (UTF-8, or UTF-16 -> encoding "utf-16");
2. strict UTF-8 (a sequence cut off by a truncated download is dropped);
3. a declared windows-1258 (HTTP header, else ``<meta>`` in the first 2 KB): cp1258;
4. a declared TCVN3/VNI label, or (declared Latin-1, windows-1252, nothing, or a UTF-8
   label the bytes disprove) legacy evidence: a font name (.VnTime, VNI-Times) in the markup,
   or visible text that reads as Vietnamese under the TCVN3 or VNI table and better than
   under cp1258 (``vietnamese_score``);
5. cp1258 when it reads as Vietnamese;
6. Latin text that is not Vietnamese (under a quarter of its words accented, or too few
   accented words to tell, and no control characters) decodes as windows-1252 as it is,
   encoding "windows-1252": converting it would only make garbage;
7. anything else raises ``EncodingError`` ("undecodable: ..." or "unsupported charset: ...").
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from crawlers.encoding_tables import TCVN3_DECODE, VNI_DECODE

__all__ = [
    "DecodedPage",
    "EncodingError",
    "convert_tcvn3",
    "convert_vni",
    "decode_page",
    "sniff_meta_charset",
    "vietnamese_score",
]

SNIFF_BYTES = 2048  # where a <meta charset> must sit, as the HTML standard's prescan
VIETNAMESE_MIN = 0.6  # share of accented words that must be Vietnamese syllables
MIN_MARKED_WORDS = 3  # fewer accented words than this is too little evidence for a table
LATIN_MAX_MARKED_SHARE = 0.25  # French or German text has 5-15% accented words; Vietnamese 60%+
CLEAN_MIN = 0.98  # share of characters that are not control characters (binary has ~10%)
LEGACY = ("tcvn3", "vni")


class EncodingError(ValueError):
    """A page we refuse. ``reason`` is the message before its colon, for counters."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.reason = message.split(":", 1)[0]


@dataclass(frozen=True)
class DecodedPage:
    text: str  # NFC
    encoding: str  # "utf-8", "utf-16", "windows-1258", "windows-1252", "tcvn3" or "vni"
    converted_from_legacy: bool  # True for tcvn3 and vni: the letters were remapped


@dataclass(frozen=True)
class _Reading:
    """How one candidate decoding of a page reads."""

    score: float  # vietnamese_score of the visible text
    marked: int  # words with a non-ASCII letter
    marked_share: float  # of all words
    clean_share: float  # characters that are not control characters


def decode_page(body: bytes, declared: str | None = None) -> DecodedPage:
    """Decode a page to NFC text; ``declared`` is the HTTP charset if known."""
    if not body:
        raise EncodingError("empty body: nothing to decode")
    page = _decode_unicode(body)
    if page is not None:
        return page
    family, label = _declared_family(body, declared)
    if family == "windows-1258":
        text = _strict(body, "cp1258")
        if text is not None:
            return _page(text, "windows-1258")
        family, label = None, None  # the label is wrong: detect instead
    return _detect(body, family, label)


def convert_tcvn3(text: str) -> str:
    """The Latin-1 reading of TCVN3 (ABC) bytes -> NFC Unicode."""
    return unicodedata.normalize("NFC", text.translate(TCVN3_DECODE))


def convert_vni(text: str) -> str:
    """The Latin-1 (or windows-1252) reading of VNI bytes -> NFC Unicode.

    A base letter and its mark byte are matched as a pair before single bytes, so "ôù"
    is ớ, not ơ followed by a stray ù.
    """
    return unicodedata.normalize("NFC", _VNI_RUN.sub(_vni_letter, text))


def vietnamese_score(text: str) -> float:
    """Share of the words with a non-ASCII letter that are well-formed Vietnamese syllables.

    A syllable is an onset, a vowel nucleus from Vietnamese's closed list, an optional
    coda, at most one tone mark, and sắc or nặng when the coda is c, ch, p or t. ASCII-only
    words are left out: they read the same under every candidate encoding. Correctly decoded
    Vietnamese scores above 0.9; mojibake ("ViÖt", "Vieät") and other languages score low.
    0.0 when there is no accented word at all.
    """
    marked = [w for w in _WORD.findall(unicodedata.normalize("NFC", text)) if not w.isascii()]
    if not marked:
        return 0.0
    return sum(map(_is_syllable, marked)) / len(marked)


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset of a ``<meta charset>`` or ``http-equiv`` tag in the first 2 KB."""
    match = _META_CHARSET.search(body[:SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


# --- Unicode pages -------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


def _decode_unicode(body: bytes) -> DecodedPage | None:
    for bom, codec, name in _BOMS:
        if body.startswith(bom):
            text = _strict(body[len(bom) :], codec)
            return _page(text, name) if text is not None else None
    text = _utf8(body)
    return _page(text, "utf-8") if text is not None else None


def _utf8(body: bytes) -> str | None:
    """Strict UTF-8; a multi-byte sequence cut off at the very end is dropped."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        cut_off = error.reason == "unexpected end of data" and error.start >= len(body) - 3
        if cut_off and not body[: error.start].isascii():  # UTF-8 before the cut, not Latin-1
            return _strict(body[: error.start], "utf-8")
        return None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        return None


def _page(text: str, encoding: str, converted: bool = False) -> DecodedPage:
    return DecodedPage(unicodedata.normalize("NFC", text), encoding, converted)


# --- Declared charsets ---------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.I)
_CODEC_FAMILIES = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "cp1258": "windows-1258",
    "cp1252": "latin",
    "iso8859-1": "latin",
    "iso8859-15": "latin",
    "ascii": "latin",  # the HTML standard reads us-ascii as windows-1252 too
}


def _declared_family(body: bytes, declared: str | None) -> tuple[str | None, str | None]:
    """The first usable label: the header, else the meta tag (also when the header said a
    UTF-8 that the bytes have just disproved, a common server default)."""
    labels = [declared, sniff_meta_charset(body)] if declared else [sniff_meta_charset(body)]
    for label in labels:
        family = _family(label)
        if family is not None and family != "utf-8":
            return family, label
    return None, None


def _family(label: str | None) -> str | None:
    """The label's family: utf-8, windows-1258, latin, tcvn3, vni, other; None if no label."""
    if not label:
        return None
    param = _CHARSET_PARAM.search(label)
    name = (param.group(1) if param else label).strip().strip("\"'").lower()
    if "tcvn" in name:  # tcvn3, x-viet-tcvn5712, tcvn5712-1
        return "tcvn3"
    if name.startswith("vni") or name == "x-viet-vni":
        return "vni"
    try:
        return _CODEC_FAMILIES.get(codecs.lookup(name).name, "other")
    except (LookupError, ValueError):  # ValueError: a NUL inside the label ("\x00")
        return "other"


# --- Detection -----------------------------------------------------------------------------


def _detect(body: bytes, family: str | None, label: str | None) -> DecodedPage:
    latin1 = body.decode("latin-1")
    candidates = _candidates(body, latin1)
    readings = {name: _read(text) for name, text in candidates.items()}
    if family in (None, "latin", *LEGACY):
        named = {family} if family in LEGACY else _legacy_fonts(latin1)
        legacy = _pick_legacy(readings, named)
        if legacy is not None:
            return _page(candidates[legacy], legacy, converted=True)
    cp1258 = readings.get("windows-1258")
    if cp1258 is not None and _reads_vietnamese(cp1258):
        return _page(candidates["windows-1258"], "windows-1258")
    if family in (None, "latin"):
        western = _windows_1252(body)
        if _reads_latin(_read(western)):
            return _page(western, "windows-1252")
    best = max(reading.score for reading in readings.values())
    tried = "not UTF-8, windows-1258, TCVN3 or VNI"
    if family == "other":
        raise EncodingError(f"unsupported charset: {label} ({tried}; best guess score {best:.2f})")
    raise EncodingError(f"undecodable: {tried} (best guess score {best:.2f})")


def _candidates(body: bytes, latin1: str) -> dict[str, str]:
    """The page read as each Vietnamese encoding (NFC); cp1258 only when its bytes allow."""
    candidates = {"tcvn3": convert_tcvn3(latin1), "vni": convert_vni(_windows_1252(body))}
    cp1258 = _strict(body, "cp1258")
    if cp1258 is not None:
        candidates["windows-1258"] = unicodedata.normalize("NFC", cp1258)
    return candidates


def _pick_legacy(readings: dict[str, _Reading], named: set[str]) -> str | None:
    """The legacy table that the label or fonts (``named``) or else the text point to.

    Named: the better-reading named table, unless cp1258 reads better still. Unnamed: the
    better table, if it reads as Vietnamese on enough words and better than cp1258.
    """
    options = [n for n in LEGACY if readings[n].clean_share >= CLEAN_MIN]
    if named:
        options = [n for n in options if n in named]
    if not options:
        return None
    best = max(options, key=lambda n: readings[n].score)
    rival = readings["windows-1258"].score if "windows-1258" in readings else 0.0
    if named:
        return best if readings[best].score >= rival else None
    dense = readings[best].marked >= MIN_MARKED_WORDS and readings[best].score >= VIETNAMESE_MIN
    return best if dense and readings[best].score > rival else None


def _reads_vietnamese(reading: _Reading) -> bool:
    return (
        reading.clean_share >= CLEAN_MIN and reading.marked > 0 and reading.score >= VIETNAMESE_MIN
    )


def _reads_latin(reading: _Reading) -> bool:
    few = reading.marked < MIN_MARKED_WORDS or reading.marked_share <= LATIN_MAX_MARKED_SHARE
    return reading.clean_share >= CLEAN_MIN and few


def _windows_1252(body: bytes) -> str:
    """windows-1252, keeping its five undefined bytes as C1 controls (as browsers do)."""
    return body.decode("latin-1").translate(_CP1252_C1)


_CP1252_C1 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}

# --- Evidence ------------------------------------------------------------------------------

_FONT_DECLARATION = re.compile(r"\b(?:face|font-family|font)\s*[=:]\s*([^>;}]{1,200})", re.I)
_TCVN3_FONT = re.compile(r"\.Vn[A-Z]")  # .VnTime, .VnTimeH, .VnArial: the ABC fonts
_VNI_FONT = re.compile(r"\bVNI-[A-Za-z]", re.I)  # VNI-Times, VNI-Helve, VNI-Aptima


def _legacy_fonts(markup: str) -> set[str]:
    """Which legacy font families the page's font declarations name."""
    found: set[str] = set()
    for declaration in _FONT_DECLARATION.findall(markup):
        if _TCVN3_FONT.search(declaration):
            found.add("tcvn3")
        if _VNI_FONT.search(declaration):
            found.add("vni")
    return found


_INVISIBLE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG_OR_ENTITY = re.compile(r"<[^>]*>|&#?\w+;")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_WORD = re.compile(r"[^\W\d_]+")


def _read(text: str) -> _Reading:
    visible = _TAG_OR_ENTITY.sub(" ", _INVISIBLE.sub(" ", text))
    words = _WORD.findall(visible)
    marked = sum(1 for w in words if not w.isascii())
    controls = len(_CONTROL.findall(text))
    return _Reading(
        score=vietnamese_score(visible),
        marked=marked,
        marked_share=marked / len(words) if words else 0.0,
        clean_share=1 - controls / len(text) if text else 1.0,
    )


# --- Vietnamese syllables ------------------------------------------------------------------

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền sắc ngã hỏi nặng
_STOP_TONES = frozenset("\u0301\u0323")  # the only tones a syllable ending in c/ch/p/t takes
_ONSETS = "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x"
# Vowel nuclei (with their glides), by whether a final consonant may, must or must not follow.
_OPEN_ONLY = (
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu uơ "
    "iêu yêu oai oay oao oeo uây uôi uya uyu ươi ươu"
)
_CLOSED_ONLY = "ă â iê yê uô ươ uyê oă oo uâ"
_EITHER = "a e ê i o ô ơ u ư y oa oe uê uy"
_CODAS = "ch ng nh c m n p t"


def _alternation(*groups: str) -> str:
    return "|".join(sorted(" ".join(groups).split(), key=len, reverse=True))


_SYLLABLE = re.compile(
    f"(?:{_alternation(_ONSETS)})?"
    f"(?:(?:{_alternation(_OPEN_ONLY, _EITHER)})"
    f"|(?:{_alternation(_CLOSED_ONLY, _EITHER)})(?P<coda>{_alternation(_CODAS)}))"
)


@lru_cache(maxsize=1 << 16)
def _is_syllable(word: str) -> bool:
    if not (word.islower() or word.isupper() or word.istitle()):
        return False  # "ViÖt", "khÈn": a capital inside a word is mojibake
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    match = _SYLLABLE.fullmatch(bare)
    if match is None:
        return False
    if match.group("coda") in ("c", "ch", "p", "t"):
        return bool(tones) and tones[0] in _STOP_TONES
    return True


# --- VNI pairs -----------------------------------------------------------------------------

_VNI_BASES = "".join(sorted({seq[0] for seq in VNI_DECODE if len(seq) == 2}))
_VNI_MARKS = "".join(sorted({seq[1] for seq in VNI_DECODE if len(seq) == 2}))
_VNI_SINGLES = "".join(sorted(seq for seq in VNI_DECODE if len(seq) == 1))
_VNI_RUN = re.compile(f"[{_VNI_BASES}][{_VNI_MARKS}]|[{_VNI_SINGLES}]")


def _vni_letter(match: re.Match[str]) -> str:
    sequence = match.group()
    letter = VNI_DECODE.get(sequence)
    if letter is not None:
        return letter
    # A base with a mark that does not belong to it ("uâ"): convert each byte alone.
    return "".join(VNI_DECODE.get(char, char) for char in sequence)
