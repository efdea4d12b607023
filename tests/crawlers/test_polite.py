from __future__ import annotations

from crawlers.polite import POLITE_DEFAULTS, user_agent


def test_user_agent_names_us_and_the_contact() -> None:
    agent = user_agent("mailto:dan-van@example.vn")
    assert agent.startswith("vnopinion/")
    assert "mailto:dan-van@example.vn" in agent


def test_defaults_obey_robots_and_throttle() -> None:
    assert POLITE_DEFAULTS["ROBOTSTXT_OBEY"] is True
    assert POLITE_DEFAULTS["AUTOTHROTTLE_ENABLED"] is True
    assert POLITE_DEFAULTS["CONCURRENT_REQUESTS_PER_DOMAIN"] <= 2
