"""The transport-neutral conversation: replies, buttons, state."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from locations import REPO

from bot.content import MAX_MESSAGE_CHARS, Content, load_content
from bot.dialogue import Dialogue
from bot.replies import BACK, MENU, NOT_URGENT, REST, ChatState, Reply
from bot.settings import Clinic, MatchSettings


def test_question_gets_excerpt_care_and_follow_ups(dialogue: Dialogue, content: Content) -> None:
    reply, state = dialogue.handle(ChatState(), "wat causes siatica")
    response = content.responses["sciatica_causes"]
    assert reply.intent == "sciatica_causes" and reply.kind == "answer"
    assert all(excerpt in reply.text for excerpt in response.excerpts)
    assert reply.text.endswith(response.care)
    payloads = [b.payload for b in reply.buttons]
    assert payloads[: len(response.follow_ups)] == list(response.follow_ups)
    assert "find_therapist" in payloads and payloads[-1] == MENU
    assert state == ChatState(last_intent="sciatica_causes")


def test_button_press_goes_straight_to_its_intent(dialogue: Dialogue) -> None:
    reply, state = dialogue.handle(ChatState(), "this text is ignored", payload="trigger_point_4")
    assert reply.intent == "trigger_point_4" and reply.score == 100.0
    assert state.last_intent == "trigger_point_4"


def test_stale_button_gets_a_note_and_the_menu(dialogue: Dialogue, content: Content) -> None:
    reply, state = dialogue.handle(ChatState("greeting"), payload="topic_from_2019")
    assert reply.kind == "stale_button"
    assert [b.payload for b in reply.buttons] == list(content.menu)
    assert state == ChatState("greeting")


def test_red_flag_wins_with_one_way_on(dialogue: Dialogue) -> None:
    state = ChatState("sciatica_causes", ("sciatica_definition",))
    reply, after = dialogue.handle(state, "i have sciatica and now i cant hold my pee")
    assert reply.red_flag and reply.intent == "red_flags" and reply.sensitive
    assert [b.payload for b in reply.buttons] == [NOT_URGENT]
    assert "emergency" in reply.text.lower() or "999" in reply.text
    # the urgent answer never becomes the topic; the chat only notes, for the next message,
    # that it was just shown (the store never writes that down: tests/unit/store/test_store.py)
    assert (after.last_intent, after.history) == (state.last_intent, state.history)
    assert after.last_kind == "urgent"


def test_fallback_says_what_the_bot_can_do_and_offers_topics(
    dialogue: Dialogue, content: Content
) -> None:
    reply, state = dialogue.handle(ChatState("sciatica_causes"), "what's the weather like")
    assert reply.kind == "fallback" and reply.intent is None
    assert reply.text == content.messages["fallback"]
    # the three closest topics, Back to the topic answered before the miss, and Topics;
    # the full menu only on request
    payloads = [b.payload for b in reply.buttons]
    assert payloads[-2:] == [BACK, MENU] and len(payloads) == 5
    assert all(p in content.responses for p in payloads[:3])
    assert "Sorry, I can only answer" not in reply.text
    assert state == ChatState("sciatica_causes", last_kind="fallback")


def test_did_you_mean_offers_each_close_intent(content: Content) -> None:
    dialogue = Dialogue(content, match=MatchSettings(threshold=30.0, margin=100.0))
    # topics of two families (two sides of one are told apart: the matcher's siblings)
    reply, _ = dialogue.handle(ChatState(), "piriformis and massage")
    assert reply.kind == "did_you_mean"
    intents = [b.payload for b in reply.buttons if b.payload != MENU]
    assert len(intents) >= 2
    assert intents[0] == reply.candidates[0][0]


def test_empty_message(dialogue: Dialogue) -> None:
    reply, _ = dialogue.handle(ChatState(), "   \n ")
    assert reply.kind == "empty" and reply.buttons


def test_more_follows_on_from_the_last_topic(dialogue: Dialogue, content: Content) -> None:
    reply, _ = dialogue.handle(ChatState("piriformis_syndrome"), "tell me more")
    assert reply.intent == content.responses["piriformis_syndrome"].follow_ups[0]


def _labels(reply: Reply) -> list[str]:
    return [b.payload for b in reply.buttons]


def test_back_button_walks_back_through_the_topics(dialogue: Dialogue) -> None:
    first, state = dialogue.handle(ChatState(), "what is piriformis syndrome")
    assert BACK not in _labels(first)  # nowhere to go back to yet
    second, state = dialogue.handle(state, payload="neuromuscular_massage")
    assert _labels(second)[-2:] == [BACK, MENU]
    _, state = dialogue.handle(state, "what causes sciatica")
    assert state == ChatState("sciatica_causes", ("piriformis_syndrome", "neuromuscular_massage"))
    back, state = dialogue.handle(state, payload=BACK)
    assert back.intent == "neuromuscular_massage" and BACK in _labels(back)
    back, state = dialogue.handle(state, "go back")
    assert back.intent == "piriformis_syndrome" and BACK not in _labels(back)
    assert state == ChatState("piriformis_syndrome", ())
    menu, state = dialogue.handle(state, payload=BACK)  # an old Back button, nothing left
    assert menu.kind == "menu" and state == ChatState("piriformis_syndrome", ())


def test_history_keeps_five_topics_and_skips_small_talk_and_red_flags(
    dialogue: Dialogue, content: Content
) -> None:
    state = ChatState()
    topics = content.menu[:7]
    for topic in topics:
        _, state = dialogue.handle(state, payload=topic)
        _, state = dialogue.handle(state, "thanks")
    # "thanks" keeps the chat on its topic; the newest five earlier topics are kept
    assert state == ChatState(topics[6], tuple(topics[1:6]))
    urgent, state = dialogue.handle(state, "i cant control my bladder and my legs are numb")
    assert urgent.red_flag and [b.payload for b in urgent.buttons] == [NOT_URGENT]
    _, state = dialogue.handle(state, payload="sciatica_causes")
    assert "red_flags" not in state.history and "thanks" not in state.history


def test_a_short_follow_up_question_is_read_in_context(dialogue: Dialogue) -> None:
    alone, _ = dialogue.handle(ChatState(), "and the treatment?")
    assert alone.kind == "did_you_mean"
    offered = [p for p in _labels(alone) if p != MENU]
    follow_ups = dialogue.content.responses["piriformis_syndrome"].follow_ups
    in_both = [intent for intent in offered if intent in follow_ups]
    assert len(in_both) == 1
    after, state = dialogue.handle(ChatState("piriformis_syndrome"), "and the treatment?")
    assert after.kind == "answer" and after.intent == in_both[0]
    assert state.last_intent == in_both[0]


def test_find_therapist_without_clinic_invents_nothing(dialogue: Dialogue) -> None:
    reply = dialogue.book()
    assert reply.intent == "find_therapist"
    assert not any(b.url for b in reply.buttons)
    assert "Phone:" not in reply.text


def test_find_therapist_uses_the_clinic_settings(content: Content) -> None:
    clinic = Clinic(
        name="Back in Balance",
        phone="+44 20 0000 0000",
        booking_url="https://example.org/book",
        hours="Mon-Fri 9-18",
    )
    reply = Dialogue(content, clinic).book()
    assert "Back in Balance" in reply.text and "+44 20 0000 0000" in reply.text
    assert "Mon-Fri 9-18" in reply.text and "Address" not in reply.text
    assert reply.buttons[0].url == "https://example.org/book"
    with_booking = Dialogue(content, clinic).answer("massage_for_sciatica")
    assert "find_therapist" in [b.payload for b in with_booking.buttons]


def test_welcome_menu_topic_and_search(dialogue: Dialogue, content: Content) -> None:
    assert [b.payload for b in dialogue.welcome().buttons] == list(content.menu)
    assert dialogue.topic("piriformis_syndrome").intent == "piriformis_syndrome"
    assert dialogue.topic("nope") is None
    results = dialogue.search("piriformis")
    assert results and len(results) <= 5
    assert all(r.intent for r in results)
    urgent = dialogue.search("sciatica in both legs and cant pee")
    assert urgent[0].red_flag


def test_every_answer_fits_telegram_and_every_button_payload_fits(
    dialogue: Dialogue, content: Content
) -> None:
    for intent in content.responses:
        reply = dialogue.answer(intent)
        assert 0 < len(reply.text) <= MAX_MESSAGE_CHARS
        for button in reply.buttons:
            assert button.url or len(button.payload.encode()) <= 64
            target = button.payload.removeprefix(REST)
            assert button.url or target == MENU or target in content.responses
        payloads = [b.payload or b.url for b in reply.buttons]
        assert len(payloads) == len(set(payloads)), (intent, payloads)  # no button twice


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_reply(text: str) -> None:
    reply, state = _DIALOGUE.handle(ChatState(), text)
    assert isinstance(reply, Reply) and isinstance(state, ChatState)
    assert 0 < len(reply.text) <= MAX_MESSAGE_CHARS


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80), st.sampled_from(["", "sciatica ", "pee ", "🙂" * 50]))
def test_any_payload_or_long_text_gives_a_reply(text: str, prefix: str) -> None:
    reply, _ = _DIALOGUE.handle(ChatState(), payload=text)
    assert reply.text
    long_reply, _ = _DIALOGUE.handle(ChatState(), (prefix + text + " ") * 200)
    assert long_reply.text


def _load() -> Dialogue:
    root = REPO
    return Dialogue(load_content(root / "intents", root / "responses"))


_DIALOGUE = _load()
