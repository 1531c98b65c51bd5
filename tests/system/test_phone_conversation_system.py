"""A person on a phone, twenty turns through ``sciatica-bot run``: short messages, only the
newest answer with live buttons, "typing…" before a slow answer, and no cold dead end."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fake_bot_api import html_to_text
from sysbot import REPLY_TIMEOUT, System

from bot.handover import ASK, SEND
from bot.replies import BACK, DETAILS, REST

pytestmark = pytest.mark.e2e

PERSON = 6161
STAFF = -1006667778889
PHONE_LIMIT = 1000
"""No message the person did not ask to see in full is longer than this."""

COLD = "Sorry, I can only answer"

# Each turn: ("say", text) or ("tap", payload or a callable picking one from the buttons);
# "full" marks a turn that asks for the rest (More, Details): its message may be long.
SCRIPT: list[tuple[str, Any]] = [
    ("say", "/start"),
    ("say", "what are the symptoms of sciatica"),
    ("say", "what can I do about it?"),
    ("say", "ok"),
    ("tap", "neuromuscular_massage"),
    ("full", REST + "neuromuscular_massage"),
    ("say", "and how long dose it last?"),
    ("say", "what about massage?"),
    ("say", "what about massage?"),
    ("say", "whats the cure"),
    ("say", "how often should I come for a massage"),
    ("say", "can a massage gun help"),
    ("say", "muscle"),
    ("tap", lambda payloads: payloads[0]),
    ("tap", BACK),
    ("say", "/privacy"),
    ("full", DETAILS),
    ("say", "do you do home visits?"),
    ("tap", ASK),
    ("slow", SEND),
]


def person_messages(system: System) -> list[dict[str, Any]]:
    """The bot's messages in the person's chat as they stand now (after edits)."""
    with system.api._cond:
        return [dict(m) for m in system.api.sent if m["chat"]["id"] == PERSON]


def settle(system: System, count: int) -> list[dict[str, Any]]:
    """Wait for ``count`` messages in all and for the old buttons to be gone."""
    system.wait(PERSON, count)
    deadline = time.monotonic() + REPLY_TIMEOUT
    while True:
        messages = person_messages(system)
        live = [m for m in messages[:-1] if m.get("reply_markup")]
        if not live or time.monotonic() > deadline:
            return messages
        time.sleep(0.05)


def test_a_twenty_turn_phone_conversation(start_system) -> None:
    system: System = start_system(groups={STAFF: "supergroup"}, STAFF_CHAT_ID=str(STAFF))
    api = system.api
    assert len(SCRIPT) == 20
    typing_before_slow = 0
    chosen_prompt: int | None = None
    for number, (how, what) in enumerate(SCRIPT, start=1):
        before_calls = len(api.calls)
        if how == "say":
            api.push_message(what, chat_id=PERSON)
            asked_text = what
        else:
            last = person_messages(system)[-1]
            payloads = [
                b.get("callback_data", "")
                for row in last["reply_markup"]["inline_keyboard"]
                for b in row
            ]
            payload = what(payloads) if callable(what) else what
            assert payload in payloads, (number, payload, payloads)  # a button the person sees
            if "Did you mean" in last.get("text", ""):
                chosen_prompt = last["message_id"]
            api.push_callback(payload, chat_id=PERSON, message_id=last["message_id"])
            asked_text = ""
        messages = settle(system, number)  # one message a turn
        reply = messages[-1]
        text = html_to_text(reply.get("text", ""))
        where = f"turn {number} ({how} {what!r}): {text[:120]!r}"

        # one phone screen unless the rest was asked for
        if how != "full":
            assert len(text) <= PHONE_LIMIT, where
        # no live buttons on any message but the last
        assert not [m["message_id"] for m in messages[:-1] if m.get("reply_markup")], where
        # never the cold "Sorry, I can only answer"; an unsure reply offers the closest topics
        assert COLD not in text, where
        if text.startswith("I'm not sure I have an answer"):
            labels = [b["text"] for row in reply["reply_markup"]["inline_keyboard"] for b in row]
            assert len(labels) >= 4 and labels[-1] == "Topics", where
        # "typing…" once before the slow reply (the ticket posted to the clinic)
        calls = api.calls[before_calls:]
        typing = [
            i
            for i, c in enumerate(calls)
            if c.method == "sendChatAction" and c.params.get("chat_id") == PERSON
        ]
        if how == "slow":
            answer_at = max(
                i
                for i, c in enumerate(calls)
                if c.method == "sendMessage" and c.params.get("chat_id") == PERSON
            )
            assert len(typing) == 1 and typing[0] < answer_at, where
            assert all(
                c.params.get("action") == "typing" for c in calls if c.method == "sendChatAction"
            )
            typing_before_slow += 1
        if asked_text == "what about massage?" and number == 9:
            # asked again after the session's length (a clinic fact): about the massage
            assert text.startswith("Our clinic's article says massage can help"), where
        if asked_text == "whats the cure" and number == 10:
            assert text.startswith("As above"), where  # the same answer twice in a row
        if number == 14:  # a "Did you mean" choice: the prompt now names the topic chosen
            assert chosen_prompt is not None
            prompt = api.message_in(PERSON, chosen_prompt)
            assert html_to_text(prompt["text"]).startswith("You chose: ")
            assert not prompt.get("reply_markup")
    assert typing_before_slow == 1
    assert len(person_messages(system)) == len(SCRIPT)
    (ticket,) = system.wait(STAFF, 1)
    assert "home visits" in ticket
    system.stop_cleanly()
