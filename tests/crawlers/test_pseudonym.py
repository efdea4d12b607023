from __future__ import annotations

import stat
import unicodedata
from pathlib import Path

import pytest

from crawlers.pseudonym import (
    KEY_FILE,
    Pseudonymizer,
    load_keyring,
    load_or_create_key,
    rotate_key,
)
from indexer.errors import VnopinionError
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


def test_rotation_gives_the_same_commenter_a_new_id_and_keeps_old_keys(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    before = Pseudonymizer(load_or_create_key(settings)).author_id("vnexpress.net", "Bác Tư")
    ring = rotate_key(settings)
    after = Pseudonymizer(load_or_create_key(settings)).author_id("vnexpress.net", "Bác Tư")
    assert ring.version == 2
    assert after != before
    assert Pseudonymizer(load_keyring(settings).keys[1]).author_id("vnexpress.net", "Bác Tư") == (
        before
    )  # the old key is kept: ids already indexed can still be recomputed
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    assert rotate_key(settings).version == 3


def test_a_key_file_from_before_rotation_is_version_one(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("ab" * 32 + "\n")
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert load_keyring(settings).keys == {1: bytes.fromhex("ab" * 32)}
    assert sorted(rotate_key(settings).keys) == [1, 2]


def test_rotation_refuses_a_configured_key(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, pseudonym_key="x" * 32)  # type: ignore[call-arg]
    with pytest.raises(VnopinionError, match="VNOPINION_PSEUDONYM_KEY"):
        rotate_key(settings)


def test_cli_rotate_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from vnopinion.cli import main

    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    env = {"VNOPINION_DATA_DIR": str(tmp_path), "VNOPINION_PSEUDONYM_KEY": ""}
    result = CliRunner().invoke(main, ["privacy", "rotate-key"], env=env)
    assert result.exit_code == 0, result.output
    assert "version 2 is now in use" in result.output
    assert "new author_id" in result.output
