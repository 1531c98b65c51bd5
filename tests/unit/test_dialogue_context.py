"""Conversations: a message read with the answer before it, and the labelled dialogues."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from locations import DATA

from bot.content import AskRule, Content, ContentError, load_content
from bot.dialogue import Dialogue
from bot.evaluation.dialogues import (
    CLEARED,
    OUTCOMES,
    Conversation,
    evaluate_dialogues,
    label_of,
    load_dialogues,
)
from bot.evaluation.labelled import EvalFileError
from bot.replies import BACK, NOT_URGENT, ChatState, Reply, ReplyKind
from bot.service import ChatService
from bot.store import Store

DIALOGUES = DATA / "dialogues.yml"
BLIND_DIALOGUES = DATA / "dialogues_blind.yml"
BLIND2_DIALOGUES = DATA / "dialogues_blind2.yml"
BLIND3_DIALOGUES = DATA / "dialogues_blind3.yml"
URGENT_TEXT = "i cant control my bladder and both my legs have gone numb"


def _after(dialogue: Dialogue, *steps: str) -> tuple[Reply, ChatState]:
    """Play typed messages (``[payload]`` presses a button) in a fresh chat."""
    state = ChatState()
    reply: Reply | None = None
    for step in steps:
        if step.startswith("[") and step.endswith("]"):
            reply, state = dialogue.handle(state, payload=step[1:-1])
        else:
            reply, state = dialogue.handle(state, step)
    assert reply is not None
    return reply, state


def _cleared(dialogue: Dialogue, reply: Reply) -> bool:
    return label_of(dialogue, reply) == CLEARED


# --- short questions about the last topic ------------------------------------------------


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("how much do you charge for a massage", "how long is it?", "clinic_session_length"),
        ("how long is a session", "and how much for that", "clinic_prices"),
        ("what is neuromuscular massage", "how long until it works?", "how_long"),
        ("what is neuromuscular massage", "how much is it", "clinic_prices"),
        ("what is trigger point 4", "where exactly is it?", "piriformis_muscle"),
        ("heat or ice for sciatica", "how long for?", "heat_ice"),
        ("what is piriformis syndrome", "and the treatment?", "neuromuscular_massage"),
        ("can massage actually help sciatica", "and if it doesnt work?", "other_treatments"),
        ("can massage help sciatica", "what kind", "neuromuscular_massage"),
        (
            "what are the symptoms of sciatica",
            "how do I tell which one I have",
            "sciatica_vs_piriformis",
        ),
        ("what is neuromuscular massage", "is it safe?", "massage_safety"),
        ("do you take insurance", "which ones", "clinic_insurance"),
        ("is massage safe for sciatica", "what if i have a disc bulge", "massage_safety"),
        ("what stretches help sciatica", "what if they hurt", "stretches_exercise"),
        ("what are the symptoms of sciatica", "what could it be", "sciatica_causes"),
        ("when should i see a doctor about sciatica", "so massage is fine then?", "massage_safety"),
        ("do you take insurance", "and the price without insurance", "clinic_prices"),
        ("what is neuromuscular massage", "who does it", "find_therapist"),
        ("what is sciatica or piriformis", "which one is worse", "sciatica_vs_piriformis"),
        ("is massage safe with a slipped disc", "how soon after?", "massage_safety"),
        ("is massage safe with a slipped disc", "how long does it last", "how_long"),
        ("how much is a session", "and for 30 mins?", "clinic_prices"),
        ("how do i find a massage therapist", "can i book with you instead", "clinic_booking"),
        ("what is neuromuscular massage", "do you offer it", "clinic_booking"),
        ("what does sciatica feel like", "is that normal?", "sciatica_symptoms"),
        ("how long does sciatica last", "what helps with it", "massage_for_sciatica"),
        ("how long is a session", "cool and how much", "clinic_prices"),
        ("can i take ibuprofen for sciatica", "how often can i take it", "medicines"),
        ("what is piriformis syndrome", "is that the same as sciatica", "sciatica_vs_piriformis"),
        (
            "what painkillers help sciatica",
            "is there anything i can do instead",
            "other_treatments",
        ),
        ("whats piriformis syndrome", "and how is it treated", "neuromuscular_massage"),
        ("can i take naproxen for sciatica", "any side effects?", "medicines"),
        ("what is neuromuscular massage", "are there side effects", "massage_safety"),
    ],
)
def test_a_short_question_asks_about_the_last_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want, reply.candidates


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        # the verb of "if it doesn't" left out: the last question's ("doesn't go away")
        ("how long does sciatica last", "and if it doesnt?", "when_to_get_help"),
        ("can massage help sciatica", "what if not?", "other_treatments"),
        ("what stretches help sciatica", "and if they dont?", "other_treatments"),
        # "near me", "nearby": where, in other words
        ("how do i find a massage therapist", "do you have someone nearby", "find_therapist"),
        ("how much is a session", "anything near here", "clinic_location_hours"),
        ("what do i wear", "and is it close by", "clinic_location_hours"),
    ],
)
def test_a_question_with_its_words_left_out_asks_about_the_last_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want, reply.candidates


def test_what_to_do_after_when_to_get_help_is_that_answer_and_what_helps_is_not(
    dialogue: Dialogue,
) -> None:
    """ "What should I do?" after when to get help (or after its signs are denied for
    oneself: "it's my dad") asks what that answer says; "what helps?" asks a treatment."""
    doctor = "when should i see a doctor about sciatica"
    assert _after(dialogue, doctor, "what should i do now")[0].intent == "when_to_get_help"
    assert _after(dialogue, doctor, "what helps")[0].intent != "when_to_get_help"
    reply, _ = _after(dialogue, URGENT_TEXT, "no its my dad not me", "what should he do")
    assert reply.intent == "when_to_get_help"
    reply, _ = _after(dialogue, URGENT_TEXT, "no its not me", "so what helps then")
    assert reply.intent in ("massage_for_sciatica", "other_treatments", "stretches_exercise")
    # a topic's own treatment is still what "what can I do" asks after it
    assert _after(dialogue, "whats piriformis syndrome", "what can i do")[0].intent == (
        "neuromuscular_massage"
    )


@pytest.mark.parametrize(
    ("before", "correction", "want"),
    [
        ("whats piriformis syndrome", "no i meant the muscle itself", "piriformis_muscle"),
        ("what is the piriformis muscle", "no i meant the actual syndrome", "piriformis_syndrome"),
        ("how much is a session", "sorry i meant the session itself", "clinic_session_length"),
    ],
)
def test_a_correction_naming_a_title_with_a_word_of_stress_is_that_topic(
    dialogue: Dialogue, before: str, correction: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, correction)
    assert reply.intent == want, reply.candidates


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("tell me about piriformis syndrome", "piriformis_syndrome"),
        ("can u tell me more about piriformis syndrome", "piriformis_syndrome"),
        ("tell me about massage for sciatica", "massage_for_sciatica"),
        ("how do you tell piriformis from sciatica", "sciatica_vs_piriformis"),
    ],
)
def test_tell_me_frames_a_request_and_names_no_subject(
    dialogue: Dialogue, question: str, want: str
) -> None:
    """ "Tell me about X" asks for X; "tell" is the subject only of telling two apart."""
    reply, _ = _after(dialogue, question)
    assert reply.intent == want, reply.candidates


def test_how_long_depends_on_what_came_before(dialogue: Dialogue) -> None:
    after_price, _ = _after(dialogue, "how much is a massage", "how long?")
    after_condition, _ = _after(dialogue, "what is piriformis syndrome", "how long?")
    assert after_price.intent == "clinic_session_length"
    assert after_condition.intent == "how_long"


def test_a_pronoun_brings_the_last_topic_in(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "what is piriformis syndrome", "can a therapist help with that")
    assert reply.intent in ("neuromuscular_massage", "massage_for_sciatica", "find_therapist")
    reply, _ = _after(dialogue, "what stretches help piriformis", "how often should i do them")
    assert reply.intent == "stretches_exercise"


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("is gabapentin good for sciatica", "medicines"),
        ("which painkillers are best for sciatic pain", "medicines"),
        ("i have to cancel my appointment tomorrow", "clinic_cancellation"),
        ("how do you tell piriformis from sciatica", "sciatica_vs_piriformis"),
    ],
)
def test_what_is_named_or_how_it_is_asked_settles_a_close_call(
    dialogue: Dialogue, question: str, want: str
) -> None:
    """A medicine named alone is asked about, not the other treatments beside it; cancelling
    is not booking; telling one from the other is the difference between them."""
    reply, _ = dialogue.handle(ChatState(), question)
    assert reply.intent == want, (question, reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("message", "want"),
    [
        ("hello is this a bot", "about_bot"),
        ("hi there, what is piriformis syndrome", "piriformis_syndrome"),
        ("hello", "greeting"),
        ("hey bot", "greeting"),
    ],
)
def test_a_greeting_that_goes_on_to_ask_is_the_question(
    dialogue: Dialogue, message: str, want: str
) -> None:
    reply, _ = dialogue.handle(ChatState(), message)
    assert reply.intent == want, (message, reply.kind, reply.intent)


def test_a_pronoun_beside_the_subject_of_its_own_topic_is_read_as_before(
    dialogue: Dialogue,
) -> None:
    """ "It" does not pull a message onto the last topic when the message names its own
    topic's subject (a pregnancy)."""
    reply, _ = _after(
        dialogue, "is massage safe with a slipped disc", "how long does it last in pregnancy"
    )
    assert reply.intent == "pregnancy"


def test_a_message_that_names_its_own_topic_is_read_as_before(dialogue: Dialogue) -> None:
    for question, want in [
        ("what causes sciatica", "sciatica_causes"),
        ("how do i book", "clinic_booking"),
        ("how long is each session", "clinic_session_length"),
    ]:
        fresh, _ = dialogue.handle(ChatState(), question)
        reply, _ = _after(dialogue, "what is piriformis syndrome", question)
        assert fresh.intent == reply.intent == want


@pytest.mark.parametrize(
    "words", ["what about my purple zebra again", "and can I knit while my zebra sleeps"]
)
def test_words_the_bot_does_not_know_do_not_lean_on_the_last_topic(
    dialogue: Dialogue, words: str
) -> None:
    reply, _ = _after(dialogue, "what is piriformis syndrome", words)
    assert reply.kind == "fallback"


@pytest.mark.parametrize("words", ["what about my elbow", "what about my purple elbow"])
def test_a_word_the_bot_does_not_know_does_not_hide_a_topic_named_beside_it(
    dialogue: Dialogue, words: str
) -> None:
    reply, _ = _after(dialogue, "what causes sciatica", words)
    assert reply.intent == "other_body_parts", reply


def test_what_a_short_question_asks_is_content(content: Content) -> None:
    """The follow-up rules are data: change a rule and the answer follows it."""
    rules = content.asks["duration"]
    assert any("clinic_prices" in r.after and r.ask == "clinic_session_length" for r in rules)
    asks = dict(content.asks)
    asks["duration"] = (AskRule(frozenset({"clinic_prices"}), "clinic_insurance", rules[0].where),)
    changed = Dialogue(dataclasses.replace(content, asks=asks))
    reply, _ = _after(changed, "how much do you charge for a massage", "how long is it?")
    assert reply.intent == "clinic_insurance"
    asks["duration"] = ()
    silent = Dialogue(dataclasses.replace(content, asks=asks))
    reply, _ = _after(silent, "how much do you charge for a massage", "how long is it?")
    fresh, _ = silent.handle(ChatState(), "how long is it?")
    assert reply.intent == fresh.intent  # no rule: read on its own words


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("{after: [no_such_topic], ask: same}", "after 'no_such_topic' is not a topic"),
        ("{after: any, ask: no_such_topic}", "ask 'no_such_topic' is not a topic"),
        ("{after: [any, how_long], ask: how_long}", "'any' stands alone"),
        ("{after: [history], ask: same}", "'same' has no topic"),
        ("{after: [how_long]}", "needs 'after' and 'ask'"),
    ],
)
def test_a_bad_follow_up_rule_is_a_content_problem(
    content_copy: tuple[Path, Path], rule: str, problem: str
) -> None:
    intents, responses = content_copy
    path = responses / "follow_ups.yml"
    path.write_text(f"asks:\n  duration:\n    - {rule}\n", encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(problem)):
        load_content(intents, responses)


def test_an_unknown_kind_of_follow_up_is_a_content_problem(
    content_copy: tuple[Path, Path],
) -> None:
    intents, responses = content_copy
    (responses / "follow_ups.yml").write_text(
        "asks:\n  colour:\n    - {after: any, ask: how_long}\n", encoding="utf-8"
    )
    with pytest.raises(ContentError, match="colour"):
        load_content(intents, responses)


def test_and_for_something_else_asks_the_last_question_about_it(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "how much is a session", "and for 30 mins?")
    assert reply.intent == "clinic_prices"


def test_a_what_if_that_names_its_own_topic_is_read_as_before(dialogue: Dialogue) -> None:
    fresh, _ = dialogue.handle(ChatState(), "what if i am pregnant with sciatica")
    reply, _ = _after(
        dialogue, "is massage safe for sciatica", "what if i am pregnant with sciatica"
    )
    assert fresh.intent == "pregnancy" and reply.intent == fresh.intent


def test_without_a_last_topic_a_short_question_is_read_on_its_own(dialogue: Dialogue) -> None:
    alone, _ = dialogue.handle(ChatState(), "how long is it?")
    assert alone.intent == "how_long"


# --- acknowledgements and corrections ----------------------------------------------------


@pytest.mark.parametrize(
    "ack",
    [
        "good to know, thanks",
        "brilliant, that clears it up",
        "ah ok that makes sense",
        "ta",
        "huh ok",
        "gotcha",
        "good stuff, cheers",
        "that's helpful thank you",
    ],
)
def test_an_acknowledgement_is_thanked_and_keeps_the_topic(dialogue: Dialogue, ack: str) -> None:
    reply, state = _after(dialogue, "what is piriformis syndrome", ack)
    assert reply.intent == "thanks"
    assert state.last_intent == "piriformis_syndrome"
    more, _ = dialogue.handle(state, "go on")
    assert more.intent in dialogue.content.responses["piriformis_syndrome"].follow_ups


def test_an_acknowledgement_with_a_question_is_the_question(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "what is piriformis syndrome", "ok and how do i book")
    assert reply.intent == "clinic_booking"
    reply, _ = dialogue.handle(ChatState(), "good evening to you")
    assert reply.intent == "greeting"


@pytest.mark.parametrize(
    ("before", "correction", "want"),
    [
        (
            "how long does sciatica last",
            "no i meant how long is a session",
            "clinic_session_length",
        ),
        ("how long will this last", "no not the pain, the appointment", "clinic_session_length"),
        ("sciatica symptoms", "no, the causes", "sciatica_causes"),
        ("how much is a massage", "sorry i meant how long is it", "clinic_session_length"),
        ("heat or ice for sciatica", "i meant stretches", "stretches_exercise"),
        (
            "what is piriformis",
            "no sorry i meant the syndrome not the muscle",
            "piriformis_syndrome",
        ),
    ],
)
def test_a_correction_is_read_without_what_it_corrects(
    dialogue: Dialogue, before: str, correction: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, correction)
    assert reply.intent == want, reply.candidates


@pytest.mark.parametrize(
    ("before", "correction", "want"),
    [
        ("does massage help sciatica", "sorry i meant piriformis", "neuromuscular_massage"),
        ("what is sciatica", "no i meant piriformis, my typo", "piriformis_syndrome"),
        ("how long does sciatica last", "oops i meant piriformis", "how_long"),
        (
            "how do you treat sciatica",
            "sorry i meant piriformis, typed the wrong word",
            "neuromuscular_massage",
        ),
    ],
)
def test_a_correction_to_the_other_condition_asks_the_last_question_about_it(
    dialogue: Dialogue, before: str, correction: str, want: str
) -> None:
    """ "No, I meant piriformis" after a question about sciatica asks what "and for
    piriformis?" asks; a slip owned beside it ("typed the wrong word") adds nothing."""
    reply, _ = _after(dialogue, before, correction)
    assert reply.intent == want, (reply.kind, reply.intent)


def test_a_correction_never_repeats_the_topic_it_corrects(dialogue: Dialogue) -> None:
    reply, _ = _after(
        dialogue, "is heat good for sciatica", "no i meant massage, is massage good for it"
    )
    assert reply.intent != "heat_ice"
    assert "heat_ice" not in [b.payload for b in reply.buttons if reply.kind == "did_you_mean"]


# --- after the urgent answer -------------------------------------------------------------


@pytest.mark.parametrize(
    "denial",
    [
        "no nothing like that, i was just asking",
        "i dont have that, im fine, just curious",
        "no that was a hypothetical",
        "sorry that was my mum, shes at the hospital already",
        "i was only asking",
    ],
)
def test_a_typed_denial_after_the_urgent_answer_is_i_dont_have_these(
    dialogue: Dialogue, denial: str
) -> None:
    urgent, state = _after(dialogue, "what causes sciatica", URGENT_TEXT)
    assert urgent.red_flag
    reply, after = dialogue.handle(state, denial)
    pressed, _ = dialogue.handle(state, payload=NOT_URGENT)
    assert _cleared(dialogue, reply) and reply.text == pressed.text
    assert after.last_kind == "" and after.last_intent == "sciatica_causes"


def test_a_denial_that_asks_something_is_read_as_the_question(dialogue: Dialogue) -> None:
    _, state = _after(dialogue, "what causes sciatica", URGENT_TEXT)
    reply, _ = dialogue.handle(state, "no i meant how long does sciatica usually last")
    assert reply.intent == "how_long"
    _, state = _after(dialogue, "when should i see a doctor about sciatica")
    reply, _ = dialogue.handle(state, "no, what I want to know is how much a massage costs")
    assert reply.intent == "clinic_prices"


def test_a_denial_with_a_when_clause_is_still_a_denial(dialogue: Dialogue) -> None:
    """A "when" joining two clauses ("... fine when I check") asks nothing."""
    _, state = _after(dialogue, "what causes sciatica", URGENT_TEXT)
    reply, _ = dialogue.handle(state, "no sorry, it was my shoe rubbing, it moves fine when i try")
    assert _cleared(dialogue, reply)


@pytest.mark.parametrize(
    "played_down",
    [
        "oh it's not that serious, i'm probably overreacting",
        "nah it's probably nothing, don't worry about me",
        "it's fine honestly, it's just stress, that's all it is",
        "its not too bad tbh, just a bit annoying",
    ],
)
def test_a_sign_played_down_after_the_urgent_answer_stays_urgent(
    dialogue: Dialogue, played_down: str
) -> None:
    """Playing a sign down is not denying it: the urgent answer stands."""
    _, state = _after(dialogue, "what causes sciatica", URGENT_TEXT)
    reply, after = dialogue.handle(state, played_down)
    assert reply.red_flag and after.last_kind == "urgent"
    # the same words with no urgent answer before them are no sign
    reply, _ = _after(dialogue, "what causes sciatica", played_down)
    assert not reply.red_flag


@pytest.mark.parametrize(
    "reluctant",
    [
        "i dont want to go to a&e",
        "no im not going to hospital for this",
        "cant get to the doctors today, i dont have a car",
        "i wont be calling an ambulance, ill wait for my gp",
    ],
)
def test_care_refused_after_the_urgent_answer_keeps_it(dialogue: Dialogue, reluctant: str) -> None:
    """Not wanting or not being able to get care denies no sign: the urgent answer stands."""
    _, state = _after(dialogue, "what causes sciatica", URGENT_TEXT)
    reply, after = dialogue.handle(state, reluctant)
    assert reply.red_flag and after.last_kind == "urgent"
    # the same words with no urgent answer before them are no sign
    reply, _ = _after(dialogue, "what causes sciatica", reluctant)
    assert not reply.red_flag


@pytest.mark.parametrize(
    "denial",
    [
        "no none of that, i dont need a doctor",
        "that was my mum not me, shes at the hospital already",
    ],
)
def test_care_not_needed_because_the_sign_is_not_mine_is_a_denial(
    dialogue: Dialogue, denial: str
) -> None:
    _, state = _after(dialogue, "what causes sciatica", URGENT_TEXT)
    reply, _ = dialogue.handle(state, denial)
    assert _cleared(dialogue, reply)


@pytest.mark.parametrize(
    "taken_back",
    [
        "i'm not going to do anything stupid, i'm just exhausted",
        "forget it, i'm fine, ignore me",
        "don't worry i won't do anything",
    ],
)
def test_a_crisis_taken_back_asking_nothing_keeps_the_crisis_answer(
    dialogue: Dialogue, taken_back: str
) -> None:
    crisis, state = _after(dialogue, "some days i want to end my life")
    assert crisis.kind == ReplyKind.CRISIS
    reply, _ = dialogue.handle(state, taken_back)
    assert reply.kind == ReplyKind.CRISIS
    # one that goes on to ask something is read as the question
    reply, after = dialogue.handle(state, "sorry, ignore that. how much is a massage")
    assert reply.intent == "clinic_prices" and after.last_kind == ""
    # and the same words with no crisis before them are no crisis
    reply, _ = _after(dialogue, "what causes sciatica", taken_back)
    assert reply.kind != ReplyKind.CRISIS


def test_the_same_words_without_the_urgent_answer_are_not_a_denial(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "what causes sciatica", "no nothing like that, i was just asking")
    assert not _cleared(dialogue, reply)


def test_context_never_overrides_the_safety_screen(dialogue: Dialogue) -> None:
    _, state = _after(dialogue, URGENT_TEXT)
    reply, _ = dialogue.handle(state, "no i meant i cant feel my bum and i wet myself")
    assert reply.red_flag
    # a follow-up that names urgent signs is urgent whatever the last topic was
    reply, _ = _after(dialogue, "how much is a massage", "how long? both legs are numb now")
    assert reply.red_flag
    # "what if ..." is read about the last topic, but the screen reads it first, as in a
    # new chat (a question about a red flag gets when to get help, not massage safety)
    what_if = "what if i cant control my bladder"
    fresh, _ = dialogue.handle(ChatState(), what_if)
    reply, _ = _after(dialogue, "is massage safe for sciatica", what_if)
    assert fresh.intent == reply.intent == "when_to_get_help" and reply.sensitive


def test_someone_elses_history_then_the_signs_is_when_to_get_help(dialogue: Dialogue) -> None:
    _, state = _after(dialogue, "my dad had cauda equina a few years ago and had surgery")
    assert state.last_kind == "history"
    reply, _ = dialogue.handle(state, "what are the signs")
    assert reply.intent == "when_to_get_help"


# --- Back and more -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        "back please",
        "take me back",
        "wait go back to the last one",
        "previous one pls",
        "undo",
        "what did you say before",
    ],
)
def test_back_in_everyday_words(dialogue: Dialogue, words: str) -> None:
    reply, state = _after(dialogue, "what is sciatica", "[sciatica_causes]", words)
    assert reply.intent == "sciatica_definition"
    assert state.history == ()


def test_the_one_before_that_goes_back_twice(dialogue: Dialogue) -> None:
    reply, _ = _after(
        dialogue,
        "what is sciatica",
        "[sciatica_causes]",
        "[piriformis_syndrome]",
        "back please",
        "the one before that",
    )
    assert reply.intent == "sciatica_definition"


@pytest.mark.parametrize("words", ["my back hurts when i sit", "back pain and sciatica"])
def test_the_word_back_in_a_question_is_not_back(dialogue: Dialogue, words: str) -> None:
    reply, _ = _after(dialogue, "what is piriformis syndrome", "[sciatica_causes]", words)
    assert reply.kind != "no_history" and reply.intent != "piriformis_syndrome"


@pytest.mark.parametrize(
    "words", ["tell me more about that", "anything else?", "keep going", "any more?"]
)
def test_more_in_everyday_words(dialogue: Dialogue, words: str) -> None:
    reply, _ = _after(dialogue, "what is neuromuscular massage", words)
    follow_ups = dialogue.content.responses["neuromuscular_massage"].follow_ups
    assert reply.intent in follow_ups


@pytest.mark.parametrize(
    "words",
    [
        "oops wrong button, take me back",
        "hang on go back a step",
        "ok never mind, back to what you said before",
        "hmm can you go back a sec",
    ],
)
def test_back_is_found_by_its_core_among_other_words(dialogue: Dialogue, words: str) -> None:
    reply, state = _after(dialogue, "what is sciatica", "[sciatica_causes]", words)
    assert reply.intent == "sciatica_definition"
    assert state.history == ()


@pytest.mark.parametrize(
    "words",
    [
        "can it come back",
        "when can i go back to work",
        "will i get back to normal",
        "i hurt my back going to the gym",
        "back to sciatica, what causes it",
    ],
)
def test_other_words_that_ask_or_name_a_topic_are_not_back(dialogue: Dialogue, words: str) -> None:
    reply, _ = _after(dialogue, "what is sciatica", "[piriformis_syndrome]", words)
    assert reply.kind != "no_history" and reply.intent != "sciatica_definition"


def test_back_to_a_named_topic_goes_to_it(dialogue: Dialogue) -> None:
    reply, _ = _after(
        dialogue,
        "what is trigger point 4",
        "[risk_factors]",
        "[massage_for_sciatica]",
        "can we go back to the trigger point one",
    )
    assert reply.intent == "trigger_point_4"


def test_back_among_words_of_an_urgent_sign_is_the_urgent_answer(dialogue: Dialogue) -> None:
    reply, _ = _after(
        dialogue, "what is sciatica", "[sciatica_causes]", "go back, i cant control my bladder"
    )
    assert reply.red_flag


@pytest.mark.parametrize("words", ["ok cool tell me a bit more pls", "ok more info pls"])
def test_more_is_found_by_its_core_among_other_words(dialogue: Dialogue, words: str) -> None:
    reply, _ = _after(dialogue, "what is neuromuscular massage", words)
    follow_ups = dialogue.content.responses["neuromuscular_massage"].follow_ups
    assert reply.intent in follow_ups


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("hi how much is a massage", "for how long tho", "clinic_session_length"),
        ("how much is a massage", "how long does sciatica last", "how_long"),
        ("what is neuromuscular massage", "how much does an mri cost", "scans"),
    ],
)
def test_a_short_question_is_found_by_its_core_unless_it_names_a_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    "question", ["what does that mean", "wait what does that mean?? is it bad", "what should i do"]
)
def test_a_question_about_the_urgent_answer_asks_when_to_get_help(
    dialogue: Dialogue, question: str
) -> None:
    reply, _ = _after(dialogue, URGENT_TEXT, question)
    assert reply.intent == "when_to_get_help"


def test_what_helps_after_denying_the_urgent_signs_asks_for_a_treatment(
    dialogue: Dialogue,
) -> None:
    for denial in ("no nothing like that, i was just asking", f"[{NOT_URGENT}]"):
        reply, _ = _after(dialogue, URGENT_TEXT, denial, "so what helps it")
        assert reply.intent in ("massage_for_sciatica", "other_treatments", "stretches_exercise")


def test_what_does_that_mean_after_a_topic_is_not_the_urgent_answer(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "what is sciatica", "what does that mean")
    assert reply.intent == "sciatica_definition"


def test_back_after_a_fallback_undoes_the_miss(dialogue: Dialogue) -> None:
    miss, state = _after(dialogue, "what is the piriformis muscle", "whats your favourite colour")
    assert miss.kind == "fallback"
    assert BACK in [b.payload for b in miss.buttons]
    for how in ("typed", "button"):
        if how == "typed":
            reply, after = dialogue.handle(state, "go back")
        else:
            reply, after = dialogue.handle(state, payload=BACK)
        assert reply.intent == "piriformis_muscle"
        assert after == ChatState("piriformis_muscle")


def test_no_back_button_after_a_fallback_in_a_new_chat(dialogue: Dialogue) -> None:
    miss, _ = dialogue.handle(ChatState(), "whats your favourite colour")
    assert BACK not in [b.payload for b in miss.buttons]


@pytest.mark.parametrize("words", ["show me the topics", "menu please", "what topics do you have"])
def test_the_menu_in_everyday_words(dialogue: Dialogue, words: str) -> None:
    reply, state = _after(dialogue, "what is sciatica", words)
    assert reply.kind == "menu"
    assert state.last_intent == "sciatica_definition"


def test_the_second_one_picks_from_did_you_mean(dialogue: Dialogue) -> None:
    state = ChatState(last_kind="did_you_mean", offered=("work_driving", "risk_factors"))
    reply, _ = dialogue.handle(state, "the second one")
    assert reply.intent == "risk_factors"


# --- what is kept ------------------------------------------------------------------------


def test_the_urgent_answer_is_never_written_down(dialogue: Dialogue, tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    service = ChatService(dialogue, Store(path))
    chat = "telegram:5"
    service.message(chat, "what causes sciatica")
    assert service.message(chat, URGENT_TEXT).red_flag
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT * FROM chats WHERE chat = ?", (chat,)).fetchone()
    assert not any(isinstance(v, str) and "urgent" in v for v in row)
    # the next message is still read in its light (the service keeps it in memory)
    reply = service.message(chat, "no nothing like that, i was just asking")
    assert _cleared(dialogue, reply)


def test_forget_drops_the_last_replys_kind(dialogue: Dialogue) -> None:
    service = ChatService(dialogue, Store())
    chat = "telegram:6"
    service.message(chat, URGENT_TEXT)
    service.command(chat, "forget")
    reply = service.message(chat, "no nothing like that, i was just asking")
    assert not _cleared(dialogue, reply)


def test_an_old_stored_chat_reads_as_before(dialogue: Dialogue) -> None:
    """A row written before the dialogue state carried the last reply's kind is a topic
    answered: follow-ups read with it."""
    store = Store()
    with store._transaction() as db:
        db.execute(
            "INSERT INTO chats (chat, last_intent, history) VALUES (?, ?, ?)",
            ("telegram:7", "clinic_prices", "sciatica_definition"),
        )
    service = ChatService(dialogue, store)
    reply = service.message("telegram:7", "how long is it?")
    assert reply.intent == "clinic_session_length"
    assert store.state("telegram:7") == ChatState(
        "clinic_session_length", ("sciatica_definition", "clinic_prices")
    )


# --- the labelled conversations ----------------------------------------------------------


@pytest.fixture(scope="module")
def conversations(content: Content) -> list[Conversation]:
    return load_dialogues(DIALOGUES, frozenset(content.responses))


def test_the_labelled_conversations_meet_their_floors(conversations: list[Conversation]) -> None:
    assert len(conversations) >= 80
    assert all(3 <= len(c.turns) <= 7 for c in conversations)
    turns = [t for c in conversations for t in c.turns]
    assert sum(t.ctx for t in turns) >= len(turns) / 3
    assert sum(t.press is not None for t in turns) >= 15
    wants = [set(t.want) for t in turns]
    assert sum(w == {"urgent"} for w in wants) >= 8
    assert sum(CLEARED in w for w in wants) >= 8
    assert sum(1 for t in turns if t.say and "back" in t.say.split()) >= 8
    held = [c for c in conversations if c.held_out]
    assert len(held) == len(conversations) // 5 and all(c.number % 5 == 0 for c in held)
    assert all(set(t.want) - OUTCOMES or set(t.want) & OUTCOMES for t in turns)


def test_conversations_are_read_in_context(
    dialogue: Dialogue, conversations: list[Conversation]
) -> None:
    """The figures docs/accuracy.md gives, as floors (measured: see there)."""
    report = evaluate_dialogues(dialogue, conversations)
    for part in (report.part(False), report.part(True)):
        assert part.urgent_recall == 1.0 and part.false_alarms == 0, part.label
    # measured on all 270 conversations: tuning (216) 98.2% of turns, 98.5% of context
    # turns, 94.0% whole; held-out (54 conversations, each written before the bot was run
    # on it, its misses never read while tuning) 91.5%, 89.3%, 77.8%
    tuning = report.part(False)
    assert tuning.accuracy >= 0.975 and tuning.context_accuracy >= 0.98
    assert tuning.whole_accuracy >= 0.935
    held = report.part(True)
    assert held.accuracy >= 0.91 and held.context_accuracy >= 0.885
    assert held.whole_accuracy >= 0.77


def test_the_blind_conversations_are_read_in_context(dialogue: Dialogue, content: Content) -> None:
    """dialogues_blind.yml, written and committed before the bot was run on it. First sight:
    tuning (32 conversations) 94.4% of turns, 93.9% of context turns, 27 whole; held-out
    (8) 100%, 100%, 8. After the class fixes read from the tuning misses alone: tuning
    99.1%, 100%, 31 of 32; held-out 100%, 100%, 8 of 8."""
    conversations = load_dialogues(BLIND_DIALOGUES, frozenset(content.responses))
    assert len(conversations) == 40
    assert all(3 <= len(c.turns) <= 6 for c in conversations)
    held_out = [c for c in conversations if c.held_out]
    assert len(held_out) == 8 and all(c.number % 5 == 0 for c in held_out)
    report = evaluate_dialogues(dialogue, conversations)
    for part in (report.part(False), report.part(True)):
        assert part.urgent_recall == 1.0 and part.false_alarms == 0, part.label
    tuning = report.part(False)
    assert tuning.accuracy >= 0.99 and tuning.context_accuracy >= 1.0
    assert tuning.whole_right >= 31
    held = report.part(True)
    assert held.accuracy >= 1.0 and held.context_accuracy >= 1.0 and held.whole_right >= 8


def test_the_second_blind_conversations_are_read_in_context(
    dialogue: Dialogue, content: Content
) -> None:
    """dialogues_blind2.yml, harder (long stories that ask nothing, corrections, late urgent
    signs, clinic questions mid-story), written and committed before the bot was run on it.
    First sight: tuning (40 conversations) 80.0% of turns, 76.9% of context turns, 18 whole;
    held-out (10) 71.8%, 69.6%, 3. After the class fixes read from the tuning misses alone:
    tuning 89.7%, 91.0%, 27 of 40; held-out 74.4%, 73.9%, 3 of 10. A second round (the cause
    in other words, how often to come, a question with "if" and one's own case) lifted the
    tuning part to 92.4%, 94.9%, 31 of 40; the held-out part stayed at 74.4%, 73.9%, 3."""
    conversations = load_dialogues(BLIND2_DIALOGUES, frozenset(content.responses))
    assert len(conversations) == 50
    held_out = [c for c in conversations if c.held_out]
    assert len(held_out) == 10 and all(c.number % 5 == 0 for c in held_out)
    report = evaluate_dialogues(dialogue, conversations)
    tuning = report.part(False)
    # a car accident read as an injury to be seen first: the one false alarm, left as it is
    assert tuning.urgent_recall == 1.0 and tuning.false_alarms <= 1
    assert tuning.accuracy >= 0.92 and tuning.context_accuracy >= 0.945
    assert tuning.whole_right >= 31
    held = report.part(True)
    assert held.urgent_recall >= 0.5 and held.false_alarms == 0
    assert held.accuracy >= 0.74 and held.context_accuracy >= 0.735 and held.whole_right >= 3


def test_the_third_blind_conversations_keep_late_and_played_down_signs(
    dialogue: Dialogue, content: Content
) -> None:
    """dialogues_blind3.yml's tuning part, written before the bot was run on it: urgent signs
    told late, played down or taken back. First sight: urgent recall 6/9 turns (the other leg
    joining in told as "the left", then played down; a crisis taken back), no false alarm.
    Read by class (a side named as a noun, a sign played down, a crisis taken back): 9/9."""
    conversations = load_dialogues(BLIND3_DIALOGUES, frozenset(content.responses))
    tuning = evaluate_dialogues(dialogue, [c for c in conversations if not c.held_out])
    assert tuning.urgent_recall == 1.0 and tuning.false_alarms == 0


def test_the_third_blind_conversations_are_read_in_context(
    dialogue: Dialogue, content: Content
) -> None:
    """dialogues_blind3.yml, by a writer who never saw the rules (long openers that bury the
    ask, relatives, clinic questions mid-story, thanks that ask, dictation, second-language
    English). First sight, before any rule: tuning (32 conversations) 67.9% of turns, 60.0%
    of context turns, 7 whole; held-out (8) 63.9%, 65.4%, 2. The first round (late and
    played-down signs) left the tuning part at 71.6%, 66.7%, 9. The second, read from the
    tuning misses alone by class (another clinic fact asked "and if ...", "get back to me",
    what to do after the scans, "the real one or the fake one", "list them all", what a GP
    said, "guess that's me", "££?", the other condition told as one's own or corrected to):
    tuning 80.6%, 81.3%, 16 of 32; held-out 63.9%, 65.4%, 2 of 8 (unmoved)."""
    conversations = load_dialogues(BLIND3_DIALOGUES, frozenset(content.responses))
    assert len(conversations) == 40
    report = evaluate_dialogues(dialogue, conversations)
    tuning = report.part(False)
    assert tuning.accuracy >= 0.805 and tuning.context_accuracy >= 0.81
    assert tuning.whole_right >= 16
    held = report.part(True)
    assert held.false_alarms == 0 and held.urgent_recall >= 0.66
    assert held.accuracy >= 0.635 and held.context_accuracy >= 0.65 and held.whole_right >= 2


def test_a_press_of_a_button_not_shown_counts_as_wrong(dialogue: Dialogue, tmp_path: Path) -> None:
    path = tmp_path / "d.yml"
    path.write_text(
        "- turns:\n"
        "    - {say: 'what is sciatica', want: [sciatica_definition]}\n"
        "    - {press: clinic_prices, want: [clinic_prices]}\n"
        "    - {say: 'whats your favourite colour', want: [did_you_mean]}\n",
        encoding="utf-8",
    )
    report = evaluate_dialogues(dialogue, load_dialogues(path))
    assert [o.right for o in report.outcomes] == [True, False, False]
    assert report.outcomes[1].got == "no clinic_prices button"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- turns: nope\n", "needs a list of 'turns'"),
        ("- turns:\n    - {say: hi, press: menu, want: [menu]}\n", "exactly one of"),
        ("- turns:\n    - {say: hi, want: []}\n", "needs 'want'"),
        ("- turns:\n    - {say: hi, want: [no_such_topic]}\n", "unknown label"),
        ("- turns:\n    - {say: hi, want: [greeting], ctx: maybe}\n", "'ctx'"),
        ("{", "not valid YAML"),
    ],
)
def test_a_bad_dialogue_file_is_one_clear_error(
    content: Content, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "d.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvalFileError, match=message):
        load_dialogues(path, frozenset(content.responses))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["DATABASE_PATH"] = ":memory:"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=DIALOGUES.parent,  # no .env here
        env=env,
        timeout=120,
    )


def test_cli_eval_dialogues_prints_the_figures_by_part(tmp_path: Path) -> None:
    result = _cli("eval-dialogues", str(DIALOGUES), "--json", "--cost")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["parts"]) == {"tuning", "held-out"}
    assert data["conversations"] == 270 and data["parts"]["held-out"]["conversations"] == 54
    assert data["urgent_recall"] == 1.0 and data["false_alarms"] == 0
    cost = data["context_cost"]
    typed = sum(1 for d in data["turns_detail"] if not d["turn"].startswith("["))
    assert cost["n"] == typed
    assert cost["p99_ms"] < 1.0  # measured about 0.1 ms on 2 shared cores; 10x margin
    text = _cli("eval-dialogues", str(DIALOGUES)).stdout
    assert "context accuracy" in text and "misses (tuning)" in text
    bad = tmp_path / "bad.yml"
    bad.write_text("- turns: [{say: hi}]\n", encoding="utf-8")
    failed = _cli("eval-dialogues", str(bad))
    assert failed.returncode == 1 and "needs 'want'" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_cli_eval_on_a_file_of_conversations_plays_them_turn_by_turn() -> None:
    result = _cli("eval", str(DIALOGUES), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["conversations"] == 270 and set(data["parts"]) == {"tuning", "held-out"}


def test_after_a_did_you_mean_a_question_with_one_answer_for_every_option_gets_it(
    dialogue: Dialogue,
) -> None:
    unsure = ChatState(
        last_kind="did_you_mean", offered=("piriformis_syndrome", "piriformis_muscle")
    )
    reply, _ = dialogue.handle(unsure, "how would a therapist treat it")
    assert reply.intent == "neuromuscular_massage"
    differ = ChatState(last_kind="did_you_mean", offered=("piriformis_syndrome", "how_long"))
    reply, _ = dialogue.handle(differ, "how would a therapist treat it")
    assert reply.intent != "neuromuscular_massage" or reply.score < 100.0


def test_a_correction_after_a_did_you_mean_is_read_on_its_words(dialogue: Dialogue) -> None:
    unsure = ChatState(last_kind="did_you_mean", offered=("how_long", "piriformis_syndrome"))
    reply, _ = dialogue.handle(unsure, "no i meant how long is the massage")
    assert reply.intent == "clinic_session_length"


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("what is piriformis syndrome", "how do i know if i have it", "sciatica_vs_piriformis"),
        ("is massage safe with a disc bulge", "who can check it for me", "find_therapist"),
        (
            "are stretches good for sciatica",
            "and what about massage instead",
            "massage_for_sciatica",
        ),
    ],
)
def test_more_wordings_lean_on_the_last_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


# --- round five: asides, swapped conditions, and what context must leave alone ----------


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("what stretches help sciatica", "how many sets should i do", "stretches_exercise"),
        ("how do i cancel", "will i get charged", "clinic_cancellation"),
        ("how much is a session", "is it worth the money", "massage_for_sciatica"),
        ("what is neuromuscular massage", "is it worth trying", "neuromuscular_massage"),
        ("can massage help sciatica", "and for piriformis?", "neuromuscular_massage"),
        (
            "what other treatments are there for sciatica",
            "what about for piriformis",
            "neuromuscular_massage",
        ),
        ("heat or ice for sciatica", "and the same for piriformis?", "heat_ice"),
        (
            "what is neuromuscular massage",
            "is it safe for me, i have high blood pressure",
            "massage_safety",
        ),
        (
            "what are the symptoms of sciatica",
            "it hurts when i sit, which one is it",
            "sciatica_vs_piriformis",
        ),
        ("how do i find a massage therapist", "are they qualified", "find_therapist"),
        ("what is neuromuscular massage", "is massage better than painkillers", "other_treatments"),
        ("how do i book", "where are you btw", "clinic_location_hours"),
        ("what is sciatica", "how long does tht last", "how_long"),
        ("what causes sciatica", "what can i do about it at work", "work_driving"),
    ],
)
def test_a_short_question_is_read_past_its_asides(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_an_acknowledgement_is_thanked_unless_it_goes_on_to_a_topic(dialogue: Dialogue) -> None:
    for ack in ("ah nice", "ok cool", "ok ill ring them, thanks"):
        reply, _ = _after(dialogue, "what is piriformis syndrome", ack)
        assert reply.intent == "thanks", ack
    reply, _ = _after(dialogue, "what is piriformis syndrome", "ok ill book then")
    assert reply.intent == "clinic_booking"


def test_a_greeting_with_a_pleasantry_is_greeted_but_not_a_story(dialogue: Dialogue) -> None:
    reply, _ = dialogue.handle(ChatState(), "hi, hope you're well")
    assert reply.intent == "greeting"
    reply, _ = dialogue.handle(ChatState(), "hello, my cat is ill")
    assert reply.intent != "greeting"


def test_a_new_topic_named_outright_is_not_read_with_the_last(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "how much is a session", "what is piriformis syndrome")
    assert reply.intent == "piriformis_syndrome"
    # "better than" after a topic that is not a treatment is read on its own words
    reply, _ = _after(dialogue, "what is the piriformis muscle", "is heat better than ice")
    assert reply.intent == "heat_ice"


def test_after_a_did_you_mean_an_option_without_a_rule_does_not_block_the_others(
    dialogue: Dialogue,
) -> None:
    unsure = ChatState(last_kind="did_you_mean", offered=("massage_safety", "pregnancy"))
    reply, _ = dialogue.handle(unsure, "is it safe for me though")
    assert reply.intent == "massage_safety"


def test_the_birth_brings_in_the_pregnancy_topic(dialogue: Dialogue) -> None:
    reply, _ = dialogue.handle(ChatState(), "does sciatica go away after the birth")
    assert reply.intent == "pregnancy"


def test_a_new_subject_is_read_on_its_own_words(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "what causes sciatica", "unrelated but where are you based")
    assert reply.intent == "clinic_location_hours"
    reply, _ = _after(
        dialogue, "what is piriformis syndrome", "ok thanks. different thing, do you take card"
    )
    assert reply.intent != "thanks" and reply.intent != "piriformis_syndrome"
    reply, _ = _after(dialogue, "what is sciatica", "ok thanks, will do")
    assert reply.intent == "thanks"


def test_what_do_i_do_asks_for_the_treatment_of_the_last_topic(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "what is piriformis syndrome", "what do i do about it")
    assert reply.intent == "neuromuscular_massage"
    reply, _ = _after(dialogue, "what is trigger point 4", "and then what do i do")
    assert reply.intent == "massage_for_sciatica"


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("whats the cancellation policy", "what if im sick", "clinic_cancellation"),
        ("whats the cancellation policy", "do i still pay", "clinic_cancellation"),
        ("how do i book", "what if im late", "clinic_cancellation"),
        ("what is neuromuscular massage", "do i pay on the day", "clinic_prices"),
    ],
)
def test_a_what_if_or_paying_after_a_clinic_fact_stays_with_the_clinic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_a_history_with_a_question_in_the_same_message_asks_about_the_signs(
    dialogue: Dialogue,
) -> None:
    for text in (
        "my husband had cauda equina once, what should we watch for",
        "my mum had cauda equina, what are the signs",
    ):
        reply, _ = dialogue.handle(ChatState(), text)
        assert reply.intent == "when_to_get_help", text
        reply, _ = _after(dialogue, "what is piriformis syndrome", text)
        assert reply.intent == "when_to_get_help", text


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("what stretches help sciatica", "and if they dont work?", "other_treatments"),
        ("is heat good for sciatica", "and if that doesnt help", "other_treatments"),
        ("how long does sciatica last", "and if it doesnt go away?", "when_to_get_help"),
        (
            "are stretches good for sciatica",
            "and what about massage instead",
            "massage_for_sciatica",
        ),
    ],
)
def test_if_it_does_not_work_asks_what_next_but_a_named_alternative_is_that_one(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_how_is_it_diagnosed_after_a_condition_says_how_the_two_are_told_apart(
    dialogue: Dialogue,
) -> None:
    reply, _ = _after(dialogue, "what causes sciatica", "and how is it diagnosed")
    assert reply.intent == "sciatica_vs_piriformis"
    reply, _ = _after(dialogue, "how much is a session", "how do they diagnose it")
    assert reply.intent != "sciatica_vs_piriformis" or reply.score < 100.0


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("what is sciatica", "and piriformis?", "piriformis_syndrome"),
        ("what is piriformis syndrome", "and sciatica?", "sciatica_definition"),
        ("how long does sciatica last", "and piriformis?", "how_long"),
        ("does massage help sciatica", "what about for piriformis", "neuromuscular_massage"),
        ("heat or ice for sciatica", "and the same for piriformis?", "heat_ice"),
        # the condition told as one's own, pointed at again
        ("what is sciatica", "and the piriformis i have now, that one?", "piriformis_syndrome"),
        (
            "can massage help my shoulder",
            "and the sciatica i got since, that one?",
            "massage_for_sciatica",
        ),
        ("how long does sciatica last", "and my piriformis that i had too", "how_long"),
    ],
)
def test_and_for_the_other_condition_asks_the_last_question_again(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_a_condition_named_alone_is_asked_anew(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "how long does sciatica last", "piriformis?")
    assert reply.intent not in (None, "how_long")


def test_an_option_of_a_did_you_mean_is_picked_by_a_word_of_its_title(
    dialogue: Dialogue,
) -> None:
    unsure = ChatState(
        last_kind="did_you_mean", offered=("massage_for_sciatica", "piriformis_muscle")
    )
    reply, _ = dialogue.handle(unsure, "the massage one")
    assert reply.intent == "massage_for_sciatica"
    reply, _ = dialogue.handle(unsure, "no the muscle one pls")
    assert reply.intent == "piriformis_muscle"


@pytest.mark.parametrize(
    ("before", "want"),
    [
        ("can i take ibuprofen for sciatica", "medicines"),
        ("im pregnant with sciatica", "massage_safety"),
        ("heat or ice for sciatica", "heat_ice"),
    ],
)
def test_is_it_safe_for_me_asks_about_what_the_last_answer_suggested(
    dialogue: Dialogue, before: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, "is it safe for me though")
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "correction", "want"),
    [
        ("how long is a session", "oh no i meant the pain not the session", "how_long"),
        ("how long does sciatica last", "no, the appointment", "clinic_session_length"),
    ],
)
def test_a_correction_naming_only_its_subject_keeps_the_question(
    dialogue: Dialogue, before: str, correction: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, correction)
    assert reply.intent == want


def test_surprise_is_an_acknowledgement_and_not_that_bad_is_no_correction(
    dialogue: Dialogue,
) -> None:
    reply, _ = _after(dialogue, "what is sciatica", "oh wow didnt know that")
    assert reply.intent == "thanks"
    reply, _ = _after(
        dialogue, "what is piriformis syndrome", "not that bad, how long does it last"
    )
    assert reply.intent == "how_long"
    reply, _ = dialogue.handle(ChatState(), "lol")
    assert reply.intent != "thanks"


def test_not_that_starts_a_correction(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "what is piriformis syndrome", "not that, the muscle")
    offered = {b.payload for b in reply.buttons}
    assert reply.intent == "piriformis_muscle" or (
        reply.kind == "did_you_mean" and "piriformis_muscle" in offered
    )


def test_what_kind_after_exercise_asks_about_the_exercise(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "can i exercise with sciatica", "what kind")
    assert reply.intent == "stretches_exercise"


# --- follow-ups that generalise ----------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        (
            "best position to sleep in with sciatica",
            "how long until i sleep properly again",
            "how_long",
        ),
        (
            "what stretches help sciatica",
            "how long till i can stretch without pain",
            "stretches_exercise",
        ),
        ("can i drive with sciatica", "how long before i need a break", "work_driving"),
    ],
)
def test_a_short_question_restating_its_topic_still_asks_about_it(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """Words beside the facet that name only the last topic, or what the facet asks, are
    no topic of the message's own."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("can ibuprofen help sciatica", "and does that work for piriformis", "medicines"),
        ("what is sciatica", "does that work for piriformis too", "piriformis_syndrome"),
        ("when should i see a doctor", "can it happen with piriformis too", "when_to_get_help"),
    ],
)
def test_the_last_question_with_a_pronoun_for_its_subject_about_a_condition(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """ "Does that work for piriformis?" is "and for piriformis?" said with a pronoun."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_after_a_did_you_mean_a_follow_up_leans_on_the_options(dialogue: Dialogue) -> None:
    """A follow-up the matcher cannot place alone takes the offered option its own words
    rank first; the same words in a new chat stay a fallback."""
    state = ChatState(last_kind="did_you_mean", offered=("other_treatments", "medicines"))
    reply, _ = dialogue.handle(state, "what about over the counter stuff")
    assert reply.intent == "medicines"
    alone, _ = _after(dialogue, "what about over the counter stuff")
    assert alone.kind == "fallback"
    # words the bot does not know do not lean on the options
    other, _ = dialogue.handle(state, "what about my purple zebra")
    assert other.intent != "medicines"


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("is massage ok with a slipped disc", "what about after surgery", "massage_safety"),
        ("is heat good for sciatica", "what about at night", "heat_ice"),
        ("can massage help sciatica", "what about surgery", "other_treatments"),
    ],
)
def test_what_about_in_other_circumstances_asks_the_last_question_again(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """ "What about after surgery" is the last question, after surgery; "what about
    surgery" names a topic of its own."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("what is the piriformis muscle", "how do u massage it", "neuromuscular_massage"),
        ("what is trigger point 4", "how do you release it", "massage_for_sciatica"),
        ("what are the symptoms of sciatica", "would a doctor know", "sciatica_vs_piriformis"),
        (
            "whats the difference between sciatica and piriformis",
            "can a therapist tell",
            "sciatica_vs_piriformis",
        ),
        ("will an mri show piriformis syndrome", "who orders it", "when_to_get_help"),
        ("can ibuprofen help sciatica", "who prescribes it", "when_to_get_help"),
        ("what is neuromuscular massage", "who does it", "find_therapist"),
    ],
)
def test_a_question_word_with_a_pronoun_asks_a_facet_of_the_last_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """ "How do you <treat> it", "can <someone> tell", "who <verb> it" ask how the last
    topic is treated, which one it is, and who provides it."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_a_question_word_with_a_pronoun_needs_a_last_topic(dialogue: Dialogue) -> None:
    for words in ("who orders it", "how do u massage it", "would a doctor know"):
        reply, _ = _after(dialogue, words)
        assert reply.intent not in ("when_to_get_help", "sciatica_vs_piriformis"), words


def test_do_you_do_something_no_topic_knows_is_not_about_the_last_topic(
    dialogue: Dialogue,
) -> None:
    """ "Do you do it?" after a massage asks to book it; "do you do reflexology?" asks
    about something the bot does not know, whatever came before."""
    booked, _ = _after(dialogue, "what is neuromuscular massage", "do you do it")
    assert booked.intent == "clinic_booking"
    for words in ("do you do reflexology", "do you offer cupping"):
        reply, _ = _after(dialogue, "can massage help sciatica", words)
        assert reply.intent != "clinic_booking", words


@pytest.mark.parametrize(
    ("before", "message", "want"),
    [
        ("what is sciatica", "ok and piriformis", "piriformis_syndrome"),
        ("what is sciatica", "cool, and piriformis?", "piriformis_syndrome"),
        ("heat or ice for sciatica", "thanks and for piriformis?", "heat_ice"),
        ("what is sciatica", "great and also the price?", "clinic_prices"),
        ("what is sciatica", "brilliant and thank you so much", "thanks"),
        ("what is sciatica", "ok and bye", "goodbye"),
    ],
)
def test_an_acknowledgement_that_goes_on_with_and_is_the_follow_up(
    dialogue: Dialogue, before: str, message: str, want: str
) -> None:
    """ "Ok and for piriformis?" is a follow-up after a thanks, not a thanks."""
    reply, _ = _after(dialogue, before, message)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("what is sciatica", "is it permanent", "how_long"),
        ("what causes sciatica", "can it come back", "how_long"),
        ("can massage help sciatica", "will it come back", "neuromuscular_massage"),
        ("what is piriformis syndrome", "will i have it forever", "piriformis_syndrome"),
        ("what is sciatica", "can it heal", "how_long"),
    ],
)
def test_is_it_permanent_asks_how_lasting_the_last_topic_is(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """After a condition, how long it lasts; after a massage, the article's word that the
    symptoms do not usually come back."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("how long does sciatica last", "can i speed that up", "massage_for_sciatica"),
        ("what is piriformis syndrome", "how do i make it go away faster", "neuromuscular_massage"),
        ("what is sciatica", "can kids get it", "risk_factors"),
        ("what is piriformis syndrome", "who gets it", "risk_factors"),
        ("what is sciatica", "is it genetic", "risk_factors"),
    ],
)
def test_speeding_it_up_and_who_gets_it_ask_about_the_last_condition(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """Speeding recovery up asks for the treatment; who gets it asks the risk factors."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_who_gets_it_after_a_clinic_fact_is_read_on_its_words(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "can massage help sciatica", "can i get it on the nhs")
    assert reply.intent != "risk_factors"


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("what is piriformis syndrome", "whats the best thing for it", "neuromuscular_massage"),
        ("what is sciatica", "anything good for it", "massage_for_sciatica"),
        ("what is piriformis syndrome", "is it worse than sciatica", "sciatica_vs_piriformis"),
        ("can massage help sciatica", "is it better than stretching", "other_treatments"),
    ],
)
def test_the_best_thing_for_it_and_is_it_worse_lean_on_the_last_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """ "The best thing for it" asks for a treatment; "is it worse than sciatica" after a
    condition weighs the two conditions (a treatment "better than" another stays with
    the treatments)."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("do i need an xray", "do i really need one", "scans"),
        ("can massage help sciatica", "should i try it", "massage_for_sciatica"),
        ("what is piriformis syndrome", "is that what i have", "sciatica_vs_piriformis"),
        ("what are the symptoms of sciatica", "could i have it", "sciatica_vs_piriformis"),
    ],
)
def test_should_i_get_one_and_is_that_what_i_have_lean_on_the_last_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """ "Should I get one" asks whether the last topic is worth it; "is that what I have"
    asks which condition it is."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("where are you based", "and weekends?", "clinic_location_hours"),
        ("is massage safe for sciatica", "and diabetes?", "massage_safety"),
        ("what is sciatica", "and the symptoms?", "sciatica_symptoms"),
        ("what is sciatica", "and causes?", "sciatica_causes"),
        ("what stretches help sciatica", "what about massage", "massage_safety"),
    ],
)
def test_and_a_word_or_two_asks_the_last_question_unless_they_name_a_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """ "And weekends?" after the opening hours asks the hours again; "and the symptoms?"
    names a topic by its title and is read as before."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_which_do_i_have_asks_which_condition_but_which_do_i_need_does_not(
    dialogue: Dialogue,
) -> None:
    before = "is piriformis syndrome the same as sciatica"
    reply, _ = _after(dialogue, before, "so which do i have")
    assert reply.intent == "sciatica_vs_piriformis"
    other, _ = _after(dialogue, "what is piriformis syndrome", "which do i need, physio or massage")
    assert other.intent != "sciatica_vs_piriformis"


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("what is piriformis syndrome", "how does that happen", "piriformis_muscle"),
        ("what are the symptoms of sciatica", "why do i get it", "sciatica_causes"),
        ("what is sciatica", "how does it start", "sciatica_causes"),
    ],
)
def test_how_does_it_happen_asks_the_cause_of_the_last_condition(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("steps", "want"),
    [
        ((URGENT_TEXT, "no not me", "ok so what helps"), "massage_for_sciatica"),
        (("what is piriformis syndrome", "cool so whats the fix"), "neuromuscular_massage"),
        (
            ("how long does sciatica last", "not that, how long is a massage"),
            "clinic_session_length",
        ),
        (("what is sciatica", "not that one, what causes it"), "sciatica_causes"),
    ],
)
def test_a_lead_after_an_acknowledgement_and_not_that_before_a_question(
    dialogue: Dialogue, steps: tuple[str, ...], want: str
) -> None:
    """ "Ok so ..." leans as "so ..." does; "the fix" asks for the treatment; "not that,
    how long is a massage" corrects the last answer."""
    reply, _ = _after(dialogue, *steps)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("how do i book", "and if i need to change it?", "clinic_cancellation"),
        ("what are red flags", "and if i have one?", "when_to_get_help"),
    ],
)
def test_and_if_with_a_question_mark_asks_what_if(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


def test_a_correction_naming_a_word_of_a_title_picks_that_topic(dialogue: Dialogue) -> None:
    """ "No, I meant the muscle" read alone is unsure between the muscle and the causes:
    the option whose title has the word is meant."""
    reply, _ = _after(dialogue, "what is piriformis syndrome", "no sorry i meant the muscle")
    assert reply.intent == "piriformis_muscle"


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        ("can massage help sciatica", "what about yoga", "stretches_exercise"),
        ("can massage help sciatica", "what about surgery", "other_treatments"),
        ("what causes sciatica", "and drivers?", "risk_factors"),
    ],
)
def test_and_a_word_that_is_a_topics_own_is_read_as_before(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("steps", "want"),
    [
        (("what is sciatica", "[massage_for_sciatica]", "is this one safe"), "massage_safety"),
        (("what stretches help sciatica", "cool, and is massage better"), "other_treatments"),
        (("what medicines help sciatica", "and how long can i take it for"), "medicines"),
        (
            ("sciatica or piriformis, whats the difference", "which is more common"),
            "sciatica_vs_piriformis",
        ),
        (("can you recommend a therapist", "do you have someone"), "clinic_booking"),
    ],
)
def test_more_wordings_of_a_facet_lean_on_the_last_topic(
    dialogue: Dialogue, steps: tuple[str, ...], want: str
) -> None:
    reply, _ = _after(dialogue, *steps)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "question", "want"),
    [
        (
            "what is neuromuscular massage",
            "it hurts when i walk, is that sciatica",
            "sciatica_vs_piriformis",
        ),
        ("heat or ice for sciatica", "my leg hurts is it piriformis", "sciatica_vs_piriformis"),
        ("what are the symptoms of sciatica", "is that sciatica", "sciatica_definition"),
    ],
)
def test_is_that_sciatica_asks_about_the_persons_pain_not_the_last_topic(
    dialogue: Dialogue, before: str, question: str, want: str
) -> None:
    """After another topic, "is that sciatica?" asks which condition the pain is; after
    an answer about sciatica it asks about that answer."""
    reply, _ = _after(dialogue, before, question)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("before", "fragment", "want"),
    [
        ("best sleeping position for piriformis", "on my back ok?", "sleep_position"),
        ("best sleeping position", "with a pillow?", "sleep_position"),
        ("heat or ice for sciatica", "in pregnancy?", "pregnancy"),
    ],
)
def test_a_fragment_that_starts_with_a_preposition_asks_the_last_question(
    dialogue: Dialogue, before: str, fragment: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, fragment)
    assert reply.intent == want


@pytest.mark.parametrize(
    ("steps", "want"),
    [
        (("do you do deep tissue massage", "ok book me in"), "clinic_booking"),
        (("when should i see a doctor", "ok and who do i call"), "when_to_get_help"),
        (("what is neuromuscular massage", "will i feel worse after"), "massage_safety"),
        (("can massage help piriformis", "and how far apart"), "massage_for_sciatica"),
        (("sciatica when driving", "would a cushion help", "what kind"), "work_driving"),
    ],
)
def test_a_request_after_thanks_and_more_facet_wordings(
    dialogue: Dialogue, steps: tuple[str, ...], want: str
) -> None:
    reply, _ = _after(dialogue, *steps)
    assert reply.intent == want


def test_what_is_not_understood_right_after_the_urgent_answer_gets_when_to_get_help(
    dialogue: Dialogue,
) -> None:
    reply, _ = _after(dialogue, URGENT_TEXT, "its been like that for ages tbh")
    assert reply.intent == "when_to_get_help"
    fresh, _ = _after(dialogue, "its been like that for ages tbh")
    assert fresh.kind == "fallback"


def test_for_piriformis_after_a_did_you_mean_between_treatments(dialogue: Dialogue) -> None:
    """Each option asked again for piriformis gives the same topic: that one is meant."""
    state = ChatState(
        last_kind="did_you_mean", offered=("other_treatments", "massage_for_sciatica")
    )
    reply, _ = dialogue.handle(state, "for piriformis")
    assert reply.intent == "neuromuscular_massage"
    # options that ask different things of it leave the message to be read on its words
    split = ChatState(last_kind="did_you_mean", offered=("heat_ice", "massage_for_sciatica"))
    other, _ = dialogue.handle(split, "for piriformis")
    assert other.intent != "neuromuscular_massage"


def test_for_a_few_words_after_a_clinic_fact_asks_it_again(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "hello! quick question about prices", "for two people?")
    assert reply.intent == "clinic_prices"


def test_how_much_with_a_verb_of_its_own_asks_no_price(dialogue: Dialogue) -> None:
    reply, _ = _after(dialogue, "what is neuromuscular massage", "how much will it help")
    assert reply.intent != "clinic_prices"
    price, _ = _after(dialogue, "what is neuromuscular massage", "how much does it cost")
    assert price.intent == "clinic_prices"


@pytest.mark.parametrize(
    ("before", "told", "want"),
    [
        ("can i work with sciatica", "im a builder", "work_driving"),
        ("im pregnant with sciatica", "im 12 weeks", "pregnancy"),
        ("is massage safe for sciatica", "im 22 weeks", "massage_safety"),
    ],
)
def test_who_the_person_is_goes_on_from_the_last_answer(
    dialogue: Dialogue, before: str, told: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, told)
    assert reply.intent == want
    alone, _ = _after(dialogue, told)
    assert alone.kind == "fallback"


@pytest.mark.parametrize("told", ["im bored", "im so confused", "im fine"])
def test_how_the_person_feels_is_not_who_they_are(dialogue: Dialogue, told: str) -> None:
    reply, _ = _after(dialogue, "can massage help sciatica", told)
    assert reply.kind != "as_above", reply


def test_feeding_a_baby_names_the_time_after_a_birth(dialogue: Dialogue) -> None:
    """Pregnancy's answer goes only to someone who mentioned a pregnancy or a birth:
    breastfeeding is one such mention, so a story of it is answered on pregnancy."""
    story = (
        "Ever since I started breastfeeding my little one, the pain runs from my left buttock "
        "down to my knee. Sitting on the sofa for the night feeds is the worst."
    )
    reply, _ = dialogue.handle(ChatState(), story)
    assert reply.intent == "pregnancy", (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("message", "cancels"),
    [
        ("Sorry, wrong chat.", False),
        ("sorry, posted that in the wrong group", False),
        ("sorry i need to cancel tomorrow", True),
    ],
)
def test_an_apology_tells_no_topic(dialogue: Dialogue, message: str, cancels: bool) -> None:
    """ "Sorry" weighs nothing: an apology for a message sent to the wrong place is no
    cancellation; cancelling is still told by "cancel"."""
    reply, _ = dialogue.handle(ChatState(), message)
    assert (reply.intent == "clinic_cancellation") is cancels, (reply.kind, reply.intent)


# --- conversations as people have them (dialogues_blind2.yml's classes) -------------------


@pytest.mark.parametrize(
    ("before", "said"),
    [
        ("what is sciatica", "all sorted, ta"),
        ("how long does sciatica last", "right, will see my gp then, thanks"),
        ("is massage safe when pregnant", "ok will ask the midwife first, cheers"),
    ],
)
def test_a_plan_or_a_word_and_then_thanks_is_thanks(
    dialogue: Dialogue, before: str, said: str
) -> None:
    reply, _ = _after(dialogue, before, said)
    assert reply.intent == "thanks", (reply.kind, reply.intent)


@pytest.mark.parametrize(
    "said", ["how do i book, thanks", "what is piriformis syndrome thanks", "can i park there thx"]
)
def test_a_question_that_ends_with_thanks_is_asked(dialogue: Dialogue, said: str) -> None:
    reply, _ = _after(dialogue, "what is sciatica", said)
    assert reply.intent != "thanks", (reply.kind, reply.intent)


def test_a_long_thank_you_that_asks_nothing_is_thanks(dialogue: Dialogue) -> None:
    story = (
        "I just wanted to say thank you so much. My back and leg had been bad for most of the "
        "winter and after two sessions with you I can finally sit through a film again. My "
        "wife noticed the difference before I did!"
    )
    reply, _ = dialogue.handle(ChatState(), story)
    assert reply.intent == "thanks", (reply.kind, reply.intent)
    asked, _ = dialogue.handle(
        ChatState(),
        "Thanks for the last session. The pain in my buttock is back though, should I use heat "
        "or ice?",
    )
    assert asked.intent == "heat_ice"


@pytest.mark.parametrize(
    ("before", "told", "want"),
    [
        ("how long does sciatica usually last", "its been 8 months now", "how_long"),
        ("how long does sciatica usually last", "it's been nearly a year", "how_long"),
        ("best sleeping position for sciatica", "still awake at 3am every night", "sleep_position"),
        ("can i drive with sciatica", "still doing 10 hour shifts on the road", "work_driving"),
    ],
)
def test_how_things_stand_goes_on_from_the_last_answer(
    dialogue: Dialogue, before: str, told: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, told)
    assert reply.intent == want, (reply.kind, reply.intent)
    alone, _ = _after(dialogue, told)
    assert alone.intent != want or alone.kind == "fallback"


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        # "how much" of something else asks no price
        pytest.param(
            "do you accept insurance",
            "how much notice should i give",
            "clinic_cancellation",
            id="notice-is-no-price",
        ),
        pytest.param(
            "do you take card",
            "how much notice do you need to cancel",
            "clinic_cancellation",
            id="notice-to-cancel",
        ),
        # a condition after another part of the body asks the massage for it
        pytest.param(
            "do you treat shoulder pain",
            "and for piriformis?",
            "neuromuscular_massage",
            id="condition-after-body-part",
        ),
        pytest.param(
            "does massage help with knee pain",
            "what about sciatica?",
            "massage_for_sciatica",
            id="sciatica-after-knee",
        ),
        # the same question for someone else
        pytest.param(
            "can massage help sciatica",
            "what about my dad, he's 75",
            "massage_for_sciatica",
            id="for-my-dad",
        ),
        pytest.param(
            "is it safe to have a massage",
            "and my husband, he's diabetic",
            "massage_safety",
            id="for-my-husband",
        ),
        # "what if" naming another clinic fact or a condition
        pytest.param(
            "do you take health insurance",
            "and if i have to cancel at short notice?",
            "clinic_cancellation",
            id="cancel-after-insurance",
        ),
        pytest.param(
            "is massage safe for sciatica",
            "what if i have diabetes?",
            "massage_safety",
            id="what-if-a-condition",
        ),
    ],
)
def test_a_follow_up_asks_what_it_names_with_the_answer_before(
    dialogue: Dialogue, before: str, asked: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == want, (reply.kind, reply.intent)


def test_the_other_one_names_what_was_meant(dialogue: Dialogue) -> None:
    reply, _ = _after(
        dialogue,
        "whats the difference between sciatica and piriformis",
        "[piriformis_muscle]",
        "no the other one, the syndrome",
    )
    assert reply.intent == "piriformis_syndrome", (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "said", "want"),
    [
        ("what is the piriformis stretch", "is that the one where you cross your leg", None),
        ("can i work with sciatica", "i do night shifts in a warehouse", "work_driving"),
    ],
)
def test_the_one_before_or_what_the_person_does_goes_on(
    dialogue: Dialogue, before: str, said: str, want: str | None
) -> None:
    first, _ = _after(dialogue, before)
    reply, _ = _after(dialogue, before, said)
    assert reply.intent == (want or first.intent), (reply.kind, reply.intent)
    alone, _ = _after(dialogue, said)
    assert alone.kind == "fallback"


@pytest.mark.parametrize(
    ("before", "told"),
    [
        ("what causes sciatica", "i lift weights a lot, could that be it"),
        ("who gets sciatica", "i do a lot of yoga, is that why"),
    ],
)
def test_could_that_be_it_after_the_causes_asks_them(
    dialogue: Dialogue, before: str, told: str
) -> None:
    first, _ = _after(dialogue, before)
    reply, _ = _after(dialogue, before, told)
    assert reply.intent == first.intent, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        ("what is sciatica", "what brings it on", "sciatica_causes"),
        ("what are the symptoms of sciatica", "what sets it off", "sciatica_causes"),
        ("what is sciatica", "what makes it start", "sciatica_causes"),
        ("what is sciatica", "what is make this pain come", "sciatica_causes"),
        ("what is sciatica", "so what triggers it", "sciatica_causes"),
        ("where is the piriformis", "how does it give you sciatica then", "trigger_point_4"),
        ("where is the piriformis", "how does that lead to sciatica", "trigger_point_4"),
        ("where is the piriformis", "what causes it", "trigger_point_4"),
    ],
)
def test_the_cause_asked_in_other_words_asks_what_causes_it(
    dialogue: Dialogue, before: str, asked: str, want: str
) -> None:
    """What brings the pain on, sets it off or triggers it asks the cause, as "what causes
    it" does; after the muscle, what makes it tight or gives someone sciatica is its trigger
    point."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == want, (reply.kind, reply.intent, reply.candidates[:3])


@pytest.mark.parametrize(
    ("before", "asked"),
    [
        ("what is sciatica", "what makes it worse"),
        ("what is sciatica", "what makes it better"),
        ("what is sciatica", "what brings the price down"),
    ],
)
def test_what_makes_it_worse_or_better_asks_no_cause(
    dialogue: Dialogue, before: str, asked: str
) -> None:
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent != "sciatica_causes", (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked"),
    [
        ("how long does sciatica last", "should i keep coming every week"),
        ("how long does sciatica last", "how often should i come in"),
        ("what is piriformis syndrome", "do i need to keep coming back"),
        ("do you take card", "should i carry on booking once a fortnight"),
        ("thanks so much, the massage really helped", "should i keep coming once a month"),
        ("what is neuromuscular massage", "how often should i come"),
    ],
)
def test_how_often_to_come_asks_about_the_sessions(
    dialogue: Dialogue, before: str, asked: str
) -> None:
    """Whether to keep coming, or how often to come, asks about the sessions whatever the
    last answer was: the massage answer says a therapist suggests how many."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == "neuromuscular_massage", (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        ("can i drive with sciatica", "how often should i stop", "work_driving"),
        ("what stretches help sciatica", "how often should i do them", "stretches_exercise"),
        # the pain that keeps coming back is no session
        ("how long does sciatica last", "will it keep coming back", "how_long"),
    ],
)
def test_how_often_to_do_something_else_is_not_the_sessions(
    dialogue: Dialogue, before: str, asked: str, want: str
) -> None:
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == want, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        (
            "what is piriformis syndrome",
            "could that be what i have if my bum hurts on long drives",
            "sciatica_vs_piriformis",
        ),
        (
            "what is piriformis syndrome",
            "is that what ive got if it aches when i sit",
            "sciatica_vs_piriformis",
        ),
        (
            "what is sciatica",
            "which one do i have if the pain goes below the knee",
            "sciatica_vs_piriformis",
        ),
        (
            "is massage safe for sciatica",
            "is it safe for me if i have high blood pressure",
            "massage_safety",
        ),
        ("does massage help sciatica", "how much is it if i come twice", "clinic_prices"),
    ],
)
def test_a_short_question_with_an_if_of_ones_own_case_asks_about_the_last_answer(
    dialogue: Dialogue, before: str, asked: str, want: str
) -> None:
    """A short question about the last answer followed by "if" and the person's own case
    ("is that what I have if it hurts when I sit") asks what the question alone asks, as
    when a comma parts the two."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == want, (reply.kind, reply.intent, reply.candidates[:3])


@pytest.mark.parametrize(
    ("before", "said", "want"),
    [
        (
            "what are the symptoms of sciatica",
            "asking for my partner, he gets it down his leg",
            "sciatica_symptoms",
        ),
        ("is massage safe", "this is for my mum btw", "massage_safety"),
        ("is massage safe", "what about for my wife, she's 30 weeks", "pregnancy"),
        ("how long does sciatica last", "i'm asking for my son", "how_long"),
    ],
)
def test_whom_the_question_is_for_keeps_the_last_answer(
    dialogue: Dialogue, before: str, said: str, want: str
) -> None:
    """Saying whom the question was for ("it's for my husband actually") keeps the last
    answer; a relative's pregnancy told in weeks is a pregnancy mentioned."""
    reply, _ = _after(dialogue, before, said)
    assert reply.intent == want, (reply.kind, reply.intent, reply.candidates[:3])


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        ("can i drive with sciatica", "what should i do", "work_driving"),
        ("best sleeping position for sciatica", "what do i do now", "sleep_position"),
        ("does heat help sciatica", "so what should i do", "heat_ice"),
        ("sciatica while pregnant", "what should i do then", "pregnancy"),
        ("can massage help sciatica", "what should i do", "find_therapist"),
        ("what is neuromuscular massage", "what do i do now", "find_therapist"),
        ("how much is a session", "what should i do", "clinic_booking"),
        ("do you take insurance", "what do i do next", "clinic_booking"),
    ],
)
def test_what_should_i_do_after_any_answer_asks_its_next_step(
    dialogue: Dialogue, before: str, asked: str, want: str
) -> None:
    """ "What should I do?" after advice (driving, sleeping, heat, pregnancy) asks that
    advice; after how massage helps, whom to see; after the clinic's facts, how to book.
    Never "not sure", never goodbye."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == want, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        ("can i drive with sciatica", "how long will it take to go", "how_long"),
        ("does heat help sciatica", "how long until it goes away", "how_long"),
        ("what stretches help sciatica", "how long will it take to heal", "how_long"),
        ("can i drive with sciatica", "and how long till the pain settles", "how_long"),
        # how long to keep on with the advice is still the advice's
        ("does heat help sciatica", "how long should i leave it on", "heat_ice"),
        ("can i drive with sciatica", "how long can i drive for", "work_driving"),
    ],
)
def test_how_long_until_the_pain_goes_asks_how_long_it_lasts(
    dialogue: Dialogue, before: str, asked: str, want: str
) -> None:
    """After advice (driving, heat, stretches), how long until the pain goes away or heals
    asks how long it lasts; how long to keep on with the advice is the advice's."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == want, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        ("can massage help sciatica", "is it normal to feel sore the next day", "massage_safety"),
        ("what is neuromuscular massage", "will i ache afterwards", "massage_safety"),
        ("can massage help sciatica", "is it ok to be sore after", "massage_safety"),
        (
            "what stretches help sciatica",
            "is it normal to feel sore after them",
            "stretches_exercise",
        ),
    ],
)
def test_soreness_after_a_treatment_asks_its_effects(
    dialogue: Dialogue, before: str, asked: str, want: str
) -> None:
    """Whether it is normal to feel sore, or whether one will ache, after the treatment just
    answered asks its effects (after a massage, whether massage is safe for me), not the
    symptoms the words "sore" and "ache" name."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == want, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        ("how much is a session", "does it help with sciatica", {"massage_for_sciatica"}),
        ("how long is a session", "is it safe when pregnant", {"massage_safety", "pregnancy"}),
        (
            "what should i wear",
            "will it hurt",
            {"massage_for_sciatica", "neuromuscular_massage", "massage_safety"},
        ),
        (
            "how much is a session",
            "is it deep tissue",
            {"massage_for_sciatica", "neuromuscular_massage"},
        ),
        # the clinic's own follow-ups still lean on the fact
        ("how much is a session", "can i pay for it by card", {"clinic_prices"}),
        ("where are you based", "is it easy to park there", {"clinic_location_hours"}),
        ("do you take insurance", "does it cover it", {"clinic_insurance"}),
    ],
)
def test_it_after_a_clinic_fact_is_the_massage_when_the_question_is_about_it(
    dialogue: Dialogue, before: str, asked: str, want: set[str]
) -> None:
    """After one of the clinic's facts, "it" in a question about the treatment or the
    condition is the massage ("does it help with sciatica" after the prices), not the fact;
    a question about the fact itself still leans on it."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent in want, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked", "want"),
    [
        ("how long is a session", "and if i book but then cant come", "clinic_cancellation"),
        ("how long is a session", "if not could we move it to another day", "clinic_cancellation"),
        ("how much is a session", "and if i have to move it to next week", "clinic_cancellation"),
        ("where are you based", "and if i cancel the day before", "clinic_cancellation"),
        # no "if": the last question again, about what is named
        ("how much for an hour", "and half an hour?", "clinic_prices"),
    ],
)
def test_another_clinic_fact_after_a_clinic_fact_is_read_on_its_words(
    dialogue: Dialogue, before: str, asked: str, want: str
) -> None:
    """After one of the clinic's facts, what may happen ("and if ...") whose own words are
    another of its facts (moving a booking after the session's length) asks that fact, not
    the last again."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == want, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    "asked",
    [
        "can someone from the clinic get back to me",
        "ok can a person get back to me about the price",
        "please get back to us about a booking",
    ],
)
def test_get_back_to_me_asks_for_a_reply_not_back(dialogue: Dialogue, asked: str) -> None:
    """ "Get back to me" asks for an answer from someone, not for the answer before."""
    reply, _ = _after(dialogue, "what is sciatica", "[sciatica_causes]", asked)
    assert reply.kind != "no_history" and reply.intent != "sciatica_definition"


@pytest.mark.parametrize(
    ("before", "asked"),
    [
        ("should i get an mri scan", "in the meantime what can i do"),
        ("do i need an x ray", "what should i do while i wait"),
    ],
)
def test_what_to_do_after_the_scans_asks_what_helps(
    dialogue: Dialogue, before: str, asked: str
) -> None:
    """After the answer about scans, what to do meanwhile asks what helps the pain."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == "massage_for_sciatica", (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "asked"),
    [
        ("what is trigger point 4", "how can i tell if i have the real one or the fake one"),
        ("what is piriformis syndrome", "how do i tell if its the nerve one or the muscle one"),
        ("what is sciatica", "is mine the back one or the bum one"),
    ],
)
def test_a_choice_between_two_ones_asks_which_one_it_is(
    dialogue: Dialogue, before: str, asked: str
) -> None:
    """ "The real one or the fake one" after a condition: which of the two the person has."""
    reply, _ = _after(dialogue, before, asked)
    assert reply.intent == "sciatica_vs_piriformis", (reply.kind, reply.intent)


@pytest.mark.parametrize("asked", ["list them all", "can you list them", "list everything"])
def test_list_them_after_what_the_bot_knows_is_the_menu(dialogue: Dialogue, asked: str) -> None:
    """After the bot says what it knows about, "list them all" asks for the topics."""
    reply, _ = _after(dialogue, "what do you know about", asked)
    assert reply.kind == ReplyKind.MENU, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    ("before", "told", "want"),
    [
        ("when should i see a doctor", "my gp said massage is fine to try", "massage_safety"),
        ("can massage help sciatica", "my physio says its safe for me", "massage_safety"),
        ("what stretches help", "the doctor told me that they are fine", "stretches_exercise"),
    ],
)
def test_what_a_professional_said_is_read_as_the_short_question_it_reports(
    dialogue: Dialogue, before: str, told: str, want: str
) -> None:
    """ "My GP said massage is fine" after an answer is read as "is massage fine": who said
    it does not make the words a topic of their own."""
    reply, _ = _after(dialogue, before, told)
    assert reply.intent == want, (reply.kind, reply.intent)


@pytest.mark.parametrize(
    "told",
    [
        "im a hairdresser so im bent over peoples heads all day, guess thats me",
        "i play the drums in a band most nights, sounds like me",
        "i spend my days crouched under cars fixing them, guess that is me then",
        "my whole job is bending over plant pots so thats me",
    ],
)
def test_a_message_ending_thats_me_keeps_the_last_answer(dialogue: Dialogue, told: str) -> None:
    """ "..., guess that's me" after an answer finds the person in it: the answer stands,
    however long what they told of themselves first."""
    reply, _ = _after(dialogue, "what jobs make you more likely to get sciatica", told)
    assert reply.intent == "risk_factors", (reply.kind, reply.intent)
