"""Comment adapters on saved responses (../shared) and on responses we wrote (tests/fixtures)."""

from __future__ import annotations

from pathlib import Path

OWN_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "comments"


def own_fixture(name: str) -> Path:
    """A response we wrote ourselves, under tests/fixtures/comments (see its README)."""
    path = OWN_FIXTURES / name
    if not path.is_file():
        raise FileNotFoundError(path)
    return path
