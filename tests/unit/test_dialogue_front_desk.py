"""The bot as a front desk: helpful when unsure, short on a phone, every-day questions read
by their kind (the Telegram side is in tests/system/test_phone_conversation_system.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import Content
from bot.dialogue import Dialogue
from bot.handover import ASK, HandOver
from bot.replies import BACK, DETAILS, MENU, PHONE_CHARS, REST, ChatState, Reply, cut
from bot.service import ChatService
from bot.settings import Clinic
from bot.store import Store, TicketStore
from bot.store.gate import StoreGate

PERSON = "telegram:42"
GROUP = "telegram:-1001234"
SORRY = "Sorry, I can only answer"


def talk(dialogue: Dialogue, *messages: str) -> tuple[Reply, ChatState]:
    state = ChatState()
    reply: Reply | None = None
    for message in messages:
        reply, state = dialogue.handle(state, message)
    assert reply is not None
    return reply, state


def payloads(reply: Reply) -> list[str]:
    return [b.payload for b in reply.buttons]


@pytest.fixture
def service(tmp_path: Path, dialogue: Dialogue) -> ChatService:
    store = Store(tmp_path / "bot.sqlite3")
    service = ChatService(dialogue, store)
    service.handover = HandOver(
        TicketStore(StoreGate(store)),
        dialogue,
        "telegram:-100555",
        clinic=Clinic(name="Back Clinic"),
    )
    return service


# --- fallbacks that help ---------------------------------------------------------------


@pytest.mark.parametrize("message", ["do you do home visits?", "whats your favourite colour"])
def test_a_fallback_offers_the_three_closest_topics_and_topics(
    dialogue: Dialogue, content: Content, message: str
) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.kind == "fallback"
    assert SORRY not in reply.text and len(reply.text) < 200
    topics = [p for p in payloads(reply) if p in content.responses]
    assert len(topics) == 3 and payloads(reply)[-1] == MENU
    assert len(reply.buttons) == 4  # not the whole menu
    own = [intent for intent, _ in reply.candidates if intent in content.responses]
    assert not own or topics[0] == own[0]  # closest to the message first


def test_the_fallback_after_a_topic_offers_that_topics_next_steps(
    dialogue: Dialogue, content: Content
) -> None:
    state = ChatState("sciatica_symptoms")
    reply, _ = dialogue.handle(state, "blah blah zebra")
    assert reply.kind == "fallback"
    offered = [p for p in payloads(reply) if p in content.responses]
    assert set(offered) & set(content.responses["sciatica_symptoms"].follow_ups)
    assert payloads(reply)[-2:] == [BACK, MENU]


def test_the_fallback_offers_the_clinic_in_private_only(service: ChatService) -> None:
    private = service.message(PERSON, "do you do home visits?")
    assert private.kind == "fallback" and ASK in payloads(private)
    assert payloads(private)[-1] == MENU
    group = service.message(GROUP, "do you do home visits?")
    assert group.kind == "fallback" and ASK not in payloads(group)


@pytest.mark.parametrize("ack", ["ok", "yes", "right", "ok thanks"])
def test_an_acknowledgement_gets_a_short_reply(dialogue: Dialogue, ack: str) -> None:
    reply, _ = talk(dialogue, "what are the symptoms of sciatica", ack)
    assert reply.kind == "answer" and reply.intent == "thanks"
    assert len(reply.text) < 150 and SORRY not in reply.text


# --- the every-day questions, one rule per class ---------------------------------------


def test_a_real_word_slip_is_read_as_the_word_meant(dialogue: Dialogue) -> None:
    reply, _ = talk(dialogue, "what are the symptoms of sciatica", "and how long dose it last?")
    assert reply.intent == "how_long"
    assert dialogue.handle(ChatState(), "how much of a dose of ibuprofen")[0].intent != "how_long"


def test_what_about_massage_after_the_symptoms_is_about_massage_for_it(
    dialogue: Dialogue,
) -> None:
    reply, _ = talk(dialogue, "what are the symptoms of sciatica", "what about massage?")
    assert reply.intent == "massage_for_sciatica"


@pytest.mark.parametrize(
    "message", ["how often should I come for a massage", "how many sessions will I need"]
)
def test_how_often_gets_the_topic_that_says_how_often(dialogue: Dialogue, message: str) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.intent == "neuromuscular_massage"


@pytest.mark.parametrize("message", ["can a massage gun help", "do massage guns work"])
def test_a_product_the_article_does_not_cover_gets_unsure_not_another_answer(
    dialogue: Dialogue, message: str
) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.kind == "fallback" and reply.intent is None
    assert "massage_for_sciatica" in payloads(reply)  # the closest topic is one tap away


@pytest.mark.parametrize("message", ["whats the cure", "is there a cure"])
def test_a_question_for_a_cure_gets_a_treatment(dialogue: Dialogue, message: str) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.intent in ("massage_for_sciatica", "other_treatments", "neuromuscular_massage")


@pytest.mark.parametrize(
    "message", ["pain in my bum since last month", "hip pain at night on my side"]
)
def test_pregnancy_is_not_offered_to_someone_who_did_not_mention_it(
    dialogue: Dialogue, message: str
) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.intent != "pregnancy" and "pregnancy" not in payloads(reply)
    mentioned, _ = dialogue.handle(ChatState(), "I'm pregnant, is sciatica common?")
    assert mentioned.intent == "pregnancy"


# --- short texts -------------------------------------------------------------------------


def test_long_answers_are_cut_for_a_phone_with_more_for_the_rest(
    dialogue: Dialogue, content: Content
) -> None:
    cut_any = False
    for intent in content.responses:
        reply = dialogue.answer(intent)
        whole = dialogue._whole_text(intent)
        if REST + intent not in payloads(reply):
            continue
        cut_any = True
        assert len(reply.text) <= PHONE_CHARS + 100  # the urgent advice line may follow
        rest, _ = dialogue.handle(ChatState(intent), payload=REST + intent)
        assert REST + intent not in payloads(rest) and rest.intent == intent
        # word for word: the two parts are the whole answer, cut between sentences or lines
        assert whole.startswith(reply.text) and whole[len(reply.text)] in " \n"
        assert " ".join(f"{reply.text} {rest.text}".split()) == " ".join(whole.split())
        assert reply.text[-1] in ".!?”)\"'" or whole[len(reply.text)] == "\n"
    assert cut_any
    urgent = dialogue.answer("red_flags")
    assert not any(p.startswith(REST) for p in payloads(urgent))  # never cut


def test_cut_keeps_every_word_in_order() -> None:
    text = "One sentence here. " * 30 + "\n\n" + "Another paragraph. " * 30
    head, rest = cut(text, 300)
    assert len(head) <= 300 and head.endswith(".")
    assert " ".join(f"{head} {rest}".split()) == " ".join(text.split())
    assert cut("short", 300) == ("short", "")


def test_the_same_answer_twice_says_as_above(dialogue: Dialogue) -> None:
    first, state = talk(dialogue, "what causes sciatica")
    again, after = dialogue.handle(state, payload="sciatica_causes")
    assert again.kind == "as_above" and again.intent == "sciatica_causes"
    assert len(again.text) < 120 and first.title in again.text
    assert payloads(again) == payloads(first)
    assert after.last_intent == "sciatica_causes"
    whole, _ = dialogue.handle(state, payload="sciatica_causes", shared=True)
    assert whole.text == first.text  # in a group, others wrote in between


def test_privacy_help_and_welcome_fit_a_phone_screen(service: ChatService) -> None:
    privacy = service.command(PERSON, "privacy")
    assert len(privacy.text) <= PHONE_CHARS and DETAILS in payloads(privacy)
    assert "/forget" in privacy.text
    details = service.press(PERSON, DETAILS)
    assert details.text == service.privacy(PERSON).text and len(details.text) > PHONE_CHARS
    assert len(service.command(PERSON, "help").text) <= PHONE_CHARS
    assert len(service.command(PERSON, "start").text) <= PHONE_CHARS


def test_menu_labels_are_plain_words(dialogue: Dialogue) -> None:
    labels = [b.label for b in dialogue.menu().buttons]
    assert all("#" not in label for label in labels), labels
