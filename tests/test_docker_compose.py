"""docker-compose.yml and .env.example: checked by the Compose CLI where one is installed, and
structurally (PyYAML only) everywhere.

The CLI tests run ``config --quiet``, which only parses and interpolates the file: no daemon, no
image pulls, no network. They scrub every variable the compose file references (and COMPOSE_*)
from the environment, so a developer's shell or real ``.env`` cannot change the outcome.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"

REQUIRED_VARS = ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "KIBANA_ENCRYPTION_KEY")
CLIENT_VARS = ("VNOPINION_ES_URL", "VNOPINION_ES_USERNAME", "VNOPINION_ES_PASSWORD")
IMAGE_RE = re.compile(
    r"^docker\.elastic\.co/(elasticsearch/elasticsearch|kibana/kibana):8\.19\.\d+$"
)
# ${VAR}, ${VAR:-default}, ${VAR:?message}; "$${" is an escaped dollar, not a reference.
VAR_REF_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
CLI_TIMEOUT_S = 60


# --------------------------------------------------------------------------- helpers


def _compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


def _compose() -> dict:
    data = yaml.safe_load(_compose_text())
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


def _compose_code() -> str:
    """The compose file without its comment lines (they may mention ${VAR} as prose)."""
    lines = _compose_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def _referenced_vars() -> set[str]:
    return set(VAR_REF_RE.findall(_compose_code()))


def _environment(service: dict) -> dict[str, str]:
    """A service's ``environment`` as a dict, whether written as a list or a mapping."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {key: value for key, _, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def _published_ports(service: dict) -> list[tuple[str, str]]:
    """(as written, host IP or '' when none) for each published port of a service."""
    result = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):  # long syntax
            result.append((repr(port), str(port.get("host_ip", ""))))
        else:  # short syntax: [HOST_IP:][HOST_PORT:]CONTAINER_PORT
            text = str(port)
            result.append((text, "127.0.0.1" if text.startswith("127.0.0.1:") else ""))
    return result


def _env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f".env.example: not KEY=VALUE: {line!r}"
        values[key.strip()] = value.strip()
    return values


@dataclass(frozen=True)
class ComposeCli:
    argv: tuple[str, ...]
    quiet_flag: str
    # Compose v1 (e.g. Debian's docker-compose 1.29) predates the top-level `name:` key.
    legacy_v1: bool

    @property
    def label(self) -> str:
        return " ".join(self.argv)


def _probe(argv: list[str]) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


@functools.cache
def _find_compose_cli() -> ComposeCli | str:
    """The Compose CLI to use, or why there is none."""
    why: list[str] = []
    docker = shutil.which("docker")
    if docker is None:
        why.append("no `docker` on PATH")
    else:
        probe = _probe([docker, "compose", "version"])
        if probe is not None and probe.returncode == 0:
            return ComposeCli((docker, "compose"), "--quiet", legacy_v1=False)
        detail = (probe.stderr or probe.stdout).strip().splitlines() if probe else []
        why.append("`docker compose version` failed" + (f" ({detail[0]})" if detail else ""))
    standalone = shutil.which("docker-compose")
    if standalone is None:
        why.append("no standalone `docker-compose` on PATH")
    else:
        probe = _probe([standalone, "version", "--short"])
        if probe is not None and probe.returncode == 0:
            match = re.search(r"(\d+)\.\d+", probe.stdout)
            legacy = match is not None and int(match.group(1)) < 2
            return ComposeCli((standalone,), "-q", legacy_v1=legacy)
        why.append("`docker-compose version --short` failed")
    return "docker compose CLI not installed: " + "; ".join(why)


@pytest.fixture
def compose_cli() -> ComposeCli:
    found = _find_compose_cli()
    if isinstance(found, str):
        pytest.skip(found)
    return found


def _run_config(
    cli: ComposeCli, env_file: Path, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    compose_file = COMPOSE_FILE
    project: list[str] = []
    if cli.legacy_v1:
        # v1 rejects the top-level `name:`; validate everything else and pass the name as -p.
        text, removed = re.subn(r"(?m)^name:[^\n]*\n", "", _compose_text())
        assert removed == 1, "expected exactly one top-level `name:` line"
        compose_file = tmp_path / "docker-compose.v1.yml"
        compose_file.write_text(text, encoding="utf-8")
        project = ["-p", "vnopinion", "--project-directory", str(REPO_ROOT)]
    scrubbed = _referenced_vars() | set(REQUIRED_VARS)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in scrubbed and not key.startswith("COMPOSE_")
    }
    argv = [
        *cli.argv,
        *project,
        "-f",
        str(compose_file),
        "--env-file",
        str(env_file),
        "config",
        cli.quiet_flag,
    ]
    return subprocess.run(
        argv,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )


# --------------------------------------------------------------------------- with the CLI


def test_compose_config_is_valid_with_env_example(compose_cli: ComposeCli, tmp_path: Path) -> None:
    result = _run_config(compose_cli, ENV_EXAMPLE, tmp_path)
    assert result.returncode == 0, (
        f"`{compose_cli.label} config` rejected docker-compose.yml with .env.example "
        f"(exit {result.returncode}):\n{result.stdout}{result.stderr}"
    )


def test_compose_config_fails_without_required_secrets(
    compose_cli: ComposeCli, tmp_path: Path
) -> None:
    # An empty --env-file stands for "no .env": without it Compose would read a developer's
    # real .env from the repo root and the outcome would depend on that machine.
    empty_env = tmp_path / "empty.env"
    empty_env.write_text("", encoding="utf-8")
    result = _run_config(compose_cli, empty_env, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, (
        f"`{compose_cli.label} config` accepted docker-compose.yml with no secrets set:\n{output}"
    )
    assert any(name in output for name in REQUIRED_VARS), (
        f"the error does not name a missing variable {REQUIRED_VARS}:\n{output}"
    )


# --------------------------------------------------------------------------- without docker


def test_compose_file_structure() -> None:
    compose = _compose()
    assert compose.get("name") == "vnopinion"
    services = compose.get("services") or {}
    assert {"elasticsearch", "kibana", "setup"} <= set(services)

    es, kibana, setup = services["elasticsearch"], services["kibana"], services["setup"]
    es_env, kibana_env = _environment(es), _environment(kibana)

    assert es_env.get("xpack.security.enabled", "").lower() == "true"
    assert es_env.get("discovery.type") == "single-node"

    # Kibana connects as its own service account, never as the superuser.
    assert kibana_env.get("ELASTICSEARCH_USERNAME") == "kibana_system"
    assert "KIBANA_PASSWORD" in kibana_env.get("ELASTICSEARCH_PASSWORD", "")
    assert "ELASTIC_PASSWORD" not in kibana_env.get("ELASTICSEARCH_PASSWORD", "")
    assert kibana.get("depends_on", {}).get("setup", {}).get("condition") == (
        "service_completed_successfully"
    )
    assert kibana.get("depends_on", {}).get("elasticsearch", {}).get("condition") == (
        "service_healthy"
    )

    for image in (es["image"], kibana["image"], setup["image"]):
        assert IMAGE_RE.match(image), f"not an Elastic 8.19.x image: {image}"
    assert setup["image"] == es["image"]

    for name, service in services.items():
        assert service.get("network_mode") != "host", f"{name}: network_mode host bypasses ports"
        for written, host_ip in _published_ports(service):
            assert host_ip == "127.0.0.1", f"{name}: port {written} is not bound to 127.0.0.1"
    assert _published_ports(es), "elasticsearch publishes no port"
    assert _published_ports(kibana), "kibana publishes no port"

    # Every reference to a secret must fail fast when it is unset: ${VAR:?message}.
    text = _compose_code()
    for var in REQUIRED_VARS:
        # The two characters after the name: ":?" is the fail-fast form.
        refs = re.findall(r"(?<!\$)\$\{" + var + r"\b(.{0,2})", text)
        assert refs, f"{var} is never referenced"
        assert all(op == ":?" for op in refs), f"{var} is referenced without :? somewhere"


def test_env_example_defines_every_variable() -> None:
    values = _env_example()
    missing = sorted((_referenced_vars() | set(CLIENT_VARS)) - set(values))
    assert not missing, f".env.example lacks {missing}"
    for var in ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "VNOPINION_ES_PASSWORD"):
        assert "change-me" in values[var], f"{var}: placeholder not marked change-me"
        assert len(values[var]) >= 12, f"{var}: placeholder shorter than 12 characters"
    key = values["KIBANA_ENCRYPTION_KEY"]
    assert "change-me" in key, "KIBANA_ENCRYPTION_KEY: placeholder not marked change-me"
    assert len(key) >= 32, "KIBANA_ENCRYPTION_KEY: placeholder shorter than 32 characters"
    assert values["VNOPINION_ES_USERNAME"] == "elastic"
    assert values["VNOPINION_ES_PASSWORD"] == values["ELASTIC_PASSWORD"]
