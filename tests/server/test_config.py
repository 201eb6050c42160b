from __future__ import annotations

from typing import Any

from analytix_frontend.server.config import read_server_settings


def test_malformed_values_fall_back_to_their_defaults(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        "SERVER": {
            "DISPATCH": "",
            "TIMEOUT": 600,
            "RETRIES": True,
            "BACKOFF": "1",
            "MAX_DELAY": -5,
            "HUBSPOT_CRM_VERSION": "../../v3",
            "KISSMETRICS_URL": "ftp://example.com",
            "HUBSPOT_API_URL": "https://proxy.example/hubspot/",
        }
    }
    config = read_server_settings()
    assert config.dispatch == "inline"
    assert (config.timeout, config.retries, config.backoff, config.max_delay) == (5.0, 5, 0.5, 10.0)
    assert config.hubspot_crm_version == "v3"
    assert config.kissmetrics_url == "https://trk.kissmetrics.io"
    assert config.hubspot_api_url == "https://proxy.example/hubspot"  # trailing slash dropped


def test_server_may_be_missing_or_not_a_dict(settings: Any) -> None:
    for config in ({}, {"SERVER": "inline"}, "not a dict"):
        settings.ANALYTICS_CONFIG = config
        assert read_server_settings().retries == 5


def test_delivery_settings_and_their_defaults(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {}}
    config = read_server_settings()
    assert (config.lease, config.sweep, config.retention_days) == (120.0, 60.0, 30)
    assert config.tasks_backend == "default"
    settings.ANALYTICS_CONFIG = {
        "SERVER": {"LEASE": 30, "SWEEP": 0, "RETENTION_DAYS": 7, "TASKS_BACKEND": "calls"}
    }
    config = read_server_settings()
    assert (config.lease, config.sweep, config.retention_days) == (30.0, 0.0, 7)
    assert config.tasks_backend == "calls"


def test_a_lease_never_ends_before_an_attempt_can(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {"SERVER": {"LEASE": 3, "TIMEOUT": 10}}
    assert read_server_settings().lease == 20.0  # twice TIMEOUT


def test_malformed_delivery_settings_fall_back(settings: Any) -> None:
    settings.ANALYTICS_CONFIG = {
        "SERVER": {"LEASE": "long", "SWEEP": -1, "RETENTION_DAYS": 0, "TASKS_BACKEND": ""}
    }
    config = read_server_settings()
    assert (config.lease, config.sweep, config.retention_days) == (120.0, 60.0, 30)
    assert config.tasks_backend == "default"
    settings.ANALYTICS_CONFIG = {"SERVER": {"RETENTION_DAYS": True, "DISPATCH": "tasks"}}
    config = read_server_settings()
    assert config.retention_days == 30
    assert (config.backoff, config.max_delay) == (5.0, 300.0)  # a queue waits in the queue
