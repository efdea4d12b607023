"""API keys, roles, login sessions, rate limits, CORS and the audit log, against the real
node: keys live in a real index beside the seeded corpus (tests/api/corpus.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from api.app import create_app
from api.security.keys import KeyStore, Role
from api.security.sessions import COOKIE
from indexer.filters import Vocabulary
from tests.conftest import cli_env, run_cli
from vnopinion.settings import Settings

pytestmark = pytest.mark.es

MakeApp = Callable[..., TestClient]


@pytest.fixture
def secure(corpus_settings: Settings, tmp_path: Path, es: Elasticsearch) -> Iterator[Settings]:
    """The corpus with auth on, an unlimited rate, its own data dir; keys removed after."""
    settings = corpus_settings.model_copy(
        update={"api_auth": True, "api_rate_limit_per_minute": 0, "data_dir": tmp_path}
    )
    yield settings
    es.options(ignore_status=404).indices.delete(index=settings.api_keys_index)


@pytest.fixture
def store(secure: Settings, es: Elasticsearch) -> KeyStore:
    return KeyStore(es, secure.api_keys_index)


@pytest.fixture
def make_app(secure: Settings, vocabulary: Vocabulary) -> Iterator[MakeApp]:
    clients: list[TestClient] = []

    def make(base_url: str = "http://testserver", **overrides: object) -> TestClient:
        client = TestClient(create_app(secure.model_copy(update=overrides), vocabulary),
                            base_url=base_url)  # fmt: skip
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def new_key(store: KeyStore, role: Role = "viewer", name: str = "Cán bộ A") -> str:
    return store.create(name, role).secret


def test_no_key_is_401_and_health_stays_open(make_app: MakeApp) -> None:
    api = make_app()
    refused = api.get("/search")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert "Cần đăng nhập" in refused.json()["detail"]
    assert "authentication required" in refused.json()["detail"]
    assert api.get("/search", headers=bearer("vno_0123456789abcdef.wrong")).status_code == 401
    assert api.get("/search", headers={"X-API-Key": "not-a-key"}).status_code == 401
    assert api.get("/health").status_code == 200


def test_key_lifecycle_through_the_cli(secure: Settings, make_app: MakeApp) -> None:
    env = cli_env(secure, VNOPINION_INDEX_ALIAS=secure.index_alias)
    created = run_cli("apikey", "create", "--name", "Ban Dân vận tỉnh", "--role", "analyst",
                      env=env)  # fmt: skip
    assert created.returncode == 0, created.stderr
    raw = created.stdout.strip().splitlines()[-1]
    key_id = raw.removeprefix("vno_").split(".")[0]
    assert raw.startswith("vno_")
    assert "shown only this once" in created.stderr

    listed = run_cli("apikey", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert key_id in listed.stdout
    assert "Ban Dân vận tỉnh" in listed.stdout
    assert "active" in listed.stdout
    assert raw not in listed.stdout

    api = make_app()
    assert api.get("/search", headers=bearer(raw)).status_code == 200
    assert api.get("/topics", headers={"X-API-Key": raw}).status_code == 200

    revoked = run_cli("apikey", "revoke", key_id, env=env)
    assert revoked.returncode == 0, revoked.stderr
    refused = api.get("/search", headers=bearer(raw))
    assert refused.status_code == 401
    assert "thu hồi" in refused.json()["detail"]
    assert "revoked" in run_cli("apikey", "list", env=env).stdout
    unknown = run_cli("apikey", "revoke", "0000000000000000", env=env)
    assert unknown.returncode == 1
    assert "No API key" in unknown.stderr


def test_roles_viewer_reads_analyst_exports(store: KeyStore, make_app: MakeApp) -> None:
    viewer, analyst, admin = (new_key(store, r) for r in ("viewer", "analyst", "admin"))
    api = make_app()
    assert api.get("/search", headers=bearer(viewer)).status_code == 200
    refused = api.get("/export", headers=bearer(viewer))
    assert refused.status_code == 403
    assert "cần 'analyst'" in refused.json()["detail"]
    assert "forbidden" in refused.json()["detail"]
    for key in (analyst, admin):
        exported = api.get("/export", params={"max_rows": 5}, headers=bearer(key))
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")


def test_keys_are_stored_hashed(store: KeyStore, es: Elasticsearch) -> None:
    raw = new_key(store, "admin")
    secret = raw.split(".", 1)[1]
    es.indices.refresh(index=store.index)
    stored = json.dumps(es.search(index=store.index)["hits"]["hits"], ensure_ascii=False)
    assert raw not in stored
    assert secret not in stored
    assert "sha256:" in stored
    assert store.verify(raw) is not None
    assert store.verify(raw + "x") is None


def test_login_cookie_flow(store: KeyStore, make_app: MakeApp) -> None:
    raw = new_key(store, "viewer", name="Chị Lan")
    api = make_app()
    assert api.post("/auth/login", json={"key": raw + "x"}).status_code == 401
    logged_in = api.post("/auth/login", json={"key": raw})
    assert logged_in.status_code == 200
    assert logged_in.json()["name"] == "Chị Lan"
    set_cookie = logged_in.headers["set-cookie"]
    assert f"{COOKIE}=" in set_cookie
    assert "HttpOnly" in set_cookie
    assert "SameSite=strict" in set_cookie or "SameSite=Strict" in set_cookie
    assert "Secure" not in set_cookie  # plain http here
    assert raw not in set_cookie
    assert raw.split(".", 1)[1] not in set_cookie

    assert api.get("/search").status_code == 200  # the cookie alone
    assert api.get("/auth/me").json()["role"] == "viewer"
    assert api.get("/export").status_code == 403  # a session carries its key's role

    cookie = api.cookies[COOKIE]
    key_id, expires, signature = cookie.split(".")
    api.cookies.clear()
    api.cookies.set(COOKIE, f"{key_id}.{int(expires) + 3600}.{signature}")
    assert api.get("/search").status_code == 401  # tampered
    api.cookies.clear()
    api.cookies.set(COOKIE, cookie)
    assert api.get("/search").status_code == 200
    store.revoke(key_id)
    assert api.get("/search").status_code == 401  # revoking the key ends its sessions

    logged_out = api.post("/auth/logout")
    assert logged_out.status_code == 204
    assert "Max-Age=0" in logged_out.headers["set-cookie"]


def test_login_cookie_is_secure_over_https(store: KeyStore, make_app: MakeApp) -> None:
    api = make_app(base_url="https://testserver")
    response = api.post("/auth/login", json={"key": new_key(store)})
    assert "Secure" in response.headers["set-cookie"]


def test_login_page_is_vietnamese_and_keeps_the_csp(make_app: MakeApp) -> None:
    page = make_app().get("/login")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "Đăng nhập" in page.text
    assert "<script>" not in page.text  # no inline script: only the module file
    assert 'src="dashboard/js/login.js"' in page.text


def test_rate_limit_per_key_answers_429(store: KeyStore, make_app: MakeApp) -> None:
    first, second = new_key(store), new_key(store)
    api = make_app(api_rate_limit_per_minute=3)
    statuses = [api.get("/sources", headers=bearer(first)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/sources", headers=bearer(first))
    assert 1 <= int(limited.headers["Retry-After"]) <= 20
    assert "rate limit" in limited.json()["detail"]
    assert api.get("/sources", headers=bearer(second)).status_code == 200  # its own bucket
    anonymous = [api.get("/sources").status_code for _ in range(4)]
    assert anonymous == [401, 401, 401, 429]  # guessing is limited per address


def test_cors_only_for_allowed_origins(store: KeyStore, make_app: MakeApp) -> None:
    raw = new_key(store)
    api = make_app(api_cors_origins=["https://dashboard.tinh.gov.vn"])
    allowed = api.get(
        "/sources", headers={**bearer(raw), "Origin": "https://dashboard.tinh.gov.vn"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://dashboard.tinh.gov.vn"
    other = api.get("/sources", headers={**bearer(raw), "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = api.options("/sources", headers={
        "Origin": "https://dashboard.tinh.gov.vn", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    })  # fmt: skip
    assert preflight.status_code == 200
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    default = make_app().get("/sources", headers={**bearer(raw), "Origin": "https://a.vn"})
    assert "access-control-allow-origin" not in default.headers


def test_audit_log_says_who_asked_what(secure: Settings, store: KeyStore,
                                       make_app: MakeApp) -> None:  # fmt: skip
    raw = new_key(store, "viewer", name="Anh Minh")
    api = make_app()
    api.get("/search", params={"q": "đền bù"}, headers=bearer(raw))
    api.get("/export", headers=bearer(raw))
    api.get("/trends")
    api.get("/dashboard/style.css")
    api.get("/health")  # a probe, and a Prometheus scrape: left out when answered
    api.get("/metrics", headers=bearer(raw))
    api.get("/metrics")  # refused: in
    text = secure.api_audit_log_path.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [(r["path"], r["status"]) for r in lines] == [
        ("/search", 200), ("/export", 403), ("/trends", 401), ("/metrics", 401)
    ]  # fmt: skip
    search = lines[0]
    assert search["key_name"] == "Anh Minh"
    assert search["role"] == "viewer"
    assert search["key_id"] == raw.removeprefix("vno_").split(".")[0]
    assert search["method"] == "GET"
    assert "q=" in search["query"]
    assert search["time"].endswith("+00:00")
    assert lines[2]["key_name"] == "anonymous"
    assert raw not in text
    assert raw.split(".", 1)[1] not in text


def test_auth_off_leaves_the_api_open(make_app: MakeApp) -> None:
    api = make_app(api_auth=False)
    assert api.get("/export", params={"max_rows": 1}).status_code == 200
    assert api.get("/auth/me").json() == {"auth": False, "key_id": None, "name": None,
                                           "role": None}  # fmt: skip
