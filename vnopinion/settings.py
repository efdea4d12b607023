"""All configuration in one place.

Built once at an entry point (the CLI, ``create_app``, a test fixture) and passed down.
Library code never reads ``os.environ``; it receives a ``Settings`` or plain arguments.
This module imports nothing from the project, so every package may depend on it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ES_VERSION = "8.19.21"


def _default_data_dir() -> Path:
    # As root the node runs as a system user, who cannot enter /root: use the FHS place.
    if os.geteuid() == 0:
        return Path("/var/lib/vnopinion")
    xdg = os.environ.get("XDG_DATA_HOME")
    return Path(xdg) / "vnopinion" if xdg else Path.home() / ".local/share/vnopinion"


def _default_cache_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/cache/vnopinion")
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "vnopinion" if xdg else Path.home() / ".cache/vnopinion"


def _default_models_dir() -> Path:
    # models/ sits beside the packages in a checkout (and an editable install).
    return Path(__file__).resolve().parents[1] / "models"


class Settings(BaseSettings):
    """vnopinion settings; every field can be set as ``VNOPINION_<NAME>`` or in ``.env``."""

    # Inputs stay out of error messages: some settings are secrets (passwords, keys, a
    # webhook URL with its token); validators name the setting and say what is expected.
    model_config = SettingsConfigDict(
        env_prefix="VNOPINION_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        hide_input_in_errors=True,
    )

    # Elasticsearch: where the client connects, and how the local node is run.
    es_url: str = Field(
        "http://127.0.0.1:9200",
        description="Elasticsearch HTTP endpoint, or a cluster's nodes separated by commas",
    )
    es_username: str = "elastic"
    es_password: SecretStr | None = Field(None, description="basic-auth password, if any")
    es_security: bool = Field(False, description="run the local node with security on")
    es_version: str = ES_VERSION
    es_heap: str = Field("1g", pattern=r"^\d+[mg]$")
    es_java_home: Path | None = Field(None, description="Java 17+ home; found if unset")
    es_system_user: str = Field("vnopinion-es", description="runs the node when we are root")
    es_start_timeout_s: float = 180.0
    es_request_timeout_s: float = 30.0

    # Files.
    data_dir: Path = Field(default_factory=_default_data_dir)
    cache_dir: Path = Field(default_factory=_default_cache_dir)

    # Models (trained here; see models/*/MODEL_CARD.md).
    models_dir: Path = Field(default_factory=_default_models_dir)
    datasets_dir: Path = Field(
        default_factory=lambda: _default_models_dir().parents[1] / "shared" / "datasets",
        description="labelled train/dev splits used by `vnopinion train` (read in place)",
    )
    nlp_backend: Literal["linear", "transformer"] = Field(
        "linear",
        description="sentiment/toxicity models that tagging and `eval` load: linear (default "
        "install) or transformer (the extra vnopinion[transformer], a fine-tuned checkpoint)",
    )
    nlp_entities: bool = Field(True, description="run NER (the slowest tagger) on documents")
    nlp_workers: int = Field(0, ge=0, description="tagging processes; 0 = one per core")

    # Index.
    index_alias: str = "vnopinion-docs"
    bulk_chunk_size: int = Field(500, ge=1, le=10_000)

    # Services.
    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=1, le=65535)
    api_workers: int = Field(
        1, ge=1, le=64, description="API processes (`vnopinion serve`); each reads the settings"
    )
    demo_site_port: int = Field(8765, ge=1, le=65535)

    # API security (README "Security"): keys with roles, login sessions, limits, CORS, audit.
    api_auth: bool = Field(True, description="require an API key or a login session")
    api_session_secret: SecretStr | None = Field(
        None, description="signs login cookies; generated in data_dir if unset"
    )
    api_session_hours: float = Field(12.0, gt=0, le=24 * 30)
    api_rate_limit_per_minute: int = Field(
        300, ge=0, description="requests per key (per IP when anonymous); 0 = no limit"
    )
    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="origins allowed to call the API from a browser"
    )
    api_audit_log: Path | None = Field(
        None, description="JSON Lines audit log; default <data_dir>/audit.jsonl"
    )

    # Crawling: sites see who we are and how to reach us.
    crawl_contact: str = Field(
        "https://github.com/vnopinion/vnopinion",
        description="contact URL or e-mail put in the crawler's User-Agent",
    )
    # Scale-out: crawler processes share one frontier in Redis (crawlers/frontier.py).
    crawl_frontier: SecretStr | None = Field(
        None,
        description="Redis URL (redis://host:6379/0) of a frontier shared by several crawler "
        "processes; unset = each process schedules its own requests (it may hold a password)",
    )
    crawl_frontier_key: str = Field(
        "vnopinion", pattern=r"^[A-Za-z0-9_.-]+$", description="prefix of the frontier's keys"
    )

    # Privacy (Decree 13/2023/NĐ-CP): commenters are indexed under a keyed pseudonym.
    pseudonym_key: SecretStr | None = Field(
        None, description="secret for author pseudonyms; generated in data_dir if unset"
    )
    keep_author_names: bool = Field(False, description="also index commenters' raw names")
    retention_months: int = Field(
        0, ge=0, description="`privacy retention` drops monthly indices older; 0 = keep all"
    )

    # Alerts (`vnopinion alerts`): each new spike goes once to the log and once to the webhook.
    monitor_index: str = Field(
        "vnopinion-monitor", description="where the monitor publishes source health and metrics"
    )
    alerts_webhook_url: SecretStr | None = Field(
        None, description="POST each new spike as JSON here (it may carry a token: kept secret)"
    )
    alerts_log: Path | None = Field(
        None, description="JSON Lines log of alerts; default <data_dir>/alerts.jsonl"
    )
    alerts_webhook_timeout_s: float = Field(10.0, gt=0, le=300)

    # The weekly report's PDF is printed by headless Chromium (Debian package `chromium`).
    chromium: Path | None = Field(None, description="Chromium executable; found on PATH if unset")

    @field_validator("es_url")
    @classmethod
    def _check_es_url(cls, value: str) -> str:
        urls = [u.strip().rstrip("/") for u in value.split(",")]
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    f"es_url must look like http://host:port (several: comma-separated), "
                    f"got {value!r}"
                )
        return ",".join(urls)

    @field_validator("crawl_frontier")
    @classmethod
    def _check_frontier(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        if urlsplit(value.get_secret_value()).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("crawl_frontier must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("alerts_webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("alerts_webhook_url must be an http:// or https:// URL")
        return value

    @field_validator("api_cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        # From the environment: "https://a.vn,https://b.vn" (or a JSON list).
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip().rstrip("/") for part in text.split(",") if part.strip()]
        return value

    @field_validator("es_password", "pseudonym_key", "alerts_webhook_url",
                     "api_session_secret", "crawl_frontier", mode="before")  # fmt: skip
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def es_hosts(self) -> list[str]:
        """The nodes the client connects to (it spreads requests and fails over among them)."""
        return self.es_url.split(",")

    @property
    def es_port(self) -> int:
        """HTTP port of the first ``es_url`` (the local node listens there)."""
        parts = urlsplit(self.es_hosts[0])
        return parts.port or (443 if parts.scheme == "https" else 9200)

    @property
    def es_transport_port(self) -> int:
        """Node-to-node port of the local node: the HTTP port plus 100, as ES does by default."""
        return self.es_port + 100

    @property
    def es_node_dir(self) -> Path:
        """Config, data and logs of the local node (one node per port)."""
        return self.data_dir / f"es-node-{self.es_port}"

    @property
    def spool_dir(self) -> Path:
        """Documents Elasticsearch could not take yet (indexer/spool.py)."""
        return self.data_dir / "spool"

    @property
    def alerts_log_path(self) -> Path:
        return self.alerts_log or self.data_dir / "alerts.jsonl"

    @property
    def alerts_state_path(self) -> Path:
        """Which spike went to which channel (SQLite)."""
        return self.data_dir / "alerts-state.sqlite"

    @property
    def api_audit_log_path(self) -> Path:
        return self.api_audit_log or self.data_dir / "audit.jsonl"

    @property
    def api_keys_index(self) -> str:
        """API keys live in an index of their own, outside the template's ``<alias>-*``."""
        return f"{self.index_alias}.apikeys"

    @property
    def corrections_index(self) -> str:
        """Analysts' corrections (indexer/corrections.py), beside the keys' index."""
        return f"{self.index_alias}.corrections"

    @property
    def es_basic_auth(self) -> tuple[str, str] | None:
        if self.es_password is None:
            return None
        return (self.es_username, self.es_password.get_secret_value())
