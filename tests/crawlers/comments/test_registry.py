"""Adapters by name."""

from __future__ import annotations

import pytest

from crawlers.comments.registry import ADAPTERS, get_adapter


def test_every_site_has_its_adapter_under_its_name() -> None:
    assert sorted(ADAPTERS) == [
        "dantri", "thanhnien", "tindansinh", "tuoitre", "vietnamnet", "vnexpress", "voz"
    ]  # fmt: skip
    for name, adapter in ADAPTERS.items():
        assert adapter.name == name
        assert get_adapter(name) is adapter


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no comment adapter named 'zing'.*dantri, thanhnien"):
        get_adapter("zing")
