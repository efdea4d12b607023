"""The "Hiệu chỉnh nhãn" control in a real headless Chromium, with auth on: an analyst logs in,
corrects a comment's sentiment and topics and sees the stored correction at once; a viewer
gets no control. The API runs on a real port over the seeded corpus in the real node."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.security.keys import KeyStore
from indexer.client import make_client
from indexer.filters import Vocabulary
from indexer.node import LocalNode
from tests.api.browser import serve
from tests.api.conftest import seeded_alias
from tests.api.corpus import build
from tests.browser import full_page_screenshot, screenshot_dir
from vnopinion.settings import Settings

pytestmark = [pytest.mark.es, pytest.mark.slow]

WAIT_S = 40


@pytest.fixture(scope="module")
def secured(
    es_node: LocalNode, es_settings: Settings, vocabulary: Vocabulary,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Settings]]:  # fmt: skip
    with seeded_alias(es_settings, build()) as corpus:
        settings = corpus.model_copy(update={
            "api_auth": True, "api_rate_limit_per_minute": 0,
            "data_dir": tmp_path_factory.mktemp("corrections-browser"),
        })  # fmt: skip
        try:
            with serve(create_app(settings, vocabulary)) as url:
                yield url, settings
        finally:
            with make_client(settings) as es:
                for index in (settings.api_keys_index, settings.corrections_index):
                    es.options(ignore_status=404).indices.delete(index=index)


def new_key(settings: Settings, role: str, name: str) -> str:
    with make_client(settings) as es:
        return KeyStore(es, settings.api_keys_index).create(name, role).secret  # type: ignore[arg-type]


def wait(driver: Any, condition: Any, what: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_S, poll_frequency=0.1).until(condition, what)


def log_in(driver: Any, url: str, key: str, role: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{url}login#key={key}")
    wait(driver, lambda d: d.execute_script(
        "const p = document.getElementById('comments-panel');"
        "return p && p.dataset.state === 'ready' && document.body.dataset.role === arguments[0]",
        role,
    ), f"the dashboard to load for the {role}")  # fmt: skip


def test_analyst_corrects_a_comment_and_sees_it_at_once(
    driver: Any, secured: tuple[str, Settings]
) -> None:
    url, settings = secured
    key = new_key(settings, "analyst", "Cán bộ phân tích <b>A</b>")
    log_in(driver, url, key, "analyst")
    hit = driver.find_element("css selector", "#comments-list li.hit")
    doc_id = hit.get_attribute("data-id")
    badge_class = hit.find_element("css selector", ".meta .badge").get_attribute("class")
    wanted = "positive" if "negative" in badge_class else "negative"  # not the model's label

    hit.find_element("css selector", "button.correct-open").click()
    section = wait(driver, lambda d: hit.find_element(
        "css selector", "section.correction[data-state=ready]"), "the correction form")  # fmt: skip
    assert "Chưa có hiệu chỉnh nào" in section.text
    from selenium.webdriver.support.ui import Select

    Select(section.find_element("css selector", "select.correction-sentiment")).select_by_value(
        wanted
    )
    boxes = section.find_elements("css selector", "input[name=topic]")
    y_te = next(b for b in boxes if b.get_attribute("value") == "y_te")
    if not y_te.is_selected():
        y_te.click()
    section.find_element("css selector", "textarea[name=note]").send_keys("<script>x</script>")
    section.find_element("css selector", "button[type=submit]").click()

    done = "section.correction[data-state=saved]"
    saved = wait(driver, lambda d: hit.find_element("css selector", done), "the saved correction")
    current = saved.find_element("css selector", ".correction-current")
    assert current.get_attribute("data-sentiment") == wanted
    assert "Đã hiệu chỉnh:" in current.text
    assert "Cán bộ phân tích <b>A</b> (analyst)" in current.text  # as text, never markup
    assert "Y tế" in current.text
    assert "Ghi chú: <script>x</script>" in saved.text
    badge = hit.find_element("css selector", ".meta .badge")
    assert badge.get_attribute("data-corrected") == "true"
    assert wanted in badge.get_attribute("class")
    full_page_screenshot(driver, Path(screenshot_dir()) / "dashboard-correction.png")

    # A fresh page lists the comment with the corrected labels, from /search itself.
    driver.refresh()
    wait(driver, lambda d: d.execute_script(
        "const p = document.getElementById('comments-panel');"
        "return p && p.dataset.state === 'ready'"
    ), "the dashboard to load again")  # fmt: skip
    again = driver.find_element("css selector", f"#comments-list li.hit[data-id='{doc_id}']")
    badge = again.find_element("css selector", ".meta .badge")
    assert badge.get_attribute("data-corrected") == "true"
    assert wanted in badge.get_attribute("class")
    assert "Y tế" in [t.text for t in again.find_elements("css selector", ".links .tag")]

    stored = httpx.get(f"{url}documents/{doc_id}", headers={"X-API-Key": key}, timeout=30).json()
    assert stored["correction"]["sentiment"] == wanted
    assert "y_te" in stored["correction"]["watch_topics"]
    assert stored["effective"]["sentiment"] == wanted
    assert stored["correction"]["by"]["role"] == "analyst"


def test_a_viewer_gets_no_correction_control(driver: Any, secured: tuple[str, Settings]) -> None:
    url, settings = secured
    log_in(driver, url, new_key(settings, "viewer", "Người xem"), "viewer")
    assert driver.find_elements("css selector", "#comments-list li.hit")
    assert driver.find_elements("css selector", "button.correct-open") == []
