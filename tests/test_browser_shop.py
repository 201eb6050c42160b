"""Shop markup in Chromium (issue 12.9): `data-analytix-event` on a form's submit button (the
usual add-to-basket button) is that form's submit: sent by beacon where the vendor can, the
submission held as a tagged form's is, then sent with the button's name=value. The markup is
placed with the hostile page's `html` parameter (tests/attack_views.py), under a strict CSP.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from tests.fake_vendors import answer_with_recording_fakes, recorded_calls

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOP = (
    '<form id="basket" action="/page/default/" method="get">'
    '<input type="hidden" name="qty" value="2">'
    '<button id="add" name="product" value="42" data-analytix-event="Added To Basket"'
    ' data-analytix-props=\'{"sku": "42"}\'>Add to basket</button>'
    "</form>"
)
# Runs after the package's document listener: sees whether the submission was held.
RECORD_HOLD = (
    "window.addEventListener('submit', function (e) {"
    " sessionStorage.setItem('held', String(e.defaultPrevented)); });"
)
LOADED = (
    "() => ['google', 'hubspot', 'kissmetrics'].every(n => analytix.services[n].state === 'loaded')"
)


def test_a_tagged_submit_button_is_the_forms_submit(open_page: Any) -> None:
    browser_page = open_page("block")
    answer_with_recording_fakes(browser_page)
    browser_page.page.add_init_script(RECORD_HOLD)
    browser_page.goto(f"/attack/strict/default/?{urlencode({'html': SHOP})}")
    browser_page.page.wait_for_function(LOADED)
    browser_page.page.click("#add")
    browser_page.page.wait_for_url("**/page/default/?qty=2&product=42")  # what the server got
    assert browser_page.page.evaluate("sessionStorage.getItem('held')") == "true"
    raw = recorded_calls(browser_page)
    calls = [(service, args) for service, args in raw if "asket" in repr(args)]
    props = {"sku": "42"}
    assert sorted(calls) == sorted(
        [
            ("google", ["event", "added_to_basket", {**props, "transport_type": "beacon"}]),
            (
                "hubspot",
                [
                    "trackCustomBehavioralEvent",
                    {"name": "pe1234567_added_to_basket", "properties": props},
                ],
            ),
            ("kissmetrics", ["record", "Added To Basket", props]),
        ]
    )
    assert browser_page.errors == []
