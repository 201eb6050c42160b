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
    assert (config.timeout, config.retries, config.backoff, config.max_delay) == (5.0, 3, 0.5, 10.0)
    assert config.hubspot_crm_version == "v3"
    assert config.kissmetrics_url == "https://trk.kissmetrics.io"
    assert config.hubspot_api_url == "https://proxy.example/hubspot"  # trailing slash dropped


def test_server_may_be_missing_or_not_a_dict(settings: Any) -> None:
    for config in ({}, {"SERVER": "inline"}, "not a dict"):
        settings.ANALYTICS_CONFIG = config
        assert read_server_settings().retries == 3
