from __future__ import annotations

import stat
import unicodedata
from pathlib import Path

from crawlers.pseudonym import KEY_FILE, Pseudonymizer, load_or_create_key
from vnopinion.settings import Settings


def test_same_name_same_site_same_id_and_keyed() -> None:
    first = Pseudonymizer(b"a" * 32)
    again = Pseudonymizer(b"a" * 32)
    other_key = Pseudonymizer(b"b" * 32)
    name = "Nguyễn Văn An"
    assert first.author_id("vnexpress.net", name) == again.author_id("vnexpress.net", name)
    assert first.author_id("vnexpress.net", name) != other_key.author_id("vnexpress.net", name)
    assert first.author_id("vnexpress.net", name) != first.author_id("dantri.com.vn", name)
    nfd = unicodedata.normalize("NFD", name)
    assert first.author_id("vnexpress.net", nfd) == first.author_id("vnexpress.net", name)


def test_key_is_generated_once_and_private(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    key = load_or_create_key(settings)
    assert len(key) == 32
    assert load_or_create_key(settings) == key
    mode = stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_configured_key_wins(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, pseudonym_key="x" * 32)  # type: ignore[call-arg]
    assert load_or_create_key(settings) == b"x" * 32
    assert not (tmp_path / KEY_FILE).exists()
