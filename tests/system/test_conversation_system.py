"""A person's conversation through ``sciatica-bot run``: the topic buttons and Back, "Did you
mean", and voice notes (with the speech model, where the ``voice`` extra is installed)."""

from __future__ import annotations

from functools import partial

import pytest
from harness import skip_unless_ci
from locations import DATA
from sysbot import System

from bot import voice
from bot.dialogue import Dialogue
from bot.handover import SEND
from bot.replies import BACK, ChatState

pytestmark = pytest.mark.e2e

PERSON = 5151
NEWCOMER = 5152
STAFF = -1002223334445
CLIPS = DATA / "voice"
VOICE_TIMEOUT = 180.0
"""Seconds for a voice note's answer: the model loads in the background at start-up."""


def needs_voice() -> None:
    """Skip without the voice extra, except in CI, where a skip would hide the check."""
    if voice.available():
        return
    skip_unless_ci("the voice extra is not installed (pip install -e '.[voice]'; make test does)")


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def test_topic_buttons_back_and_did_you_mean(start_system, dialogue: Dialogue):
    system: System = start_system()
    api = system.api
    welcome = system.next_reply(PERSON, lambda: api.push_message("/start", chat_id=PERSON))
    assert first_line(welcome) == first_line(dialogue.welcome().text)
    assert "sciatica_causes" in system.payloads(PERSON)

    # a topic button, then another, then Back
    state = ChatState()
    for topic in ("sciatica_causes", "piriformis_syndrome"):
        expected, state = dialogue.handle(state, payload=topic)
        got = system.next_reply(PERSON, partial(api.push_callback, topic, chat_id=PERSON))
        assert first_line(got) == first_line(expected.text)
    assert BACK in system.payloads(PERSON)
    expected, state = dialogue.handle(state, payload=BACK)
    back = system.next_reply(PERSON, lambda: api.push_callback(BACK, chat_id=PERSON))
    assert first_line(back) == first_line(expected.text)
    assert expected.intent == "sciatica_causes"

    # "Did you mean" (in a new chat: after the causes, "muscle" is read as about them): the
    # candidates as buttons; pressing one answers it
    expected, _ = dialogue.handle(ChatState(), "muscle")
    assert expected.kind == "did_you_mean"
    offer = system.next_reply(NEWCOMER, lambda: api.push_message("muscle", chat_id=NEWCOMER))
    assert first_line(offer) == first_line(expected.text)
    candidates = [b.payload for b in expected.buttons]
    assert system.payloads(NEWCOMER) == candidates
    chosen, _ = dialogue.handle(ChatState(), payload=candidates[0])
    got = system.next_reply(NEWCOMER, lambda: api.push_callback(candidates[0], chat_id=NEWCOMER))
    assert first_line(got) == first_line(chosen.text)
    assert len(api.calls_to("answerCallbackQuery")) >= 4  # every press acknowledged
    system.stop_cleanly()


def test_a_voice_note_is_answered_and_can_become_a_question(start_system, dialogue: Dialogue):
    needs_voice()
    system: System = start_system(groups={STAFF: "supergroup"}, STAFF_CHAT_ID=str(STAFF))
    api = system.api
    clip = (CLIPS / "04-festival-kal.ogg").read_bytes()  # "what causes sciatica..."
    api.push_voice(clip, duration=3, chat_id=PERSON)
    api.wait_for_sync(
        "sendMessage", 2, where=lambda c: c.params.get("chat_id") == PERSON, timeout=VOICE_TIMEOUT
    )
    heard, answer = system.texts(PERSON)[:2]
    assert heard.startswith("I heard:") and "sciatica" in heard.lower()
    # "typing…" while the note was being transcribed (again every few seconds for a long
    # one), all of it before anything was said
    typing = [c for c in api.calls_to("sendChatAction") if c.params["chat_id"] == PERSON]
    assert typing and all(c.params["action"] == "typing" for c in typing)
    assert max(c.at for c in typing) < system.to(PERSON)[0].at
    expected = dialogue.answer("sciatica_causes")
    assert first_line(answer) == first_line(expected.text)
    assert api.calls_to("getFile") and api.calls_to("download")

    # while a question for the clinic is being written, a voice note becomes its text
    system.next_reply(PERSON, lambda: api.push_message("/ask", chat_id=PERSON))
    before = len(system.to(PERSON))
    api.push_voice(clip, duration=3, chat_id=PERSON)
    system.wait(PERSON, before + 2)
    draft = system.texts(PERSON)[-1]
    assert "Send your question to the clinic as well?" in draft or "Send this question" in draft
    assert system.payloads(PERSON)[0] == SEND
    system.next_reply(PERSON, lambda: api.push_callback(SEND, chat_id=PERSON))
    (ticket,) = system.wait(STAFF, 1)
    assert ticket.startswith("Question #1 from Pat:") and "sciatica" in ticket.lower()
    output = system.stop_cleanly()
    assert "causes sciatica" not in output.lower()  # the words heard are not logged at INFO
