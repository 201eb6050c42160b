"""The compressor bundle template and CORE_SCRIPTS must list the same files in the same order."""

from __future__ import annotations

import re
from pathlib import Path

from analytix_frontend.rendering import BUNDLE_TEMPLATE, all_script_files


def test_bundle_template_lists_every_first_party_file_in_load_order() -> None:
    text = (Path(__file__).parent.parent / "templates" / BUNDLE_TEMPLATE).read_text()
    assert re.findall(r"\{% static '([^']+)' %\}", text) == list(all_script_files())
