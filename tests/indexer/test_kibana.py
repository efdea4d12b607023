"""Kibana saved objects: the shipped file, its references, its fields (against the mapping
and a real node's field_caps), and `vnopinion kibana import` against a stand-in Kibana."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from indexer.kibana import SHIPPED_NDJSON, render, saved_objects
from indexer.kibana_lens import Fields
from indexer.mapping import document_mapping
from indexer.setup import ensure_index
from nlp.topics import WatchTopics
from tests.conftest import cli_env, free_port, run_cli
from tests.indexer.test_mapping import flatten
from vnopinion.settings import Settings

RECORDS = "___records___"
AGGREGATABLE_TYPES = {"keyword", "date", "boolean", "integer", "long", "float", "double"}
KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")


def shipped() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SHIPPED_NDJSON.read_text(encoding="utf-8").splitlines()]


def of_type(kind: str) -> list[dict[str, Any]]:
    return [obj for obj in shipped() if obj["type"] == kind]


def layers(lens: dict[str, Any]) -> dict[str, dict[str, Any]]:
    layers: dict[str, dict[str, Any]] = lens["attributes"]["state"]["datasourceStates"][
        "formBased"
    ]["layers"]
    return layers


# --- The file and its references ---------------------------------------------------------


def test_shipped_file_is_what_the_code_builds() -> None:
    alias = Settings.model_fields["index_alias"].default
    expected = render(saved_objects(alias, WatchTopics.load().topics))
    assert SHIPPED_NDJSON.read_text(encoding="utf-8") == expected, (
        "indexer/kibana/vnopinion.ndjson is stale: rewrite it with "
        "`vnopinion kibana export --out indexer/kibana/vnopinion.ndjson` (default alias)"
    )


def test_objects_have_stable_ids_and_the_expected_kinds() -> None:
    objects = shipped()
    keys = [(obj["type"], obj["id"]) for obj in objects]
    assert len(set(keys)) == len(keys)
    assert all(obj["id"].startswith("vnopinion-") for obj in objects)
    [data_view] = of_type("index-pattern")
    assert data_view["attributes"]["title"] == "vnopinion-docs"
    assert data_view["attributes"]["timeFieldName"] == "published_at"
    charts = {obj["attributes"]["visualizationType"] for obj in of_type("lens")}
    assert charts == {"lnsXY", "lnsPie", "lnsDatatable", "lnsMetric"}
    [dashboard] = of_type("dashboard")
    assert dashboard["attributes"]["title"] == "vnopinion — Dư luận"


def test_every_reference_resolves_to_an_object_in_the_file() -> None:
    objects = shipped()
    present = {(obj["type"], obj["id"]) for obj in objects}
    for obj in objects:
        names = [ref["name"] for ref in obj["references"]]
        assert len(set(names)) == len(names), obj["id"]
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in present, f"{obj['id']} -> {ref}"


def test_every_panel_has_its_reference_and_every_chart_a_panel() -> None:
    [dashboard] = of_type("dashboard")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    references = {ref["name"]: ref for ref in dashboard["references"]}
    for panel in panels:
        ref = references[panel["panelRefName"]]
        assert ref["type"] == panel["type"] == "lens"
        assert panel["gridData"]["i"] == panel["panelIndex"]
    assert {references[p["panelRefName"]]["id"] for p in panels} == {
        obj["id"] for obj in of_type("lens")
    }
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        grid = panel["gridData"]
        assert grid["x"] >= 0, panel
        assert grid["x"] + grid["w"] <= 48, panel
        mine = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])}  # fmt: skip
        assert not cells & mine, f"panel {panel['panelIndex']} overlaps another"
        cells |= mine


def accessors(visualization: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(layer id, column id) for every column a Lens visualization shows."""
    for layer in visualization.get("layers", [visualization]):
        ids = [layer.get(key) for key in ("xAccessor", "splitAccessor", "metricAccessor")]
        for key in ("accessors", "primaryGroups", "metrics"):
            ids += layer.get(key, [])
        ids += [column["columnId"] for column in layer.get("columns", [])]
        ids += [layer["sorting"]["columnId"]] if "sorting" in layer else []
        yield from ((layer["layerId"], column) for column in ids if column)


@pytest.mark.parametrize("lens", of_type("lens"), ids=lambda lens: lens["id"])
def test_lens_layers_hold_together(lens: dict[str, Any]) -> None:
    references = {ref["name"]: ref["id"] for ref in lens["references"]}
    assert references["indexpattern-datasource-current-indexpattern"] == "vnopinion-data-view"
    for layer_id, layer in layers(lens).items():
        assert references[f"indexpattern-datasource-layer-{layer_id}"] == "vnopinion-data-view"
        columns = layer["columns"]
        assert sorted(layer["columnOrder"]) == sorted(columns)
        bucketed = [columns[c]["isBucketed"] for c in layer["columnOrder"]]
        assert bucketed == sorted(bucketed, reverse=True), "buckets come first"
        for column in columns.values():
            order_by = column.get("params", {}).get("orderBy", {})
            if "columnId" in order_by:
                assert order_by["columnId"] in columns
            assert set(column.get("references", [])) <= set(columns)
            ast = column.get("params", {}).get("tinymathAst", {"args": []})
            assert {a for a in ast["args"] if isinstance(a, str)} <= set(columns)
    shown = list(accessors(lens["attributes"]["state"]["visualization"]))
    assert shown
    for layer_id, column in shown:
        assert column in layers(lens)[layer_id]["columns"], (layer_id, column)


# --- Fields ------------------------------------------------------------------------------


def field_uses(obj: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(field, aggregated?, where) for every field an object names."""
    attributes = obj["attributes"]
    if obj["type"] == "index-pattern":
        uses = [(attributes["timeFieldName"], True, "timeFieldName")]
        for key in ("fieldAttrs", "fieldFormatMap"):
            uses += [(name, False, key) for name in json.loads(attributes[key])]
        hidden = json.loads(attributes["sourceFilters"])
        uses += [(f["value"], False, "sourceFilters") for f in hidden]
        return uses
    if obj["type"] != "lens":
        return []
    state = attributes["state"]
    uses = [(name, False, "query") for name in KQL_FIELD.findall(state["query"]["query"])]
    uses += [(f["meta"]["key"], False, "filters") for f in state["filters"]]
    for layer in layers(obj).values():
        for column_id, column in layer["columns"].items():
            source = column.get("sourceField")
            if source and source != RECORDS:
                uses.append((source, True, column_id))
            sort_field = column.get("params", {}).get("sortField")
            if sort_field:
                uses.append((sort_field, True, f"{column_id} sortField"))
            query = column.get("filter", {}).get("query", "")
            uses += [(name, False, f"{column_id} filter") for name in KQL_FIELD.findall(query)]
    return uses


def all_uses() -> list[tuple[str, str, bool, str]]:
    return [(obj["id"], *use) for obj in shipped() for use in field_uses(obj)]


def test_the_checks_see_the_fields_that_matter() -> None:
    used = {name for _, name, _, _ in all_uses()}
    assert {"published_at", "sentiment.label", "watch_topics", "source_name", "place.province",
            "kind", "toxicity.label", "toxicity.score", "url"} <= used  # fmt: skip
    assert "text" not in {name for _, name, aggregated, _ in all_uses() if aggregated}


def test_every_field_is_mapped_and_aggregatable_where_aggregated() -> None:
    types = flatten(document_mapping()["properties"])
    for object_id, name, aggregated, where in all_uses():
        assert name in types, f"{object_id} ({where}) uses {name!r}, which is not mapped"
        if aggregated:
            assert types[name] in AGGREGATABLE_TYPES, f"{object_id} ({where}) aggregates {name!r}"


def test_the_builder_refuses_unknown_and_text_fields() -> None:
    fields = Fields()
    with pytest.raises(KeyError, match="lacks"):
        fields.searched("sentiment.labels")
    with pytest.raises(ValueError, match="cannot aggregate"):
        fields.aggregated("text")
    assert fields.aggregated("title.raw") == "title.raw"


@pytest.mark.es
def test_every_field_is_in_the_real_field_caps(es: Elasticsearch, alias: str) -> None:
    ensure_index(es, alias)
    caps = es.field_caps(index=alias, fields="*")["fields"]
    assert not caps["text"]["text"]["aggregatable"]  # the check below has teeth
    for object_id, name, aggregated, where in all_uses():
        assert name in caps, f"{object_id} ({where}) uses {name!r}, absent from {alias}"
        for es_type, cap in caps[name].items():
            assert cap["searchable"], f"{name} ({es_type}) is not searchable"
            if aggregated:
                assert cap["aggregatable"], f"{object_id} ({where}) aggregates {name} ({es_type})"


# --- `vnopinion kibana import` against a stand-in Kibana ------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: Message
    body: bytes


@dataclass
class FakeKibana:
    """Plays Kibana's import endpoint: records each request, answers ``status``/``answer``."""

    url: str = ""
    status: int = 200
    answer: Any = None
    requests: list[Request] = field(default_factory=list)

    def upload(self) -> tuple[Any, Any, Any]:
        """The one multipart part of the one request: (field name, file name, content)."""
        [request] = self.requests
        head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + request.body)
        [part] = list(message.walk())[1:]
        name = part.get_param("name", header="content-disposition")
        return name, part.get_filename(), part.get_payload(decode=True)


def success(objects: list[dict[str, Any]]) -> dict[str, Any]:
    results = [{"type": o["type"], "id": o["id"], "meta": {"title": o["attributes"]["title"]}}
               for o in objects]  # fmt: skip
    return {"success": True, "successCount": len(results), "successResults": results}


@pytest.fixture
def kibana() -> Iterator[FakeKibana]:
    fake = FakeKibana(answer=success(shipped()))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            fake.requests.append(Request(self.command, self.path, self.headers, body))
            payload = (fake.answer if isinstance(fake.answer, bytes)
                       else json.dumps(fake.answer).encode())  # fmt: skip
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(Settings(_env_file=None, data_dir=tmp_path))  # type: ignore[call-arg]


def test_import_posts_the_file_as_kibana_expects(kibana: FakeKibana, env: dict[str, str]) -> None:
    result = run_cli("kibana", "import", "--url", kibana.url, env=env)
    assert result.returncode == 0, result.stderr
    [request] = kibana.requests
    assert (request.method, request.path) == ("POST", "/api/saved_objects/_import?overwrite=true")
    assert request.headers["kbn-xsrf"] == "true"
    assert "Authorization" not in request.headers
    name, filename, content = kibana.upload()
    assert (name, filename) == ("file", "vnopinion.ndjson")
    assert content == SHIPPED_NDJSON.read_bytes()
    assert "Kibana imported 9 saved objects" in result.stdout
    assert "dashboard vnopinion-dashboard (vnopinion — Dư luận)" in result.stdout
    assert f"Dashboard: {kibana.url}/app/dashboards#/view/vnopinion-dashboard" in result.stdout


def test_import_into_a_space_with_credentials_keeping_objects(
    kibana: FakeKibana, env: dict[str, str]
) -> None:
    conflicts = [{"type": o["type"], "id": o["id"], "meta": {"title": o["attributes"]["title"]},
                  "error": {"type": "conflict"}} for o in shipped()]  # fmt: skip
    kibana.answer = {"success": False, "successCount": 0, "errors": conflicts}
    result = run_cli("kibana", "import", "--url", kibana.url + "/", "--user", "elastic",
                     "--password", "s3cret", "--space", "analysts", "--no-overwrite",
                     env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    [request] = kibana.requests
    assert request.path == "/s/analysts/api/saved_objects/_import?overwrite=false"
    credentials = base64.b64encode(b"elastic:s3cret").decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    assert "Kept 9 existing objects (--no-overwrite)" in result.stdout
    assert f"{kibana.url}/s/analysts/app/dashboards#/view/vnopinion-dashboard" in result.stdout


def test_objects_kibana_refuses_fail_the_import(kibana: FakeKibana, env: dict[str, str]) -> None:
    data_view = {"type": "index-pattern", "id": "vnopinion-data-view"}
    missing = {"type": "lens", "id": "vnopinion-lens-total", "meta": {"title": "Tổng"},
               "error": {"type": "missing_references", "references": [data_view]}}  # fmt: skip
    kibana.answer = {"success": False, "successCount": 8, "errors": [missing]}
    result = run_cli("kibana", "import", "--url", kibana.url, env=env)
    assert result.returncode == 1
    assert "Error: Kibana imported 8 saved objects and refused 1" in result.stderr
    assert "lens vnopinion-lens-total (Tổng): missing_references (index-pattern " in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        (401, {"statusCode": 401, "error": "Unauthorized", "message": "Unauthorized"},
         "What to do: check --user and --password"),
        (500, {"statusCode": 500, "error": "Internal Server Error", "message": "boom"},
         "docker compose logs kibana"),
        (200, b"<html>not Kibana</html>", "did not answer like Kibana's import API"),
    ],
)  # fmt: skip
def test_refusals_are_clear_errors(
    kibana: FakeKibana, env: dict[str, str], status: int, answer: Any, expected: str
) -> None:
    kibana.status, kibana.answer = status, answer
    result = run_cli("kibana", "import", "--url", kibana.url, env=env)
    assert result.returncode == 1
    if status != 200:
        assert f"Error: Kibana answered {status} " in result.stderr
        assert answer["message"] in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_kibana_is_a_clear_error(env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("kibana", "import", "--url", url, env=env)
    assert result.returncode == 1
    assert f"Error: Could not reach Kibana at {url}" in result.stderr
    assert "What to do: check that Kibana runs" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_space_is_refused_before_sending(kibana: FakeKibana, env: dict[str, str]) -> None:
    result = run_cli("kibana", "import", "--url", kibana.url, "--space", "Ban Dân vận", env=env)
    assert result.returncode == 1
    assert "is not a Kibana space id" in result.stderr
    assert kibana.requests == []


def test_export_writes_the_shipped_objects(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "objects.ndjson"
    result = run_cli("kibana", "export", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == SHIPPED_NDJSON.read_bytes()
    assert "Wrote 9 saved objects" in result.stdout
