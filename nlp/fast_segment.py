"""underthesea's word segmentation with its CRF scored in Python: the same output, faster.

``underthesea.word_tokenize`` spends most of its time turning every token into 43 feature
strings (``underthesea_core.CRFFeaturizer``) that the Rust ``CRFTagger`` then looks up one by
one. Here the same model file (a CRFsuite ``models.bin``) is read once into a dict from
attribute string to per-label weight, and the score a template group gives a position is
memoised per token n-gram: a token, a pair or a triple seen before costs one dict lookup
instead of a dozen string builds. The 2-label Viterbi then follows the Rust tagger's rules
(strict ``>``, the first label wins a tie).

Identical by construction where it can be: underthesea's own regex ``tokenize`` splits the
text, and a token's ``lower``/``istitle``/``isdigit`` come from underthesea_core's featurizer
itself (once per distinct token), so Unicode edge cases follow Rust's rules, not Python's.
What remains is the floating-point order of the weight sums, checked by the equality test
over every train and dev text of ../shared/datasets (README "Tagging").

If the model is not what this reader expects (file format, an unknown feature template) or a
self-check against ``word_tokenize`` disagrees, ``load_segmenter`` logs a warning and returns
underthesea itself.
"""

from __future__ import annotations

import itertools
import logging
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlp.crfsuite import CrfModel, UnsupportedModelError, read_crfsuite

__all__ = ["FastSegmenter", "TemplateWeights", "load_segmenter", "underthesea_segment"]

log = logging.getLogger(__name__)

MODEL_NAME = "ws_crf_vlsp2013_20230727"
CACHE_LIMIT = 300_000  # entries per n-gram cache; a full cache is emptied and refilled
TEMPLATE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(lower|isdigit|istitle|is_in_dict))?")
SELF_CHECK = (
    "Bác sĩ bây giờ có thể thản nhiên báo tin bệnh nhân bị ung thư",
    "Người dân phường Hạc Thành, Thanh Hóa phản ánh thủ tục chậm 2,5 tháng!!! 😡",
    "ĐỀN BÙ GIẢI PHÓNG MẶT BẰNG ở Hà Nội -12 +7 2147483648 ΣΑΣ İstanbul",
)

Weight = tuple[int, float, float]  # (group or shift, weight of label 0, weight of label 1)
Contribution = tuple[Weight, ...]  # (shift, w0, w1), by shift
TokenInfo = tuple[str, bool, bool]  # lower, istitle, isdigit as underthesea_core computes them
Token = tuple[str, bool, bool, Contribution]  # TokenInfo and what the token's templates give


@dataclass(frozen=True)
class TemplateGroup:
    """Templates over the same tokens: ``T[o1]`` or ``T[o1,o1+length-1]``, each with a function."""

    offset: int
    length: int
    templates: tuple[tuple[str, str | None], ...]  # (syntax, function)


def group_templates(templates: list[str]) -> list[TemplateGroup]:
    groups: dict[tuple[int, int], list[tuple[str, str | None]]] = {}
    for syntax in templates:
        match = TEMPLATE.fullmatch(syntax)
        if match is None:
            raise UnsupportedModelError(f"unknown feature template {syntax!r}")
        first = int(match[1])
        last = int(match[2]) if match[2] is not None else first
        if last < first or last - first > 2:
            raise UnsupportedModelError(f"feature template {syntax!r} spans an unexpected window")
        groups.setdefault((first, last - first + 1), []).append((syntax, match[3]))
    return [TemplateGroup(o, n, tuple(t)) for (o, n), t in sorted(groups.items())]


class TemplateWeights:
    """The model's state weights arranged by template group, for scoring n-grams directly.

    Per n-gram length: value -> weights for the plain and the ``lower`` templates, and for each
    combination of the boolean functions (istitle, isdigit, is_in_dict) the weights they give.
    Weights come as a ``Contribution``: (shift, w0, w1) where ``shift`` places a group's weight
    in the padded emission lists relative to the n-gram's first token (pad - offset).
    """

    def __init__(self, model: CrfModel, groups: list[TemplateGroup]) -> None:
        self.model = model
        self.groups = groups
        self.lengths = sorted({g.length for g in groups})
        self.pad = max(abs(g.offset) for g in groups) + max(self.lengths)
        where = {syntax: (gi, function) for gi, g in enumerate(groups)
                 for syntax, function in g.templates}  # fmt: skip
        text: dict[tuple[int, str | None], dict[str, list[Weight]]] = {
            (length, function): {} for length in self.lengths for function in (None, "lower")
        }
        flags: dict[tuple[int, str, str], tuple[float, float]] = {}
        for attribute, (w0, w1) in model.state.items():
            syntax, _, value = attribute.partition("=")
            gi, function = where.get(syntax, (-1, None))
            if gi < 0:
                continue
            if function in (None, "lower"):
                text[groups[gi].length, function].setdefault(value, []).append((gi, w0, w1))
            elif value in ("True", "False"):
                flags[gi, function or "", value] = (w0, w1)
        self.text = {
            key: {value: self._by_shift(found) for value, found in table.items()}
            for key, table in text.items()
        }
        self.flags = {
            (length, *values): self._by_shift(self._flag_weights(flags, length, *values))
            for length in self.lengths for values in itertools.product((False, True), repeat=3)
        }  # fmt: skip
        self._bounds: dict[int, list[Weight]] = {}

    def _by_shift(self, found: list[Weight]) -> Contribution:
        summed: dict[int, list[float]] = {}
        for gi, w0, w1 in found:
            weights = summed.setdefault(self.pad - self.groups[gi].offset, [0.0, 0.0])
            weights[0] += w0
            weights[1] += w1
        return tuple((shift, w[0], w[1]) for shift, w in sorted(summed.items()) if w[0] or w[1])

    def _flag_weights(
        self, flags: dict[tuple[int, str, str], tuple[float, float]], length: int, *values: bool
    ) -> list[Weight]:
        out = []
        for gi in (gi for gi, group in enumerate(self.groups) if group.length == length):
            for function, value in zip(("istitle", "isdigit", "is_in_dict"), values, strict=True):
                weights = flags.get((gi, function, str(value)))
                if weights is not None:
                    out.append((gi, *weights))
        return out

    def ngram(
        self, length: int, raw: str, lower: str, title: bool, digit: bool, in_dict: bool
    ) -> Contribution:
        """What one in-sentence n-gram of ``length`` tokens gives, by shift."""
        found = [
            *self.text[length, None].get(raw, ()),
            *self.text[length, "lower"].get(lower, ()),
            *self.flags[length, title, digit, in_dict],
        ]
        summed: dict[int, list[float]] = {}
        for shift, w0, w1 in found:
            weights = summed.setdefault(shift, [0.0, 0.0])
            weights[0] += w0
            weights[1] += w1
        return tuple((shift, w[0], w[1]) for shift, w in sorted(summed.items()))

    def boundary(self, n: int) -> list[Weight]:
        """BOS/EOS weights of the positions whose window leaves a sentence of ``n`` tokens."""
        bounds = self._bounds.get(n)
        if bounds is None:
            bounds = []
            lead = max(0, *(-g.offset for g in self.groups))
            tail = max(0, *(g.offset + g.length - 1 for g in self.groups))
            for i in sorted({*range(min(n, lead)), *range(max(0, n - tail), n)}):
                found = []
                for group in self.groups:
                    if i + group.offset < 0:
                        found += [f"{syntax}=BOS" for syntax, _ in group.templates]
                    elif i + group.offset + group.length > n:
                        found += [f"{syntax}=EOS" for syntax, _ in group.templates]
                if found:
                    bounds.append((i, *self._sum(found)))
            if len(self._bounds) < 10_000:
                self._bounds[n] = bounds
        return bounds

    def _sum(self, attributes: list[str]) -> tuple[float, float]:
        w0 = w1 = 0.0
        for attribute in attributes:
            weights = self.model.state.get(attribute)
            if weights is not None:
                w0 += weights[0]
                w1 += weights[1]
        return w0, w1


class _UnscorableError(ValueError):
    """A token underthesea_core would fail on (an empty part): underthesea itself decides."""


class FastSegmenter:
    """``segment(text)`` equals ``word_tokenize(text, format="text")``; one per process."""

    def __init__(
        self,
        model: CrfModel,
        templates: list[str],
        dictionary: set[str],
        token_info: Callable[[str], TokenInfo],
        tokenize: Callable[[str], list[str]],
    ) -> None:
        if set(model.labels) != {"B-W", "I-W"}:
            raise UnsupportedModelError(f"labels {model.labels} are not B-W/I-W")
        self.model = model
        self.inside = model.labels.index("I-W")
        self.weights = TemplateWeights(model, group_templates(templates))
        self.dictionary = dictionary
        self.token_info = token_info
        self.tokenize = tokenize
        self._tokens: dict[str, Token] = {}

    def segment(self, text: str) -> str:
        tokens = self.tokenize(text)
        if not tokens:
            return ""
        labels = self.viterbi(*self.emissions(tokens))
        words: list[str] = []
        for label, token in zip(labels, tokens, strict=True):
            if label == self.inside and words:
                words[-1] = words[-1] + " " + token
            else:
                words.append(token)
        return " ".join(word.replace(" ", "_") for word in words)

    def emissions(self, tokens: list[str]) -> tuple[list[float], list[float]]:
        """Per position, the summed state weights of label 0 and label 1.

        A token's own templates are cached with the token; pairs and triples are scored on
        the spot (most never repeat): two dict lookups and a dictionary test each. The lists
        are padded so that an n-gram near an edge can write past it; BOS/EOS come from
        ``boundary``.
        """
        n, pad = len(tokens), self.weights.pad
        first = [0.0] * (n + 2 * pad)
        second = [0.0] * (n + 2 * pad)
        for i, w0, w1 in self.weights.boundary(n):
            first[i + pad] += w0
            second[i + pad] += w1
        known = self._tokens
        infos = [known.get(t) or self._token(t) for t in tokens]
        for j, info in enumerate(infos):
            for shift, w0, w1 in info[3]:
                first[j + shift] += w0
                second[j + shift] += w1
        lowers = [info[0] for info in infos]
        titles = [info[1] for info in infos]
        for length in self.weights.lengths[1:]:
            raw_table = self.weights.text[length, None]
            lower_table = self.weights.text[length, "lower"]
            flags = self.weights.flags
            for j in range(n - length + 1):
                lower = " ".join(lowers[j : j + length])
                found = flags[length, all(titles[j : j + length]), False, lower in self.dictionary]
                for shift, w0, w1 in found:
                    first[j + shift] += w0
                    second[j + shift] += w1
                for table, value in ((lower_table, lower), (raw_table, None)):
                    found = table.get(value or " ".join(tokens[j : j + length]), ())
                    for shift, w0, w1 in found:
                        first[j + shift] += w0
                        second[j + shift] += w1
        return first[pad : pad + n], second[pad : pad + n]

    def viterbi(self, first: list[float], second: list[float]) -> list[int]:
        """underthesea_core's decoding for two labels: strict ``>``, label 0 wins a tie."""
        (t00, t01), (t10, t11) = self.model.transitions
        s0, s1 = first[0], second[0]
        back: list[tuple[int, int]] = []
        for e0, e1 in zip(first[1:], second[1:], strict=True):
            a, b = s0 + t00, s1 + t10
            n0, p0 = (b + e0, 1) if b > a else (a + e0, 0)
            a, b = s0 + t01, s1 + t11
            n1, p1 = (b + e1, 1) if b > a else (a + e1, 0)
            s0, s1 = n0, n1
            back.append((p0, p1))
        label = 1 if s1 > s0 else 0
        labels = [label]
        for pointers in reversed(back):
            label = pointers[label]
            labels.append(label)
        labels.reverse()
        return labels

    def _token(self, token: str) -> Token:
        """underthesea_core's lower/istitle/isdigit of a token, and what its templates give."""
        if "" in token.split(" "):
            raise _UnscorableError(token)
        lower, title, digit = self.token_info(token)
        own = self.weights.ngram(1, token, lower, title, digit, lower in self.dictionary)
        if len(self._tokens) > CACHE_LIMIT:
            self._tokens.clear()
        info = self._tokens[token] = (lower, title, digit, own)
        return info


def _rust_token_info(dictionary: set[str]) -> Callable[[str], TokenInfo]:
    """A token's lower/istitle/isdigit from underthesea_core's own featurizer."""
    from underthesea_core import CRFFeaturizer

    featurizer = CRFFeaturizer(["T[0].lower", "T[0].istitle", "T[0].isdigit"], set())

    def token_info(token: str) -> TokenInfo:
        lower, title, digit = featurizer.process([[[token]]])[0][0]
        return lower[len("T[0].lower=") :], title.endswith("=True"), digit.endswith("=True")

    return token_info


def _underthesea_model() -> tuple[CrfModel, list[str], set[str]]:
    import joblib
    import underthesea.pipeline.word_tokenize as word_tokenize_module

    folder = Path(word_tokenize_module.__file__).parent / "models" / MODEL_NAME
    templates = joblib.load(folder / "features.bin")
    dictionary = joblib.load(folder / "dictionary.bin")
    if not isinstance(templates, list) or not isinstance(dictionary, set):
        raise UnsupportedModelError(f"{folder}: features.bin or dictionary.bin changed shape")
    return read_crfsuite(folder / "models.bin"), templates, dictionary


def underthesea_segment(text: str) -> str:
    from underthesea import word_tokenize

    return str(word_tokenize(text, format="text"))


def _whole_match_groups(patterns: list[str], flags: int) -> bool:
    """True when every alternative is one named group around all of it, so that the first
    named group that matched (underthesea's ``extract_match``) is the whole match."""
    import re._constants
    import re._parser

    for pattern in patterns:
        parsed = re._parser.parse(pattern, flags)
        if len(parsed.data) != 1 or parsed.data[0][0] is not re._constants.SUBPATTERN:
            return False
        if parsed.data[0][1][0] not in parsed.state.groupdict.values():
            return False
    return True


def underthesea_tokenizer() -> Callable[[str], list[str]]:
    """underthesea's regex ``tokenize`` (as ``word_tokenize`` calls it), with a memo for the
    per-token normalisation and ``m.group(0)`` for ``extract_match`` where that is provably
    the same; otherwise underthesea's function itself."""
    from underthesea.pipeline.word_tokenize import regex_tokenize as rt

    def plain(text: str) -> list[str]:
        return list(rt.tokenize(text, use_token_normalize=True, fixed_words=[]))

    try:
        same = _whole_match_groups(rt.regex_patterns, re.VERBOSE | re.UNICODE)
    except (AttributeError, ImportError, re.error) as error:  # a Python without re._parser
        log.warning("underthesea's tokenize runs unmodified: %s", error)
        return plain
    if not same:
        log.warning("underthesea's token patterns changed shape: its tokenize runs unmodified")
        return plain
    normalized: dict[str, str] = {}

    def tokenize(text: str) -> list[str]:
        tokens = []
        for match in rt.patterns.finditer(rt.normalize_characters_in_text(text)):
            token = match.group(0)
            if len(token) > 6:  # token_normalize returns longer tokens unchanged
                tokens.append(token)
                continue
            done = normalized.get(token)
            if done is None:
                if len(normalized) > CACHE_LIMIT:
                    normalized.clear()
                done = normalized[token] = rt.token_normalize(token)
            tokens.append(done)
        return tokens

    return tokenize


def load_segmenter() -> Callable[[str], str]:
    """The fast segmenter when it reproduces underthesea on a self-check, else underthesea."""
    try:
        model, templates, dictionary = _underthesea_model()
        fast = FastSegmenter(
            model,
            templates,
            dictionary,
            _rust_token_info(dictionary),
            underthesea_tokenizer(),
        )
        for text in SELF_CHECK:
            if fast.segment(text) != underthesea_segment(text):
                raise UnsupportedModelError(f"self-check differs from word_tokenize on {text!r}")
    except (UnsupportedModelError, OSError, ImportError, struct.error) as error:
        log.warning("fast segmentation is off, underthesea segments instead: %s", error)
        return underthesea_segment

    def segment(text: str) -> str:
        try:
            return fast.segment(text)
        except _UnscorableError:
            return underthesea_segment(text)

    return segment
