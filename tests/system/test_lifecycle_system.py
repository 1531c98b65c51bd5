"""Stopping ``sciatica-bot run`` while it answers: every update it received is answered once
and confirmed to Telegram before it exits, so a restart does not answer it again."""

from __future__ import annotations

import pytest
from sysbot import System, pause

pytestmark = pytest.mark.e2e

PERSON = 6161


def test_updates_handled_at_shutdown_are_confirmed(start_system):
    system: System = start_system(VOICE="off")
    api = system.api
    api.slow_next("sendMessage", 3.0)  # the answer is on its way when SIGTERM arrives
    update_id = api.push_message("/help", chat_id=PERSON)
    pause(1.0)
    assert system.bot.stop() == 0, system.bot.output
    assert len(system.to(PERSON)) == 1  # answered before exiting
    offsets = [int(c.params.get("offset") or 0) for c in api.calls_to("getUpdates")]
    assert max(offsets) > update_id, offsets  # confirmed: Telegram drops it
    assert not api.updates_ready(None)  # a restart would get nothing to answer again
