"""Salient terms of a document, for word clouds (the ``keywords`` field).

Candidates are the words of the segmented text (``thủ_tục`` -> ``thủ tục``) in lower case,
minus stop words (``nlp/stopwords.txt``), numbers, punctuation, emoji and the normaliser's
placeholders. Each is scored tf-idf, ``(1 + ln tf) * idf``, with document frequencies
counted over the training corpora (``models/keywords/idf.json.gz``, built by
``vnopinion train --task keywords``); a word the table never saw counts as the rarest seen.
Words of two or more syllables get a small boost (``COMPOUND_BOOST``): "giải phóng mặt bằng"
tells an officer more than "đất". Ties break alphabetically, so the output is stable.

Text typed without diacritics yields unaccented keywords ("thu tuc"); they are kept as
written rather than guessed.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from nlp.text import nfc

__all__ = [
    "ARTICLE_KEYWORDS",
    "COMMENT_KEYWORDS",
    "IdfTable",
    "KeywordExtractor",
    "keywords_path",
    "load_stopwords",
]

FORMAT = "vnopinion-keywords/1"
ARTICLE_KEYWORDS = 10
COMMENT_KEYWORDS = 5
COMPOUND_BOOST = 1.25
MIN_DF = 2  # terms seen in one training document only are left out of the table
STOPWORDS_PATH = Path(__file__).with_name("stopwords.txt")
_PLACEHOLDERS = frozenset({"url", "email", "@_user", "@user"})  # from nlp.normalize
_LETTER = re.compile(r"[^\W\d_]")
_EDGE_PUNCTUATION = "\"'“”‘’()[]{}<>«».,;:!?…-–—*#@/\\|"


def load_stopwords(path: Path = STOPWORDS_PATH) -> frozenset[str]:
    """Stop words, one per line; ``#`` starts a comment line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(nfc(line.strip().lower()) for line in lines if line.strip() and line[0] != "#")


def candidate_terms(segmented: str, stopwords: frozenset[str]) -> list[str]:
    """The words of a segmented text that may be keywords, in order, repeats included."""
    terms = []
    for token in nfc(segmented).lower().split():
        if token in _PLACEHOLDERS:
            continue
        term = token.replace("_", " ").strip(_EDGE_PUNCTUATION).strip()
        if (
            len(term) >= 2
            and term not in stopwords
            and _LETTER.search(term)
            and not any(ch.isdigit() for ch in term)
        ):
            terms.append(term)
    return terms


@dataclass(frozen=True)
class IdfTable:
    """Document frequencies of candidate terms over ``documents`` training documents."""

    version: str
    documents: int
    df: Mapping[str, int]

    @classmethod
    def count(
        cls, segmented_texts: Iterable[str], version: str, stopwords: frozenset[str]
    ) -> IdfTable:
        df: Counter[str] = Counter()
        documents = 0
        for text in segmented_texts:
            documents += 1
            df.update(set(candidate_terms(text, stopwords)))
        kept = {term: n for term, n in sorted(df.items()) if n >= MIN_DF}
        return cls(version=version, documents=documents, df=kept)

    def save(self, path: Path) -> None:
        """Gzipped JSON, byte-identical for the same table (sorted keys, no timestamp)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT,
            "version": self.version,
            "documents": self.documents,
            "df": dict(sorted(self.df.items())),
        }
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))

    @classmethod
    def load(cls, path: Path) -> IdfTable:
        payload = json.loads(gzip.decompress(path.read_bytes()))
        if payload.get("format") != FORMAT:
            raise ValueError(f"{path}: format {payload.get('format')!r} is not {FORMAT!r}")
        return cls(version=payload["version"], documents=payload["documents"], df=payload["df"])


def keywords_path(models_dir: Path) -> Path:
    return models_dir / "keywords" / "idf.json.gz"


class KeywordExtractor:
    """Scores a segmented text's candidate terms against an ``IdfTable``."""

    def __init__(self, table: IdfTable, stopwords: frozenset[str] | None = None) -> None:
        self.table = table
        self.version = table.version
        self.stopwords = stopwords if stopwords is not None else load_stopwords()
        self._unseen_idf = self._idf(1)

    @classmethod
    def load(cls, models_dir: Path) -> KeywordExtractor:
        path = keywords_path(models_dir)
        if not path.exists():
            raise FileNotFoundError(
                f"{path}: no keyword table; run `vnopinion train --task keywords`"
            )
        return cls(IdfTable.load(path))

    def _idf(self, df: int) -> float:
        return math.log((self.table.documents + 1) / (df + 1)) + 1.0

    def extract(self, segmented: str, limit: int = ARTICLE_KEYWORDS) -> list[str]:
        """At most ``limit`` terms, best first."""
        counts = Counter(candidate_terms(segmented, self.stopwords))
        if not counts:
            return []
        df = self.table.df
        scored = []
        for term, tf in counts.items():
            known = df.get(term)
            idf = self._idf(known) if known is not None else self._unseen_idf
            boost = COMPOUND_BOOST if " " in term else 1.0
            scored.append((-(1.0 + math.log(tf)) * idf * boost, term))
        scored.sort()
        return [term for _, term in scored[:limit]]
