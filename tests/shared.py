"""Files from ../shared are read in place, never copied into the project.

Under CI=true a missing ../shared fails loudly; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SITES = SHARED / "fixtures" / "sites"


def shared_file(*parts: str) -> Path:
    """The path of a file under ../shared, or fail (CI) / skip (elsewhere) when it is absent."""
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    reason = f"{path} is missing: the shared fixtures must sit beside the checkout (../shared)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def site_fixture(site: str, name: str) -> Path:
    """A saved page or response under ../shared/fixtures/sites/<site>/<name>."""
    return shared_file("fixtures", "sites", site, name)
