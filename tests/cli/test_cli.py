"""The command line against the session's node, run as a user would (a subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.node import LocalNode
from tests.conftest import cli_env, free_port, run_cli
from vnopinion.settings import Settings


@pytest.mark.es
def test_es_status_prints_version_health_and_count(
    es_node: LocalNode, es_settings: Settings
) -> None:
    result = run_cli("es", "status", env=cli_env(es_settings))
    assert result.returncode == 0, result.stderr
    assert "version: 8.19." in result.stdout
    assert "health: green" in result.stdout or "health: yellow" in result.stdout
    assert "documents in" in result.stdout


@pytest.mark.es
def test_es_start_on_running_node_says_so(es_node: LocalNode, es_settings: Settings) -> None:
    result = run_cli("es", "start", env=cli_env(es_settings))
    assert result.returncode == 0, result.stderr
    assert "already running" in result.stdout
    assert "alias vnopinion-docs ready" in result.stdout


@pytest.mark.es
def test_es_logs_prints_the_node_log(es_node: LocalNode, es_settings: Settings) -> None:
    result = run_cli("es", "logs", "-n", "5", env=cli_env(es_settings))
    assert result.returncode == 0
    assert "vnopinion.log" in result.stdout
    assert len(result.stdout.strip().splitlines()) <= 6


def test_status_of_a_missing_node_exits_1(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, es_url=f"http://127.0.0.1:{free_port()}",  # type: ignore[call-arg]
                        data_dir=tmp_path)  # fmt: skip
    result = run_cli("es", "status", env=cli_env(settings))
    assert result.returncode == 1
    assert "not reachable" in result.stdout


def test_failures_print_a_message_and_what_to_do(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, es_url=f"http://127.0.0.1:{free_port()}",  # type: ignore[call-arg]
                        data_dir=tmp_path)  # fmt: skip
    env = cli_env(settings) | {"VNOPINION_ES_SECURITY": "true"}
    result = run_cli("es", "start", env=env)
    assert result.returncode == 1
    assert "Error: Security is on" in result.stderr
    assert "What to do: set VNOPINION_ES_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_is_refused_clearly(tmp_path: Path) -> None:
    env = cli_env(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    env["VNOPINION_ES_URL"] = "localhost:9200"
    result = run_cli("es", "status", env=env)
    assert result.returncode == 1
    assert "es_url must look like http://host:port" in result.stderr
    assert "Traceback" not in result.stderr


def test_sites_lists_the_launch_sites(tmp_path: Path) -> None:
    env = cli_env(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    result = run_cli("sites", env=env)
    assert result.returncode == 0, result.stderr
    keys = {line.split()[0] for line in result.stdout.splitlines()}
    assert {"vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "voz"} <= keys


def test_crawl_of_an_unknown_site_is_a_clear_error(tmp_path: Path) -> None:
    env = cli_env(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    result = run_cli("crawl", "--site", "nosuchsite", "--out", str(tmp_path / "x.jsonl"), env=env)
    assert result.returncode == 1
    assert "unknown site(s) ['nosuchsite']" in result.stderr
    assert "vnexpress" in result.stderr
    assert not (tmp_path / "x.jsonl").exists()


def test_eval_prints_json_metrics(tmp_path: Path) -> None:
    data = tmp_path / "victsd.jsonl"
    rows = [("Bài viết hay, cảm ơn tác giả", "non_toxic"), ("đồ ngu như bò, cút đi", "toxic"),
            ("Thông tin hữu ích", "non_toxic")]  # fmt: skip
    data.write_text("".join(json.dumps({"text": t, "label": lab}, ensure_ascii=False) + "\n"
                            for t, lab in rows), encoding="utf-8")  # fmt: skip
    env = cli_env(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]
    result = run_cli("eval", "--task", "toxicity", "--data", str(data), "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == 3
    assert set(report["per_class"]) == {"toxic", "non_toxic"}
    assert 0.0 <= report["macro_f1"] <= 1.0


def test_tag_adds_tags_to_a_jsonl_file(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    doc = {"id": "c1", "kind": "comment", "source": "s", "source_name": "S", "url": "u",
           "parent_id": "a", "thread_id": "a", "crawled_at": "2026-11-25T00:00:00Z",
           "text": "Thủ tục hành chính ở phường quá rườm rà, đi lại ba lần chưa xong"}  # fmt: skip
    source.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    env = cli_env(Settings(_env_file=None, data_dir=tmp_path), VNOPINION_NLP_WORKERS="1")  # type: ignore[call-arg]
    result = run_cli("tag", "--in", str(source), "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    [tagged] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert tagged["text"] == doc["text"]
    assert tagged["sentiment"]["label"] == "negative"
    assert "thu_tuc_hanh_chinh" in tagged["watch_topics"]
