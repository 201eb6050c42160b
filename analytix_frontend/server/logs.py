"""Where a call that was not delivered is logged: one line for people, one for replaying it.

`analytix_frontend.server` gets ordinary lines only, without personal data or secrets: the
service, the action and what went wrong. `analytix_frontend.server.replay` gets the call
itself, as JSON that `analytix_frontend.server.send(json.loads(...))` sends again, with the
vendor's (redacted) answer: route it to a place fit for personal data. Both lines of one
failure carry the same reference: the call's id (a short random one for a call that has no
record).
"""

from __future__ import annotations

import logging
import secrets

from analytix_frontend.server.calls import Call

logger = logging.getLogger("analytix_frontend.server")
replay_logger = logging.getLogger("analytix_frontend.server.replay")

REPLAY_MARK = "Replay: "  # the replay line's JSON follows the first one


def log_failure(call: Call, summary: str, detail: str = "") -> None:
    """`summary` (e.g. "HubSpot contact update failed: answered 503") must be free of
    personal data; `detail`, the vendor's answer, goes only to the replay line."""
    reference = f"call {call.id}" if call.id else f"replay {secrets.token_hex(4)}"
    logger.error("%s (%s).", summary, reference)
    replay_logger.error(
        "%s%s (%s). %s%s",
        summary,
        f": {detail}" if detail else "",
        reference,
        REPLAY_MARK,
        call.as_json(),
    )
