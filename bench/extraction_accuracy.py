"""Article extraction accuracy: fields right / fields checked, per field, on the saved pages.

    python bench/extraction_accuracy.py [--ours]

The expected values live once, in the fundus-style test (tests/crawlers/extract/
test_article_pages.py), read off each page by hand; this prints how many the extractor gets
right with the site selectors of crawlers/sources.yaml and with the generic extraction alone.
``--ours`` adds the pages we wrote for sites with no saved page. Needs ../shared beside the
checkout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The expected values are the test's; import them from the checkout, as pytest does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.crawlers.extract.test_article_pages import (
    FIELDS,
    OUR_PAGES,
    SAVED_PAGES,
    field_score,
)


def report(label: str, score: dict[str, tuple[int, int]]) -> None:
    right = sum(r for r, _ in score.values())
    checked = sum(c for _, c in score.values())
    print(f"{label}: {right}/{checked} fields right ({right / checked:.1%})")
    print("    " + "  ".join(f"{f} {score[f][0]}/{score[f][1]}" for f in FIELDS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", action="store_true", help="add the pages we wrote")
    args = parser.parse_args()
    pages = SAVED_PAGES + (OUR_PAGES if args.ours else [])
    print(f"{len(pages)} article pages, {len(FIELDS)} fields each")
    report("with site selectors", field_score(pages))
    report("generic extraction only", field_score(pages, generic_only=True))


if __name__ == "__main__":
    main()
