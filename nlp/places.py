"""Resolve the place a text is about to CURRENT (post-1-July-2025) administrative units.

Vietnam merged 63 provinces into 34 and abolished districts on 1 July 2025
(../shared/DESIGN.md section 4). ``PlaceResolver.resolve`` returns
``Place(province=<current official name>, commune=<current official name or None>,
as_written=<the span as the text wrote it>)`` or None.

Data, all from packages (nothing hand-listed but a few abbreviations and traps):

- ``vietnam-provinces``: the 34 provinces and 3,321 wards/communes/special zones (post-2025).
- ``vietnamadminunits``: its bundled JSON maps the 63 old provinces to the 34 new ones and
  lists the old districts, so "Hà Giang" gives Tuyên Quang and "quận Hoàn Kiếm" Hà Nội.

Policy, most specific first:

1. A commune named with its type ("phường Định Công", "xã Hòa Vang", "đặc khu Phú Quốc",
   "P. Tân Hưng"): taken when its name is unique nationwide (within that type when the type
   matches), or when exactly one of its namesakes lies in a province the text mentions
   (the nearest mention wins). "phường Tân Hưng, TP.HCM" gives Tân Hưng of Hồ Chí Minh City.
2. A bare commune name, capitalised, unique nationwide, and in a mentioned province when the
   text mentions any.
3. Otherwise the province: the one mentioned most (current name, old name, abbreviation, or
   an old district with its type, "Quận 7" or "huyện Thanh Trì"); ties go to the first.
   ``as_written`` is that province's first mention.

Traps handled: names that are also words or other things need their type or NER evidence
(``locations``): "hòa bình" (peace), "Thái Bình Dương" (the Pacific), "Hồ Chí Minh" (the
president), "Kiên Giang", "Long An"; names after "đường", "phố", "cầu", "bệnh viện"... are
streets and buildings ("phố Huế", "đường Nguyễn Trãi"); districts no longer exist, so
"Quận 7" gives the province (or the ward when one is given); TP.HCM, TPHCM, HCM, Sài Gòn,
HN are recognised (the bare upper-case ones case-sensitively).
Texts typed without diacritics (under 5% accented letters) are matched accent-insensitively,
and then communes need their type ("phuong dinh cong"); texts with diacritics are matched
exactly (tone placement "hoà"/"hòa" normalised), bare names capitalised.

Limits: old (pre-2025) communes are not converted (their names mostly changed or merged:
"phường Bến Nghé" finds nothing, "Quận 1" still gives the province); a namesake commune with
no province in the text stays unresolved; "Huế", "Hà Nội" in a person's or a company's name
count as places; only the first ``MAX_CHARS`` characters are read.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vietnam_provinces import Province, Ward

from indexer.documents import Place

__all__ = ["MAX_CHARS", "PlaceResolver"]

MAX_CHARS = 50_000  # a 1 MB paste is cut (worst case ~0.4 s): the place is near the top
_FOLDED_BELOW = 0.05  # share of accented letters under which a text is "typed without accents"

_COMMUNE_TYPES = {"phường": "phường", "p": "phường", "xã": "xã", "đặc khu": "đặc khu"}
_PROVINCE_PREFIXES = {"tỉnh", "thành phố", "tp"}
_DISTRICT_PREFIXES = {"quận", "huyện", "thị xã", "thành phố", "tp", "q"}
_OLD_TOWN = "thị trấn"  # abolished; a namesake commune usually took over
# After these words a place name is a street, a building or a thing, not where it happens.
_NOT_ADMIN = {
    "đường", "phố", "ngõ", "hẻm", "kiệt", "cầu", "sông", "chợ", "hồ", "núi", "đèo", "bến",
    "ga", "vịnh", "cảng", "trường", "viện", "công ty", "tập đoàn", "ngân hàng", "khách sạn",
    "báo", "đài", "quảng trường", "nhà hát", "công viên", "bệnh viện", "đại học", "tuyến",
    "quốc lộ", "tỉnh lộ", "đại lộ", "khu đô thị", "chung cư", "sân bay", "sân vận động", "clb",
    "câu lạc bộ", "đội", "hãng", "nhà máy", "chủ tịch", "bác", "ông", "bà", "anh", "chị",
}  # fmt: skip
# Province names that are also words or names: they need their type or NER's LOC tag.
_NEEDS_EVIDENCE = {"hòa bình", "thái bình", "bình định", "kiên giang", "long an", "hồ chí minh"}
# Phrases that contain a place name but are not the place; consumed before lookup.
_BLOCKED = {"thái bình dương", "ấn độ dương", "hòa bình thế giới", "sài gòn co op"}
_ALIASES = {  # alias -> current province code; spelling variants the packages lack
    "sài gòn": 79, "saigon": 79, "thừa thiên huế": 46,
    "vũng tàu": 79, "hanoi": 1, "danang": 48,
}  # fmt: skip
_ABBREVIATIONS = [  # case-sensitive where the letters are also ordinary text
    (re.compile(r"(?i:\btp\.?\s?hcm\b|\btphcm\b)|\bHCMC?\b"), 79),
    (re.compile(r"\bHN\b"), 1),
    (re.compile(r"\bQ\.\s?(?:[1-9]|1[0-2])\b"), 79),  # Q.7: numbered districts were HCM's
]
_TOKEN = re.compile(r"\w+")
_NAME_GAP = re.compile(r"\s+|\s*[-–]\s*")
_PREFIX_GAP = re.compile(r"\s+|\.\s*")


def _retone(m: re.Match[str]) -> str:
    """Move a word-final "oà"/"oè"/"uỳ" tone to the first vowel (one char each, in NFC)."""
    first, second = m.group(1), unicodedata.normalize("NFD", m.group(2))
    return unicodedata.normalize("NFC", first + second[1:]) + second[0]


_OPEN_O = re.compile(r"(o)([àáảãạèéẻẽẹ])(?!\w)")
_OPEN_U = re.compile(r"(?<!q)(u)([ỳýỷỹỵ])(?!\w)")


def _lower(text: str) -> str:
    """Lower case, same length as the input (a rare letter like "İ" lowers to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _key(text: str) -> str:
    """Lookup form with diacritics: lower-case, one tone style ("hoà" -> "hòa", "thuỷ" ->
    "thủy"), same length as its NFC input so spans map back to the text."""
    return _OPEN_U.sub(_retone, _OPEN_O.sub(_retone, _lower(text)))


def _base_letter(ch: str) -> str:
    return "d" if ch in "đĐ" else unicodedata.normalize("NFD", ch)[0]


# Latin letters with marks (Vietnamese lives in these blocks) -> base letter, for translate().
_LATIN = [chr(code) for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00))]
_FOLD_TABLE = str.maketrans({ch: _base_letter(ch) for ch in _LATIN if _base_letter(ch) != ch})
_ACCENTED = frozenset(ch for ch in _LATIN if _base_letter(ch) != ch)


def _fold(text: str) -> str:
    """Lookup form without diacritics, same length as input (đ -> d)."""
    return _lower(text).translate(_FOLD_TABLE)


def _form(folded: bool) -> Callable[[str], str]:
    return _fold if folded else _key


def _typed_without_accents(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(c in _ACCENTED for c in letters) < _FOLDED_BELOW * len(letters)


@dataclass
class _Entry:
    """Everything a name can be: a province (old or new), an old district, communes."""

    provinces: set[int] = field(default_factory=set)
    districts: dict[str, set[int]] = field(default_factory=dict)  # type -> province codes
    communes: list[Ward] = field(default_factory=list)
    blocked: bool = False


@dataclass
class _Mention:
    start: int
    end: int
    kind: str  # "province" or "commune"
    provinces: set[int]
    communes: list[Ward]
    explicit: bool


def _legacy_data() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """vietnamadminunits' bundled JSON, read without importing the package (it loads a lot)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("vietnamadminunits is not installed")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    legacy = json.loads((data / "parser_legacy.json").read_text(encoding="utf-8"))
    current = json.loads((data / "parser_from_2025.json").read_text(encoding="utf-8"))
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    return legacy, current, converter


def _core(name: str) -> str:
    """Name without its unit type: "Thành phố Hà Nội" -> "Hà Nội"."""
    return re.sub(r"^(Thành phố|Tỉnh|Phường|Xã|Đặc khu)\s+", "", name)


class PlaceResolver:
    """Build once (about a second), then ``resolve`` texts in milliseconds; thread-safe reads."""

    def __init__(self) -> None:
        self.provinces: dict[int, str] = {int(p.code): p.name for p in Province.iter_all()}
        self._exact: dict[str, _Entry] = {}
        self._folded: dict[str, _Entry] = {}
        for code, name in self.provinces.items():
            self._add(_core(name), lambda e, c=code: e.provinces.add(c))
        for ward in Ward.iter_all():
            self._add(_core(ward.name), lambda e, w=ward: e.communes.append(w))
        self._add_legacy()
        for alias, code in _ALIASES.items():
            self._add(alias, lambda e, c=code: e.provinces.add(c))
        for phrase in _BLOCKED:
            self._add(phrase, lambda e: setattr(e, "blocked", True))
        self._max_tokens = max(len(k.split()) for k in self._exact)
        self._first_words = {k.split()[0] for k in self._exact | self._folded}
        # Context words and risky names in both lookup forms (False: accented, True: folded).
        known = _COMMUNE_TYPES.keys() | _PROVINCE_PREFIXES | _DISTRICT_PREFIXES | {_OLD_TOWN}
        self._known = {f: {_form(f)(w) for w in known | _NOT_ADMIN} for f in (False, True)}
        self._not_admin = {f: {_form(f)(w) for w in _NOT_ADMIN} for f in (False, True)}
        self._risky = {f: {_form(f)(w) for w in _NEEDS_EVIDENCE} for f in (False, True)}

    def _add(self, name: str, update: Any) -> None:
        words = _TOKEN.findall(name)
        update(self._exact.setdefault(_key(" ".join(words)), _Entry()))
        update(self._folded.setdefault(_fold(" ".join(words)), _Entry()))

    def _add_legacy(self) -> None:
        legacy, current, converter = _legacy_data()
        new_code = {k: int(v["provinceCode"]) for k, v in current["DICT_PROVINCE"].items()}
        old_to_new = {
            old: new_code[new] for new, olds in converter["DICT_PROVINCE"].items() for old in olds
        }
        for old_key, info in legacy["DICT_PROVINCE"].items():
            self._add(info["provinceShort"], lambda e, c=old_to_new[old_key]: e.provinces.add(c))
        for old_key, districts in legacy["DICT_PROVINCE_DISTRICT"].items():
            code = old_to_new[old_key]
            for info in districts.values():
                kind = _key(info["districtType"])
                name = info["districtShort"]
                if name.lower().startswith(kind):  # "Quận 7": the number is the name
                    name = name[len(kind) :]
                self._add(name, lambda e, k=kind, c=code: e.districts.setdefault(k, set()).add(c))

    def resolve(self, text: str, locations: list[str] | None = None) -> Place | None:
        """The most specific current unit the text is about, or None (see module docstring)."""
        text = unicodedata.normalize("NFC", text[:MAX_CHARS])
        folded = _typed_without_accents(text)
        norm = _fold(text) if folded else _key(text)
        evidence = {" ".join(_TOKEN.findall(_form(folded)(loc))) for loc in locations or []}
        mentions = self._abbreviations(text) + self._scan(text, norm, folded, evidence)
        mentions.sort(key=lambda m: m.start)
        return self._choose(text, mentions)

    def _abbreviations(self, text: str) -> list[_Mention]:
        return [
            _Mention(m.start(), m.end(), "province", {code}, [], True)
            for pattern, code in _ABBREVIATIONS
            for m in pattern.finditer(text)
        ]

    def _scan(self, text: str, norm: str, folded: bool, evidence: set[str]) -> list[_Mention]:
        index = self._folded if folded else self._exact
        spans = [m.span() for m in _TOKEN.finditer(norm)]
        words = [norm[a:b] for a, b in spans]
        mentions: list[_Mention] = []
        i = 0
        while i < len(spans):
            found = self._longest(index, norm, spans, words, i)
            step = 1
            if found is not None:
                n, key, entry = found
                mention = None if entry.blocked else self._classify(
                    text, norm, spans, words, i, n, entry, folded
                )  # fmt: skip
                if mention is not None and self._credible(mention, key, text, folded, evidence):
                    mentions.append(mention)
                    step = n
                elif entry.blocked:  # "Thái Bình Dương" hides "Bình Dương"
                    step = n
            i += step  # an incredible match ("dân Hòa") may hide a real one ("Hòa Bình")
        return mentions

    def _longest(
        self, index: dict[str, _Entry], norm: str, spans: list[tuple[int, int]],
        words: list[str], i: int,
    ) -> tuple[int, str, _Entry] | None:  # fmt: skip
        if words[i] not in self._first_words:  # most words start no name: one set lookup
            return None
        n = 1
        while n < min(self._max_tokens, len(spans) - i) and _NAME_GAP.fullmatch(
            norm[spans[i + n - 1][1] : spans[i + n][0]]
        ):
            n += 1
        for size in range(n, 0, -1):
            key = " ".join(words[i : i + size])
            if key in index:
                return size, key, index[key]
        return None

    def _prefix(self, norm: str, spans: list[tuple[int, int]], words: list[str], i: int,
                folded: bool) -> tuple[str, int] | None:  # fmt: skip
        """The one- or two-word type or context word just before token i, and its start."""
        for n in (2, 1):
            if i - n < 0 or not _PREFIX_GAP.fullmatch(norm[spans[i - 1][1] : spans[i][0]]):
                continue
            inner = all(
                _NAME_GAP.fullmatch(norm[spans[j - 1][1] : spans[j][0]])
                for j in range(i - n + 1, i)
            )
            candidate = " ".join(words[i - n : i])
            if inner and candidate in self._known[folded]:
                return candidate, spans[i - n][0]
        return None

    def _classify(self, text: str, norm: str, spans: list[tuple[int, int]], words: list[str],
                  i: int, n: int, entry: _Entry, folded: bool) -> _Mention | None:  # fmt: skip
        form = _form(folded)
        start, end = spans[i][0], spans[i + n - 1][1]
        prefix = self._prefix(norm, spans, words, i, folded)
        word, at = prefix if prefix else ("", start)
        if word in self._not_admin[folded]:
            return None
        for written, unit in _COMMUNE_TYPES.items():
            if word == form(written) and entry.communes:
                same = [w for w in entry.communes if w.division_type.value == unit]
                return _Mention(at, end, "commune", set(), same or entry.communes, True)
        if word == form(_OLD_TOWN) and entry.communes:
            return _Mention(at, end, "commune", set(), entry.communes, True)
        for kind, codes in entry.districts.items():
            kind = form(kind)
            typed = word == kind or (word, kind) in {("tp", form("thành phố")), ("q", form("quận"))}
            if typed and len(codes) == 1 and not entry.provinces:
                return _Mention(at, end, "province", set(codes), [], True)
        if entry.provinces:
            explicit = word in {form(p) for p in _PROVINCE_PREFIXES}
            return _Mention(at if explicit else start, end, "province", entry.provinces, [],
                            explicit)  # fmt: skip
        if entry.communes and not folded and not word:
            return _Mention(start, end, "commune", set(), entry.communes, False)
        return None

    def _credible(self, mention: _Mention, key: str, text: str, folded: bool,
                  evidence: set[str]) -> bool:  # fmt: skip
        if mention.explicit:
            return True
        if key in self._risky[folded]:  # NER tagged it a location: "tỉnh Hòa Bình", "Hòa Bình"
            return any(f" {key} " in f" {found} " for found in evidence)
        if mention.kind == "commune":  # bare commune: a proper name, so capitalised
            written = text[mention.start : mention.end]
            return all(w[0].isupper() or w[0].isdigit() for w in _TOKEN.findall(written))
        return True

    def _choose(self, text: str, mentions: list[_Mention]) -> Place | None:
        provinces = [m for m in mentions if m.kind == "province" and len(m.provinces) == 1]
        named = {next(iter(m.provinces)) for m in provinces}
        for explicit in (True, False):
            for m in mentions:
                if m.kind != "commune" or m.explicit != explicit:
                    continue
                ward = self._pick_commune(m, provinces, named, strict=not explicit)
                if ward is not None:
                    return Place(
                        province=self.provinces[int(ward.province_code)],
                        commune=ward.name,
                        as_written=text[m.start : m.end],
                    )
        if not provinces:
            return None
        counts = Counter(next(iter(m.provinces)) for m in provinces)
        top = max(counts.values())
        winner = next(m for m in provinces if counts[next(iter(m.provinces))] == top)
        code = next(iter(winner.provinces))
        return Place(province=self.provinces[code], as_written=text[winner.start : winner.end])

    @staticmethod
    def _pick_commune(m: _Mention, provinces: list[_Mention], named: set[int],
                      strict: bool) -> Ward | None:  # fmt: skip
        """A unique namesake, or the one in the province mentioned nearest to it."""
        if len(m.communes) == 1:
            ward = m.communes[0]
            if strict and named and int(ward.province_code) not in named:
                return None
            return ward
        if strict:
            return None
        by_distance = sorted(provinces, key=lambda p: abs(p.start - m.start))
        for p in by_distance:
            code = next(iter(p.provinces))
            matches = [w for w in m.communes if int(w.province_code) == code]
            if len(matches) == 1:
                return matches[0]
        return None
