"""What ``vnopinion crawl`` reports from its crawlers' stats."""

from __future__ import annotations

from crawlers.run import FAILURE_STAT, CrawlReport, crawl_failure


def test_a_failed_crawler_counts_as_an_error_and_says_so() -> None:
    ran = {"finish_reason": "finished", "vnopinion/fetched/article": 3,
           "vnopinion/indexed/created": 3, "response_received_count": 4}  # fmt: skip
    failed = {FAILURE_STAT: "OperationalError: unable to open database file"}
    report = CrawlReport.from_stats([ran, failed])
    assert report.finish_reasons == ("finished", "failed")
    assert report.errors == 1  # `vnopinion crawl` exits 1
    assert (report.articles, report.created, report.responses) == (3, 3, 4)
    assert CrawlReport.from_stats([ran]).errors == 0


def test_crawl_failure_reads_the_mark_or_a_missing_finish() -> None:
    assert crawl_failure({"finish_reason": "finished"}) is None
    assert crawl_failure({FAILURE_STAT: "OSError: x", "finish_reason": "shutdown"}) == "OSError: x"
    assert "never finished" in (crawl_failure({}) or "")
