"""A normalised copy of informal Vietnamese text, for models and rule matching.

Callers keep the original for display (DESIGN section 4); ``normalize`` returns a new
string, in this order:

1. NFC.
2. E-mail addresses, URLs and @mentions become `` EMAIL ``, `` URL `` and `` @USER ``.
3. Stretched letters collapse: a run of 3 or more of one letter (tone marks aside) keeps one,
   the toned one if any (``quáaaa`` -> ``quá``, ``đẹppppp`` -> ``đẹp``); ``!!!`` -> ``!``,
   ``???`` -> ``?``, four or more dots -> ``...``. Digits are never collapsed (``1000``).
   No Vietnamese word has three equal letters in a row, so 3 is safe; two are kept
   (``xoong``, ``quáa`` may be a typo as well as a stretch).
4. Tone marks are placed by one rule, the one underthesea's ``text_normalize`` and most
   Vietnamese corpora use (see ``place_tone``): ``hoà`` -> ``hòa``, ``thuỷ`` -> ``thủy``,
   ``qúa`` -> ``quá``.
5. Teencode (nlp/teencode.yaml) is expanded on whole tokens: ``ko`` -> ``không``,
   ``đc`` -> ``được``. Unaccented real words (``khong``) are left alone.
6. Emoji are kept (they carry sentiment) and spaced apart from words.
7. Whitespace is collapsed to single spaces.

>>> normalize("Thủ tục ở phường mình nhanh quáaaa, ko phải chờ lâu 👍")
'Thủ tục ở phường mình nhanh quá, không phải chờ lâu 👍'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

from nlp.text import fold

__all__ = [
    "TEENCODE_PATH",
    "collapse_stretches",
    "load_teencode",
    "normalize",
    "normalize_for_match",
    "place_tone",
    "place_tones",
]

TEENCODE_PATH = Path(__file__).with_name("teencode.yaml")

# Combining tone marks (huyền, sắc, ngã, hỏi, nặng); the other marks (circumflex, breve,
# horn) shape the vowel itself and stay with their letter.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
_SHAPED = frozenset("ăâêôơư")  # a vowel with its own shape takes the tone
_FINALS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
_TONED_CHARS = "".join(
    unicodedata.normalize("NFC", base + tone)
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
    for tone in sorted(_TONES)
)
_HAS_TONE = re.compile(f"[{_TONED_CHARS}]")
_ANY_VOWEL = "".join(sorted(_VOWELS)) + "".join(sorted(_VOWELS)).upper() + _TONED_CHARS
# Placement can only vary where a toned vowel touches another vowel ("hoà", "qúa", "gìa").
_MAY_MISPLACE = re.compile(
    rf"(?<![^\W\d_])[^\W\d_]*(?:[{_ANY_VOWEL}][{_TONED_CHARS}]|[{_TONED_CHARS}][{_ANY_VOWEL}])[^\W\d_]*"
)

# Bounded repeats and look-behinds keep every pattern linear on hostile megabyte inputs.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_URL = re.compile(
    r"(?<![\w./])(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]}]"
    # bare domains: ASCII labels only, so the scan fails fast on Vietnamese words
    r"|(?<![\w.-])[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}\.(?:com|net|org|vn|info|io|me|gov|edu)\b"
    r"(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_MENTION = re.compile(r"(?<![\w@])@\w+")

_EMOJI_CHARS = (
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, supplemental symbols
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats
    "\u2b00-\u2bff"  # arrows and stars (⭐)
    "\u2190-\u21ff\u2300-\u23ff"  # arrows, technical (⌛, ⏰)
)
_EMOJI = re.compile(
    f"[{_EMOJI_CHARS}][\ufe0f\U0001f3fb-\U0001f3ff]*"
    f"(?:\u200d[{_EMOJI_CHARS}][\ufe0f\U0001f3fb-\U0001f3ff]*)*"
)


# Stretched runs are found on a shadow copy where every vowel is lower-case and toneless
# ("Áaaa" -> "aaaa"); the copy has the same length, so its spans index the original.
_TONELESS = str.maketrans(
    {
        unicodedata.normalize("NFC", letter + tone): base
        for base in _VOWELS
        for letter in (base, base.upper())
        for tone in ("", *_TONES)
        if letter + tone != base
    }
)
_STRETCH = re.compile(r"([^\W\d_])\1{2,}|([!?])\2+|\.{4,}", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_NUMBER_BEFORE = re.compile(r"\d\s*$")
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
_NEGATIONS = frozenset({"không", "ko", "k", "hok", "khum", "chưa", "chx", "chẳng", "chả"})


def collapse_stretches(text: str) -> str:
    """Runs of 3+ equal letters (tone and case aside) keep one; ``!!``/``??`` keep one.

    >>> collapse_stretches("Đẹppppp quáaaa!!! Nhưng 1000 người....")
    'Đẹp quá! Nhưng 1000 người...'
    """
    pieces: list[str] = []
    done = 0
    for match in _STRETCH.finditer(text.translate(_TONELESS)):
        start, end = match.span()
        run = text[start:end]
        pieces.append(text[done:start])
        if run.startswith("."):
            pieces.append("...")
        else:
            pieces.append(next((ch for ch in run if _HAS_TONE.match(ch)), run[0]))
        done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


@lru_cache(maxsize=65_536)
def place_tone(word: str) -> str:
    """One syllable with its tone mark on the vowel the rule names; anything else unchanged.

    The rule (underthesea's ``text_normalize``, "kiểu cũ" for oa/oe/uy):

    - ``qu`` is a consonant, so is ``gi`` before another vowel: ``qúa`` -> ``quá``,
      ``gìa`` -> ``già``;
    - a vowel with its own shape (ă â ê ô ơ ư) takes the tone; in ``ươ`` the ``ơ``:
      ``nguyễn``, ``người``;
    - three vowels: the middle one (``ngoài``, ``khuỷu``);
    - two vowels before a final consonant: the second (``hoàng``, ``toán``);
    - two vowels ending the syllable: the first (``hòa``, ``khỏe``, ``thủy``, ``mùa``).

    >>> place_tone("hoà"), place_tone("Thuỷ"), place_tone("qúa"), place_tone("hòang")
    ('hòa', 'Thủy', 'quá', 'hoàng')
    """
    letters: list[str] = []  # NFC letters without their tone
    tones: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if char in _TONES:
            tones.append(char)
        elif unicodedata.combining(char) and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + char)
        else:
            letters.append(char)
    if len(tones) != 1:
        return word
    target = _tone_position("".join(letters).lower())
    if target is None:
        return word
    letters[target] = unicodedata.normalize("NFC", letters[target] + tones[0])
    return "".join(letters)


def _tone_position(syllable: str) -> int | None:
    """Index of the letter that takes the tone in an untoned, lower-case syllable."""
    start = 0
    while start < len(syllable) and syllable[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(syllable) and syllable[end] in _VOWELS:
        end += 1
    if start == end or syllable[end:] not in _FINALS:
        return None
    glide_initial = syllable[start - 1 : start + 1] == "qu" or (
        syllable[:start] == "g" and syllable[start] == "i"
    )
    if glide_initial and end - start > 1:
        start += 1  # the u of "qu", the i of "gi" belong to the consonant
    cluster = syllable[start:end]
    shaped = [i for i, ch in enumerate(cluster) if ch in _SHAPED]
    if shaped:
        return start + shaped[-1]
    if len(cluster) == 1:
        return start
    if len(cluster) == 3:
        return start + 1
    if len(cluster) == 2:
        return start + (1 if syllable[end:] else 0)
    return None


def _place_tone_match(match: re.Match[str]) -> str:
    return place_tone(match.group(0))


def place_tones(text: str) -> str:
    """``place_tone`` on every word of ``text`` (NFC in, NFC out)."""
    return _MAY_MISPLACE.sub(_place_tone_match, text)


@lru_cache(maxsize=4)
def load_teencode(path: Path = TEENCODE_PATH) -> tuple[dict[str, str], dict[str, str]]:
    """(words, abbreviations) from the YAML table, keys lower-case NFC."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = []
    for section in ("words", "abbreviations"):
        entries = data.get(section) or {}
        table = {}
        for key, value in entries.items():
            if not str(key).strip() or not str(value).strip():
                raise ValueError(f"{path}: empty teencode entry {key!r} in {section!r}")
            table[unicodedata.normalize("NFC", str(key)).lower()] = place_tones(
                unicodedata.normalize("NFC", str(value))
            )
        tables.append(table)
    return tables[0], tables[1]


def _follow_case(token: str, expansion: str) -> str:
    if len(token) > 1 and token.isupper():
        return expansion.upper()
    if token[:1].isupper():
        return expansion[:1].upper() + expansion[1:]
    return expansion


def _trie(words: list[str]) -> str:
    """A regex alternation shaped as a trie ("k(?:o|hum)?"): re does not share prefixes."""
    groups: dict[str, list[str]] = {}
    ends = False
    for word in words:
        if word:
            groups.setdefault(word[0], []).append(word[1:])
        else:
            ends = True
    if not groups:
        return ""
    branches = [re.escape(head) + _trie(tails) for head, tails in sorted(groups.items())]
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        body = body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"
    return body


@lru_cache(maxsize=4)
def _teencode_pattern(keys: frozenset[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{_trie(sorted(keys))})(?!\w)", re.IGNORECASE)


def _expand(text: str, words: dict[str, str], abbreviations: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        key = token.lower()
        start, end = match.span()
        if text[end : end + 1] == "." and text[end + 1 : end + 2].isalnum():
            return token  # the head of a dotted name such as "TP.HCM"
        before = text[max(0, start - 24) : start]
        if key == "k" and _NUMBER_BEFORE.search(before):
            return token  # "20 k": a thousand, not "không"
        if key == "bt":
            previous = _WORD_BEFORE.search(before)
            if previous and previous.group(1).lower() in _NEGATIONS:
                return _follow_case(token, "biết")
        if key in abbreviations:
            return abbreviations[key]
        return _follow_case(token, words[key])

    return _teencode_pattern(frozenset(words) | frozenset(abbreviations)).sub(replace, text)


def normalize(text: str) -> str:
    """A normalised copy of ``text`` for models and matching (see the module docstring)."""
    text = unicodedata.normalize("NFC", text)
    text = _EMAIL.sub(" EMAIL ", text)
    text = _URL.sub(" URL ", text)
    text = _MENTION.sub(" @USER ", text)
    text = collapse_stretches(text)
    text = place_tones(text)
    words, abbreviations = load_teencode()
    text = _expand(text, words, abbreviations)
    text = _EMOJI.sub(lambda m: f" {m.group(0)} ", text)
    return _SPACES.sub(" ", text).strip()


def normalize_for_match(text: str) -> str:
    """``fold(normalize(text))``: lower-case, no diacritics, teencode expanded."""
    return fold(normalize(text))
