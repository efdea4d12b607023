from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from vnopinion.settings import Settings


def test_environment_prefix_and_derived_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VNOPINION_ES_URL", "http://127.0.0.1:9350/")
    monkeypatch.setenv("VNOPINION_ES_PASSWORD", "pw-123456")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.es_url == "http://127.0.0.1:9350"
    assert settings.es_port == 9350
    assert settings.es_transport_port == 9450
    assert settings.es_basic_auth == ("elastic", "pw-123456")
    assert "pw-123456" not in repr(settings)


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("VNOPINION_INDEX_ALIAS=from-dotenv\nOTHER_TOOL_SETTING=1\n")
    assert Settings(_env_file=env_file).index_alias == "from-dotenv"  # type: ignore[call-arg]


def test_empty_password_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VNOPINION_ES_PASSWORD", "")
    assert Settings(_env_file=None).es_basic_auth is None  # type: ignore[call-arg]


@pytest.mark.parametrize("url", ["localhost:9200", "ftp://x:1", "http://"])
def test_bad_es_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="es_url"):
        Settings(_env_file=None, es_url=url)  # type: ignore[call-arg]


def test_a_cluster_is_several_comma_separated_nodes() -> None:
    settings = Settings(_env_file=None, es_url="http://es1:9200/, https://es2:9201")  # type: ignore[call-arg]
    assert settings.es_hosts == ["http://es1:9200", "https://es2:9201"]
    assert settings.es_port == 9200  # the local node, if any, is the first
    with pytest.raises(ValidationError, match="es_url"):
        Settings(_env_file=None, es_url="http://es1:9200,es2:9200")  # type: ignore[call-arg]


def test_crawl_frontier_is_a_secret_redis_url() -> None:
    url = "redis://:s3cret-pw@10.0.0.5:6379/0"
    settings = Settings(_env_file=None, crawl_frontier=url)  # type: ignore[call-arg]
    assert settings.crawl_frontier is not None
    assert settings.crawl_frontier.get_secret_value() == url
    assert "s3cret-pw" not in repr(settings)
    assert Settings(_env_file=None, crawl_frontier="").crawl_frontier is None  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="crawl_frontier"):
        Settings(_env_file=None, crawl_frontier="http://10.0.0.5:6379")  # type: ignore[call-arg]
