"""Watch topics: analyst-defined boolean keyword rules over segmented text (DESIGN section 3).

Rules live in YAML (nlp/topics.yaml by default). A topic matches when one of its ``any``
terms occurs, every one of its ``all`` terms occurs, and none of its ``not`` terms does.
Terms match as whole-word sequences: segmentation underscores count as spaces, punctuation
separates words, case is ignored, and "lũ" never matches inside "lũy".

Accent policy. Folding makes different words equal ("bão" storm, "bảo" to tell and "bao"
how many all fold to "bao"), yet many comments are typed without diacritics. So a text is
matched in one of two modes, decided per text (``has_diacritics``):

- text written with diacritics: terms match with their diacritics (tone-mark placement
  normalised, ``hoà`` = ``hòa``); an unaccented word there is taken to be unaccented on
  purpose, so "bao nhiêu" does not match "bão";
- text written without diacritics: terms match folded ("thu tuc hanh chinh" matches
  "thủ tục hành chính"), except terms marked ``=`` in the YAML (``=bão``), which only
  ever match with their diacritics because their folded form is a common other word.

Matching looks up each text token in a table of the terms' first tokens, so its cost grows
with the text, not with the number of terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nlp.normalize import place_tones
from nlp.text import fold

__all__ = [
    "DEFAULT_TOPICS_PATH",
    "MARKED_SHARE",
    "TopicsError",
    "WatchTopics",
    "has_diacritics",
]

DEFAULT_TOPICS_PATH = Path(__file__).with_name("topics.yaml")
MARKED_SHARE = 0.25  # share of words with diacritics above which a text counts as accented
_SAMPLE_WORDS = 2_000  # enough words to decide; a megabyte text is not read twice

_FIELDS = frozenset({"label", "any", "all", "not"})
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_TOKENS = re.compile(r"\w+|[^\w\s]")
_WORDS = re.compile(r"[^\W\d_]+")
_MARKED = re.compile(
    "[đĐ"
    + "".join(
        unicodedata.normalize("NFC", base + mark)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for mark in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
        if (base + mark) not in "aeiouyAEIOUY"
    )
    + "]"
)


class TopicsError(ValueError):
    """The topics file is malformed; the message names the file and the topic."""


def has_diacritics(text: str) -> bool:
    """Whether ``text`` is written with diacritics (sampled on its first words).

    >>> has_diacritics("Bão số 3 gây lũ"), has_diacritics("bao so 3 gay lu, ko đc")
    (True, False)
    """
    words = 0
    marked = 0
    for match in _WORDS.finditer(text):
        words += 1
        marked += _MARKED.search(match.group(0)) is not None
        if words >= _SAMPLE_WORDS:
            break
    return words > 0 and marked >= MARKED_SHARE * words


@lru_cache(maxsize=65_536)
def _fold_token(token: str) -> str:
    return fold(token)


def _exact_tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).replace("_", " ")
    return _TOKENS.findall(place_tones(text).lower())


@dataclass(frozen=True, eq=False)  # identity hash: set lookups run per term and per text
class _Term:
    spelling: str
    exact: tuple[str, ...]
    folded: tuple[str, ...]
    exact_only: bool


@dataclass(frozen=True)
class _Topic:
    key: str
    label: str
    any_terms: tuple[_Term, ...]
    all_terms: tuple[_Term, ...]
    not_terms: tuple[_Term, ...]


_Index = dict[str, list[tuple[tuple[str, ...], _Term]]]


def _index(terms: Iterable[_Term], folded: bool) -> _Index:
    index: _Index = {}
    for term in terms:
        tokens = term.folded if folded else term.exact
        index.setdefault(tokens[0], []).append((tokens, term))
    return index


def _find(tokens: list[str], index: _Index) -> set[_Term]:
    found: set[_Term] = set()
    for i, token in enumerate(tokens):
        for sequence, term in index.get(token, ()):
            if term not in found and tuple(tokens[i : i + len(sequence)]) == sequence:
                found.add(term)
    return found


class WatchTopics:
    """A validated set of watch topics; ``match`` tags one segmented text."""

    def __init__(self, topics: Iterable[_Topic]) -> None:
        self._topics = tuple(topics)
        terms = {
            term
            for topic in self._topics
            for term in (*topic.any_terms, *topic.all_terms, *topic.not_terms)
        }
        self._exact = _index(terms, folded=False)
        self._exact_only = _index((t for t in terms if t.exact_only), folded=False)
        self._folded = _index((t for t in terms if not t.exact_only), folded=True)

    @property
    def topics(self) -> dict[str, str]:
        """Topic key -> Vietnamese label, in file order."""
        return {topic.key: topic.label for topic in self._topics}

    @classmethod
    def load(cls, path: Path | None = None) -> WatchTopics:
        """Read and validate a topics file (default: nlp/topics.yaml)."""
        path = path or DEFAULT_TOPICS_PATH
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise TopicsError(f"{path}: not valid YAML: {error}") from error
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Any, source: str = "<topics>") -> WatchTopics:
        """Validate ``{"topics": {key: {label, any, all?, not?}}}``."""
        if not isinstance(data, Mapping) or set(data) != {"topics"}:
            raise TopicsError(f"{source}: expected one top-level key 'topics'")
        topics = data["topics"]
        if not isinstance(topics, Mapping) or not topics:
            raise TopicsError(f"{source}: 'topics' must be a non-empty mapping")
        return cls(_parse_topic(source, key, rule) for key, rule in topics.items())

    def match(
        self, segmented_text: str, has_diacritics: bool | None = None
    ) -> dict[str, list[str]]:
        """Topic key -> matched terms (their spelling in the file), for matching topics.

        ``has_diacritics`` picks the accent mode; None decides from the text itself.
        """
        exact = _exact_tokens(segmented_text)
        if not exact:
            return {}
        accented = has_diacritics if has_diacritics is not None else _accented(segmented_text)
        if accented:
            found = _find(exact, self._exact)
        else:
            folded = [_fold_token(token) for token in exact]
            found = _find(exact, self._exact_only) | _find(folded, self._folded)
        result: dict[str, list[str]] = {}
        if not found:
            return result
        for topic in self._topics:
            hits = [term.spelling for term in topic.any_terms if term in found]
            if (
                hits
                and all(term in found for term in topic.all_terms)
                and not any(term in found for term in topic.not_terms)
            ):
                result[topic.key] = hits + [term.spelling for term in topic.all_terms]
        return result


def _accented(text: str) -> bool:
    return has_diacritics(text)


def _parse_topic(source: str, key: Any, rule: Any) -> _Topic:
    where = f"{source}: topic {key!r}"
    if not isinstance(key, str) or not _KEY.match(key):
        raise TopicsError(f"{where}: keys are lower-case ASCII words joined by '_'")
    if not isinstance(rule, Mapping):
        raise TopicsError(f"{where}: expected a mapping with label and any")
    unknown = sorted(set(map(str, rule)) - _FIELDS)
    if unknown:
        raise TopicsError(f"{where}: unknown key(s) {unknown}; allowed: label, any, all, not")
    label = rule.get("label")
    if not isinstance(label, str) or not label.strip():
        raise TopicsError(f"{where}: 'label' must be a non-empty string")
    any_terms = _parse_terms(where, "any", rule.get("any"))
    if not any_terms:
        raise TopicsError(f"{where}: 'any' must list at least one term")
    return _Topic(
        key=key,
        label=label.strip(),
        any_terms=any_terms,
        all_terms=_parse_terms(where, "all", rule.get("all")),
        not_terms=_parse_terms(where, "not", rule.get("not")),
    )


def _parse_terms(where: str, field: str, raw: Any) -> tuple[_Term, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise TopicsError(f"{where}: '{field}' must be a list of terms")
    terms = []
    for item in raw:
        if not isinstance(item, str):
            raise TopicsError(f"{where}: '{field}' term {item!r} is not a string")
        exact_only = item.startswith("=")
        spelling = unicodedata.normalize("NFC", item.removeprefix("=")).strip()
        exact = tuple(_exact_tokens(spelling))
        folded = tuple(_fold_token(token) for token in exact)
        if not all(folded) or not any(token[0].isalnum() for token in folded):
            raise TopicsError(f"{where}: '{field}' term {item!r} is empty after folding")
        terms.append(_Term(spelling, exact, folded, exact_only))
    return tuple(terms)
