"""The dashboard's files as the API serves them: the page, its security headers, and rules
its JavaScript keeps (no HTML parsing of data, every request in one module). The page itself
is exercised in a real browser by test_dashboard_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.dashboard import DASHBOARD_DIR
from indexer.filters import Vocabulary
from vnopinion.settings import Settings

SCRIPTS = sorted((DASHBOARD_DIR / "js").glob("*.js"))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data.strip()


@pytest.fixture(scope="module")
def client(vocabulary: Vocabulary) -> TestClient:
    # Serving files needs no Elasticsearch: the client is only opened, never called.
    return TestClient(create_app(Settings(_env_file=None), vocabulary))  # type: ignore[call-arg]


def test_the_page_is_served_at_the_root_with_a_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert '<html lang="vi">' in response.text


def test_the_page_has_no_inline_script_and_every_file_it_names_is_served(
    client: TestClient,
) -> None:
    parser = _Tags()
    parser.feed(client.get("/").text)
    assert parser.script_text == ""
    for tag, attrs in parser.tags:
        assert not [name for name in attrs if name.startswith("on")], tag
        assert "style" not in attrs, tag
    files = [a["src"] for t, a in parser.tags if t == "script"]
    files += [a["href"] for t, a in parser.tags if t == "link" and a.get("rel") == "stylesheet"]
    assert sorted(files) == ["dashboard/js/app.js", "dashboard/style.css"]
    for script in SCRIPTS:
        files.append(f"dashboard/js/{script.name}")
    for name in files:
        response = client.get(f"/{name}")
        assert response.status_code == 200, name
        kind = "text/css" if name.endswith(".css") else "javascript"
        assert kind in response.headers["content-type"], name
        assert "script-src 'self'" in response.headers["content-security-policy"], name


def test_the_scripts_never_parse_data_as_html() -> None:
    forbidden = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|"
                           r"new Function|setAttribute\(\s*[\"']style")  # fmt: skip
    for script in SCRIPTS:
        found = forbidden.findall(script.read_text(encoding="utf-8"))
        assert found == [], script.name


def test_every_request_goes_through_one_module() -> None:
    """Authentication lives there (login, 401 handling): api.js alone may call fetch."""
    calling = [s.name for s in SCRIPTS if re.search(r"\bfetch\(|XMLHttpRequest", s.read_text())]
    assert calling == ["api.js"]


def test_the_api_documentation_still_works(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert "/" not in client.get("/openapi.json").json()["paths"]
    assert client.get("/dashboard/../app.py").status_code == 404
