"""Conversations as people have them: safety outcomes in the dialogue, stories, the clinic's
facts, and the small things that make a chat feel right."""

from __future__ import annotations

import dataclasses

import pytest

from bot.content import Content
from bot.dialogue import Dialogue
from bot.replies import BACK, MENU, NOT_URGENT, ChatState
from bot.settings import Clinic, SafetySettings
from bot.telegram import keyboard_for

# --- safety in the dialogue -------------------------------------------------------------


def test_urgent_then_i_dont_have_these_symptoms_then_a_normal_answer(dialogue: Dialogue) -> None:
    urgent, state = dialogue.handle(ChatState(), "since this morning i cant feel it when i wipe")
    assert urgent.kind == "red_flag"
    menu, state = dialogue.handle(state, payload=NOT_URGENT)
    assert menu.kind == "menu" and len(menu.buttons) > 5
    reply, _ = dialogue.handle(state, "ok but is massage safe for me?")
    assert reply.intent == "massage_safety"


def test_crisis_comes_first_with_the_configured_lines(content: Content) -> None:
    dialogue = Dialogue(
        content, safety=SafetySettings(emergency_number="999", crisis_line="Samaritans on 116 123")
    )
    reply, state = dialogue.handle(
        ChatState("sciatica_causes"),
        "my sciatica is so bad i dont want to live anymore, can massage help?",
    )
    assert reply.kind == "crisis" and reply.sensitive
    assert "999" in reply.text and "Samaritans on 116 123" in reply.text
    # the topic stays; the chat remembers that the crisis answer was the last reply
    assert state == ChatState("sciatica_causes", last_kind="crisis")


def test_crisis_without_a_configured_line_names_a_generic_one(dialogue: Dialogue) -> None:
    reply, _ = dialogue.handle(ChatState(), "thinking about ending it all tbh")
    assert reply.kind == "crisis" and "crisis line" in reply.text
    assert "{" not in reply.text


@pytest.mark.parametrize(
    "message",
    [
        "when should I see a doctor",
        "should I see a doctor",
        "what are the red flags",
        "when should I go to A&E",
        "what symptoms mean I should go to hospital?",
        "is it serious",
        "can sciatica make you lose bladder control?",
        "is foot drop serious?",
    ],
)
def test_asking_when_to_worry_gets_the_guidance(dialogue: Dialogue, message: str) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.intent == "when_to_get_help", (message, reply.kind, reply.candidates)
    assert not reply.red_flag


def test_the_advice_line_is_added_when_set(content: Content) -> None:
    dialogue = Dialogue(content, safety=SafetySettings(urgent_advice_line="NHS 111"))
    reply, _ = dialogue.handle(ChatState(), payload="when_to_get_help")
    assert "NHS 111" in reply.text


@pytest.mark.parametrize(
    "message",
    [
        "no numbness down there, just my leg. what causes this?",
        "peeing is fine btw, no issues there. can massage help?",
        "my aunt had cancer but i just have sciatica, what is it exactly",
    ],
)
def test_a_denied_or_past_red_flag_is_answered_with_one_safety_line(
    dialogue: Dialogue, content: Content, message: str
) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.kind == "answer" and not reply.red_flag, reply
    assert reply.text.endswith(content.messages["safety_line"])
    assert reply.sensitive


@pytest.mark.parametrize(
    "message", ["my back hurts", "back pain", "i hurt my back", "pain down the back of my leg"]
)
def test_everyday_pain_gets_a_normal_answer(dialogue: Dialogue, message: str) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert not reply.red_flag and reply.kind != "crisis", message


@pytest.mark.parametrize("how", ["button", "start", "typed"])
def test_red_flags_never_become_the_chats_topic(dialogue: Dialogue, how: str) -> None:
    state = ChatState("piriformis_syndrome", ("sciatica_definition",))
    if how == "button":
        _, after = dialogue.handle(state, payload="red_flags")
    elif how == "typed":
        _, after = dialogue.handle(state, "i keep leaking and my legs are weak")
    else:
        reply = dialogue.topic("red_flags")
        assert reply is not None
        after = state
    assert (after.last_intent, after.history) == (state.last_intent, state.history)


# --- stories ----------------------------------------------------------------------------


def test_a_worried_story_is_not_sent_away(dialogue: Dialogue) -> None:
    reply, _ = dialogue.handle(
        ChatState(),
        "hi, sorry I'm really worried. I've had sciatica for 2 weeks and I keep reading scary "
        "things online",
    )
    assert reply.kind != "fallback", reply.candidates


def test_the_question_at_the_end_of_a_story_is_answered(dialogue: Dialogue) -> None:
    story = (
        "I'm 43 and work as a bus driver, so I'm sat down for 9 hours most days. About a "
        "month ago I started getting a deep ache in my right buttock that now runs down the "
        "back of my thigh. My physio mentioned the piriformis. Can massage fix this, and is it "
        "likely to come back?"
    )
    reply, _ = dialogue.handle(ChatState(), story)
    assert reply.intent in {"massage_for_sciatica", "piriformis_syndrome", "neuromuscular_massage"}


# --- the clinic's facts and booking -----------------------------------------------------

CLINIC = Clinic(
    name="Back in Balance", phone="020 7946 0000", booking_url="https://example.org/book"
)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("how much does it cost", "clinic_prices"),
        ("can i book with u", "clinic_booking"),
        ("opening hours", "clinic_location_hours"),
    ],
)
def test_clinic_questions_get_the_clinics_contact_never_another_therapist(
    content: Content, message: str, intent: str
) -> None:
    dialogue = Dialogue(content, clinic=CLINIC)
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.intent == intent, reply.candidates
    assert "020 7946 0000" in reply.text
    assert "qualified massage therapist" not in reply.text


def test_a_filled_in_fact_is_said(content: Content) -> None:
    prices = content.responses["clinic_prices"]
    responses = dict(content.responses)
    responses["clinic_prices"] = dataclasses.replace(prices, text="A 60-minute session is £55.")
    dialogue = Dialogue(dataclasses.replace(content, responses=responses), clinic=CLINIC)
    reply, _ = dialogue.handle(ChatState(), "how much is a session")
    assert reply.text.startswith("A 60-minute session is £55.")


@pytest.mark.parametrize(
    "intent",
    [
        "massage_for_sciatica",
        "neuromuscular_massage",
        "other_treatments",
        "find_therapist",
        "piriformis_syndrome",
    ],
)
def test_book_button_under_every_massage_answer_when_booking_is_set(
    content: Content, intent: str
) -> None:
    reply = Dialogue(content, clinic=CLINIC).answer(intent)
    assert any(b.url == CLINIC.booking_url for b in reply.buttons), reply.buttons


def test_massage_safety_is_answered_honestly(dialogue: Dialogue) -> None:
    for message in ("can massage make it worse", "is massage safe"):
        reply, _ = dialogue.handle(ChatState(), message)
        assert reply.intent == "massage_safety", (message, reply.candidates)
        assert "massage can help" not in reply.text.lower()


@pytest.mark.parametrize(
    "message",
    ["stretches for sciatica", "painkillers ok?", "can I take gabapentin 300mg with tramadol"],
)
def test_topics_the_article_does_not_cover_quote_nothing(
    dialogue: Dialogue, content: Content, message: str
) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    if reply.kind == "did_you_mean":  # close call: the honest topic is among the options
        offered = [b.payload for b in reply.buttons]
        assert any(content.responses[p].kind == "not_covered" for p in offered if p != MENU)
        return
    assert reply.intent is not None, (message, reply.candidates)
    assert content.responses[reply.intent].kind == "not_covered"
    assert "“" not in reply.text


# --- polish -----------------------------------------------------------------------------


def test_emoji_only_gets_a_friendly_prompt(dialogue: Dialogue) -> None:
    reply, _ = dialogue.handle(ChatState(), "👍🙏")
    assert reply.kind == "emoji_only" and "empty" not in reply.text.lower()


@pytest.mark.parametrize(("before", "symbols"), [("", "£?"), ("what is sciatica", "££?? 🙏")])
def test_a_currency_sign_alone_asks_the_price(
    dialogue: Dialogue, before: str, symbols: str
) -> None:
    """ "££?" is how much, in a new chat or after any answer (a short question of price)."""
    state = ChatState()
    if before:
        _, state = dialogue.handle(state, before)
    reply, _ = dialogue.handle(state, symbols)
    assert reply.intent == "clinic_prices", (reply.kind, reply.intent)


def test_back_without_history_is_not_a_question(dialogue: Dialogue) -> None:
    reply, state = dialogue.handle(ChatState(), "back")
    assert reply.kind == "no_history" and state == ChatState()


def test_long_menus_show_two_buttons_a_row(dialogue: Dialogue) -> None:
    for reply in (dialogue.menu(), dialogue.handle(ChatState(), "go back")[0]):
        keyboard = keyboard_for(reply.buttons)
        assert keyboard is not None
        rows = keyboard.inline_keyboard
        assert len(rows) == (len(reply.buttons) + 1) // 2
        assert all(len(row) <= 2 for row in rows)


def test_help_lists_the_commands(dialogue: Dialogue) -> None:
    text = dialogue.help().text
    for command in ("/topics", "/book", "/about", "/privacy", "/forget", "/optout", "/optin"):
        assert command in text
    assert text != dialogue.about().text


def test_tell_me_more_never_repeats_the_last_three_answers(dialogue: Dialogue) -> None:
    state = ChatState()
    seen: list[str] = []
    reply, state = dialogue.handle(state, payload="sciatica_definition")
    seen.append("sciatica_definition")
    for _ in range(6):
        reply, state = dialogue.handle(state, "tell me more")
        assert reply.intent is not None and reply.intent not in seen[-3:], (reply.intent, seen)
        seen.append(reply.intent)


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("hola, tengo dolor en la pierna desde hace una semana", "solo puedo responder en inglés"),
        ("bonjour, j'ai mal au dos et à la jambe", "qu'en anglais"),
        ("hallo, ich habe Schmerzen im Bein und im Rücken", "nur auf Englisch"),
        ("у меня болит спина и нога", "только на английском"),
        ("olá, tenho dor na perna e nas costas", "só consigo responder em inglês"),
    ],
)
def test_other_languages_are_told_in_their_language(
    dialogue: Dialogue, message: str, words: str
) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert words in reply.text, reply.text


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("ok thx man", "thanks"),
        ("thank you, sorry for all the questions", "thanks"),
        ("is this advice from a doctor?", "about_bot"),
    ],
)
def test_small_talk_as_people_say_it(dialogue: Dialogue, message: str, intent: str) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.intent == intent, reply.candidates


def test_back_button_still_returns(dialogue: Dialogue) -> None:
    _, state = dialogue.handle(ChatState(), payload="sciatica_definition")
    _, state = dialogue.handle(state, payload="piriformis_syndrome")
    reply, state = dialogue.handle(state, payload=BACK)
    assert reply.intent == "sciatica_definition"
    assert MENU in [b.payload for b in reply.buttons]


# --- through the service (store below) ----------------------------------------------------


def test_after_optout_tell_me_more_says_why_it_has_no_memory(dialogue: Dialogue) -> None:
    from bot.service import ChatService
    from bot.store import Store

    service = ChatService(dialogue, Store())
    service.press("c", "sciatica_causes")
    service.command("c", "optout")
    reply = service.message("c", "tell me more")
    assert reply.kind == "no_memory" and "/optout" in reply.text


def test_privacy_status_does_not_point_above_itself(dialogue: Dialogue) -> None:
    from bot.service import ChatService
    from bot.store import Store

    text = ChatService(dialogue, Store()).privacy("c").text
    assert "above" not in text


def test_nothing_of_a_near_urgent_message_is_kept(dialogue: Dialogue) -> None:
    from bot.service import ChatService
    from bot.store import Store

    store = Store()
    service = ChatService(dialogue, store)
    for message in (
        "i couldnt go to the toilet all day",
        "peeing is fine btw, no issues there",
        "can sciatica make you lose bladder control?",
    ):
        service.message("c", message)
    service.press("c", "red_flags")
    service.command("c", "start", "red_flags")
    assert store.state("c").last_intent != "red_flags"
    assert "red_flags" not in store.state("c").history
    store.flush_unanswered()  # questions are written in batches
    with store._lock:
        rows = store._db.execute("SELECT text FROM unanswered").fetchall()
    assert rows == []


def test_the_safety_settings_are_read_from_the_environment() -> None:
    from bot.settings import DEFAULT_EMERGENCY_NUMBER, load_settings

    plain = load_settings({}).safety
    assert plain.emergency_number == DEFAULT_EMERGENCY_NUMBER
    assert plain.urgent_advice_line == plain.crisis_line == ""
    set_ = load_settings(
        {"EMERGENCY_NUMBER": "999", "URGENT_ADVICE_LINE": "NHS 111", "CRISIS_LINE": "Samaritans"}
    ).safety
    assert (set_.emergency_number, set_.urgent_advice_line, set_.crisis_line) == (
        "999",
        "NHS 111",
        "Samaritans",
    )


def test_the_urgent_answer_names_the_configured_number(content: Content) -> None:
    dialogue = Dialogue(content, safety=SafetySettings(emergency_number="000"))
    reply, _ = dialogue.handle(ChatState(), "i cant control my bladder since this morning")
    assert reply.kind == "red_flag" and "call 000" in reply.text and "{" not in reply.text


@pytest.mark.parametrize(
    "said",
    [
        "right thats me sorted. off to make dinner, see you",
        "gotta go, the baby is crying, bye",
        "ok that covers it. need to walk the dog before it rains, bye for now",
        "think thats everything. have to dash to a meeting now, take care",
        "brill. right, the school run calls, speak soon",
    ],
)
def test_a_message_closed_by_a_farewell_is_goodbye(dialogue: Dialogue, said: str) -> None:
    """A message that asks nothing and ends by taking leave ("..., bye for now") is a goodbye,
    whatever errand it names on the way out."""
    for state in (ChatState(), ChatState("sciatica_definition")):
        reply, _ = dialogue.handle(state, said)
        assert reply.intent == "goodbye", (said, reply.kind, reply.intent)


@pytest.mark.parametrize(
    "said",
    [
        "bye the way, does massage help sciatica",
        "my leg hurts most at night",
        "will i be able to see you on saturday",
        "gotta go soon, how much is a session? bye",
        "my physio told me to take care",
        "it hurts more when i sit and stand up to see you",
    ],
)
def test_a_question_or_a_story_that_ends_like_a_farewell_is_asked(
    dialogue: Dialogue, said: str
) -> None:
    reply, _ = dialogue.handle(ChatState(), said)
    assert reply.intent != "goodbye", (said, reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("said", "want"),
    [
        ("great thanks, where are you based", "clinic_location_hours"),
        ("thanks where are you", "clinic_location_hours"),
        ("perfect thanks how do i book", "clinic_booking"),
        ("thank you, whats the difference with piriformis", "sciatica_vs_piriformis"),
        ("lovely, cheers. and how much is a session", "clinic_prices"),
    ],
)
def test_thanks_that_go_on_to_ask_are_the_question(
    dialogue: Dialogue, said: str, want: str
) -> None:
    """Thanks that open a question ("great thanks, where are you based") are read as the
    question: the thanks weigh nothing against what is asked."""
    reply, _ = dialogue.handle(ChatState("massage_safety"), said)
    assert reply.intent == want, (said, reply.kind, reply.intent, reply.candidates[:3])


@pytest.mark.parametrize(
    ("said", "want"),
    [
        (
            "thank you so much. my husband is asking, does he need a referral",
            {"clinic_first_visit"},
        ),
        (
            "thanks, that helps. my dad has it too, is he ok to drive",
            {"work_driving"},
        ),
    ],
)
def test_thanks_then_a_question_about_someone_else_is_the_question(
    dialogue: Dialogue, said: str, want: set[str]
) -> None:
    """Thanks, then a question put about someone else ("does he need a referral"): asked,
    not thanked for."""
    reply, _ = dialogue.handle(ChatState("sciatica_definition"), said)
    assert reply.intent in want, (said, reply.kind, reply.intent, reply.candidates[:3])
