"""Tag and store what a cycle's crawl journaled, with models the monitor loads once.

The crawl process runs with the journal deferred (``VNOPINION_JOURNAL_DEFER``): it fetches,
makes each document durable in the journal and records its article as fetched, then exits.
Loading the taggers' models takes longer than a small cycle's crawl, so the monitor keeps one
``Tagger`` for its whole life and stores the journal after every cycle (and at start-up, for
what a killed monitor left): near-duplicate marks, tags, Elasticsearch with the spool behind
it, then the journal entries are acknowledged (``crawlers.journal.replay``).

The counts come back per source so that a source's outcome says how many of its documents
were stored, indexed or spooled.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from crawlers.items import FetchedArticle
from crawlers.journal import JournalItem, default_journal_dir, replay, segments
from crawlers.monitor.model import SourceOutcome
from crawlers.pipeline import StandaloneStore
from crawlers.sources import Source
from nlp.tagger import Tagger
from vnopinion.settings import Settings

__all__ = ["Ingest", "IngestCounts"]

log = logging.getLogger(__name__)


@dataclass
class IngestCounts:
    """One source's documents taken from the journal in one pass."""

    stored: int = 0  # indexed or spooled
    indexed: int = 0
    spooled: int = 0
    failed: int = 0  # not stored: they stay in the journal for the next pass

    def add_to(self, outcome: SourceOutcome) -> None:
        outcome.stored += self.stored
        outcome.indexed += self.indexed
        outcome.spooled += self.spooled
        outcome.failed += self.failed


@dataclass
class IngestReport:
    by_source: dict[str, IngestCounts] = field(default_factory=dict)
    torn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return sum(c.stored for c in self.by_source.values())


class Ingest:
    """Stores the journal of ``settings``' data directory; the tagger loads on first need."""

    def __init__(self, settings: Settings, sources: Mapping[str, Source]) -> None:
        self.settings = settings
        self.journal_dir = default_journal_dir(settings)
        # Documents name their source by its first domain; fetched articles by its key.
        self._keys = {source.domains[0]: key for key, source in sources.items()}
        self._tagger: Tagger | None = None

    @property
    def model_version(self) -> str | None:
        return self._tagger.model_version if self._tagger is not None else None

    def start(self) -> None:
        """Load the models now (the monitor does at start-up, outside any cycle)."""
        if self._tagger is None:
            s = self.settings
            tagger = Tagger(
                s.models_dir, workers=s.nlp_workers, entities=s.nlp_entities, backend=s.nlp_backend
            )
            tagger.start()
            self._tagger = tagger

    def close(self) -> None:
        if self._tagger is not None:
            self._tagger.close()
            self._tagger = None

    def __call__(self) -> IngestReport:
        """Store every journaled document not yet stored; what fails stays for next time."""
        report = IngestReport()
        if not segments(self.journal_dir):
            return report
        self.start()
        with StandaloneStore(self.settings, self._tagger) as store:

            def store_chunk(items: list[JournalItem]) -> bool:
                before = store.counts.get("spooled", 0)
                stored = store.store_items(items)
                spooled = store.counts.get("spooled", 0) - before
                for key, count in Counter(self._source_of(item) for item in items).items():
                    counts = report.by_source.setdefault(key, IngestCounts())
                    if not stored:
                        counts.failed += count
                        continue
                    counts.stored += count
                    # A chunk is indexed or spooled as a whole (the spool takes what the
                    # bulk request could not place), so attribute by the chunk's share.
                    share = min(count, round(spooled * count / len(items)))
                    counts.spooled += share
                    counts.indexed += count - share
                return stored

            replayed = replay(self.journal_dir, store_chunk, self.settings.bulk_chunk_size)
        report.torn, report.errors = replayed.torn, replayed.errors  # replay logs its summary
        return report

    def _source_of(self, item: JournalItem) -> str:
        if isinstance(item, FetchedArticle):
            return item.source_key
        return self._keys.get(item.source, item.source)
