"""Voice notes: the engine on the fixture clips, safety over its weaker readings, and voice
notes through the fake Bot API (getFile and the file download).

The tests that transcribe need the ``voice`` extra (``make test`` installs it); without it they
skip with one line saying so. The rest use a scripted engine.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from harness import TOKEN, RunningBot, start_bot
from locations import DATA

from bot import voice
from bot.dialogue import Dialogue
from bot.evaluation.clips import VoiceReport, evaluate_voice, load_clips
from bot.evaluation.labelled import Report
from bot.replies import ChatState
from bot.safety import Outcome
from bot.service import ChatService
from bot.settings import Settings
from bot.store import Store
from bot.telegram.app import voice_queue
from bot.telegram.render import escape
from bot.voice import engine as voice_engine
from bot.voice.prompt import VocabularyError

CLIPS = DATA / "voice"
HELDOUT = CLIPS / "heldout"
HARD = CLIPS / "hard"
"""Harder tuning clips (first set's voices, faster, noise at 5 dB); only
test_hard_tuning_clips_floors transcribes them (about 30 s of CPU), marked ``hard_clips``
(``-m "not hard_clips"`` leaves them out)."""
CHAT = 1001
NO_EXTRA = "the voice extra is not installed (pip install -e '.[voice]'; make test does)"

needs_extra = pytest.mark.skipif(not voice.available(), reason=NO_EXTRA)

# Floors on the two clip sets (the prompt is fixed data, so content edits do not move them),
# a clip under what was measured (first set 96.0% / 91.7%, no false alarm; held out 90.7% /
# 84.6%, red-flag recall 14/16 and 7/8, 1 false alarm, with the sound-alike readings checked
# against the audio and a looping transcript decoded again). Every urgent clip of the first set
# must get the urgent answer.
FIRST_CLEAN, FIRST_NOISY, FIRST_FALSE_ALARMS = 0.94, 0.87, 1
HELDOUT_CLEAN, HELDOUT_NOISY, HELDOUT_FALSE_ALARMS = 0.88, 0.80, 1
HELDOUT_RECALL_CLEAN, HELDOUT_RECALL_NOISY = 13 / 16, 7 / 8
# The harder tuning clips (hard/): measured 87.5% / 75.0% intent, red-flag recall 11/12 clean
# and 8/12 noisy, no false alarm (a prompt word the audio does not support read as the everyday
# words in its place, the typed screen's "can't lift it", a looping transcript decoded again);
# floors a clip under.
HARD_CLEAN, HARD_NOISY, HARD_FALSE_ALARMS = 20 / 24, 17 / 24, 1
HARD_RECALL_CLEAN, HARD_RECALL_NOISY = 10 / 12, 7 / 12


@pytest.fixture(scope="session")
def engine(content) -> voice.Engine:
    """The default engine, loaded once for the session."""
    if not voice.available():
        pytest.skip(NO_EXTRA)
    return voice.engine_for()


@pytest.fixture(scope="session")
def report(engine, dialogue) -> VoiceReport:
    """Every clip of the first set, transcribed once for the session."""
    return evaluate_voice(engine, dialogue, load_clips(CLIPS / "clips.yml"))


@pytest.fixture(scope="session")
def hard(engine, dialogue) -> VoiceReport:
    """Every harder tuning clip (make_hard.py), transcribed once for the session."""
    return evaluate_voice(engine, dialogue, load_clips(HARD / "clips.yml"))


@pytest.fixture(scope="session")
def heldout(engine, dialogue) -> VoiceReport:
    """Every held-out clip (nothing in the bot is tuned on them), transcribed once."""
    return evaluate_voice(engine, dialogue, load_clips(HELDOUT / "clips.yml"))


class Scripted:
    """An engine that hears what it is told; ``gate`` holds it until set."""

    name = "scripted"

    def __init__(self, heard: voice.Heard, gate: threading.Event | None = None) -> None:
        self.heard = heard
        self.gate = gate
        self.started = threading.Event()

    def transcribe(self, audio: bytes) -> voice.Heard:
        self.started.set()
        if self.gate is not None:
            self.gate.wait(30)
        return self.heard


@pytest.fixture
async def voice_bot(dialogue: Dialogue) -> AsyncIterator[Any]:
    started: list[RunningBot] = []

    async def start(engine: voice.Engine, limit: int = voice.QUEUE_LIMIT) -> RunningBot:
        service = ChatService(dialogue, Store())
        running = await start_bot(dialogue, service=service)
        running.app.bot_data["adapter"].voice = voice.VoiceQueue(engine, limit)
        started.append(running)
        return running

    yield start
    for running in started:
        running.app.bot_data["adapter"].voice.close()
        await running.stop()


def texts(running: RunningBot, chat: int = CHAT) -> list[str]:
    return running.api.sent_texts(chat)


async def replies(running: RunningBot, count: int, chat: int = CHAT) -> list[str]:
    calls = await running.api.wait_for(
        "sendMessage", count, where=lambda c: c.params["chat_id"] == chat, timeout=60
    )
    return [c.params["text"] for c in calls]


# --- accuracy on the fixtures (the extra) ------------------------------------------------------


def test_fixture_clips_are_small_telegram_style_notes():
    clips = load_clips(CLIPS / "clips.yml")
    assert len(clips) >= 60
    assert len({c.voice for c in clips}) >= 3
    assert sum(c.noisy for c in clips) >= len(clips) // 3
    assert sum(c.item.kind == "urgent" for c in clips) >= 10
    assert sum(c.item.kind == "out_of_scope" for c in clips) >= 10
    for clip in clips:
        data = clip.file.read_bytes()
        assert data[:4] == b"OggS" and b"OpusHead" in data[:100], clip.file
        assert len(data) < 30_000, clip.file


def test_the_hard_tuning_clips_are_the_first_sets_voices_faster_and_noisier():
    first = load_clips(CLIPS / "clips.yml")
    clips = load_clips(HARD / "clips.yml")
    assert len(clips) >= 40
    assert {c.voice for c in clips} == {c.voice for c in first}
    assert sum(c.item.kind == "urgent" for c in clips) == len(clips) // 2
    assert sum(c.noisy for c in clips) == len(clips) // 2
    raw = yaml.safe_load((HARD / "clips.yml").read_text(encoding="utf-8"))
    assert {e["noise"] for e in raw if e["noisy"]} == {"babble", "hum", "street"}
    assert all(e["speed"] > 1 for e in raw)
    heldout = {c.item.q for c in load_clips(HELDOUT / "clips.yml")}
    assert not {c.item.q for c in clips} & heldout
    for clip in clips:
        data = clip.file.read_bytes()
        assert data[:4] == b"OggS" and b"OpusHead" in data[:100], clip.file
        assert len(data) < 30_000, clip.file


def test_the_held_out_clips_come_from_other_voices_and_rooms():
    first = load_clips(CLIPS / "clips.yml")
    clips = load_clips(HELDOUT / "clips.yml")
    assert len(clips) >= 60
    assert len({c.voice for c in clips}) >= 4
    assert not {c.voice for c in clips} & {c.voice for c in first}
    assert not {c.item.q for c in clips} & {c.item.q for c in first}
    assert sum(c.noisy for c in clips) >= len(clips) // 3 - 1
    raw = yaml.safe_load((HELDOUT / "clips.yml").read_text(encoding="utf-8"))
    assert {e["noise"] for e in raw if e["noisy"]} == {"babble", "hum", "street"}
    assert {e["speed"] for e in raw} >= {0.85, 1.2}
    assert sum(c.item.kind == "urgent" for c in clips) >= 20
    for clip in clips:
        data = clip.file.read_bytes()
        assert data[:4] == b"OggS" and b"OpusHead" in data[:100], clip.file
        assert len(data) < 30_000, clip.file


def test_clean_clips_get_the_right_answer(report):
    assert report.accuracy(noisy=False) >= FIRST_CLEAN, report.to_text()
    assert report.accuracy(noisy=True) >= FIRST_NOISY, report.to_text()


def test_every_urgent_clip_gets_the_urgent_answer(report):
    urgent = [o for o in report.outcomes if o.clip.item.kind == "urgent"]
    assert len(urgent) >= 20
    missed = [o.clip.file.name for o in urgent if o.outcome.got != "urgent"]
    assert missed == [], report.to_text()
    assert _false_alarms(report) <= FIRST_FALSE_ALARMS, report.to_text()


def test_held_out_clips_floors(heldout):
    assert heldout.accuracy(noisy=False) >= HELDOUT_CLEAN, heldout.to_text()
    assert heldout.accuracy(noisy=True) >= HELDOUT_NOISY, heldout.to_text()
    assert heldout.red_flag_recall(noisy=False) >= HELDOUT_RECALL_CLEAN, heldout.to_text()
    assert heldout.red_flag_recall(noisy=True) >= HELDOUT_RECALL_NOISY, heldout.to_text()
    assert _false_alarms(heldout) <= HELDOUT_FALSE_ALARMS, heldout.to_text()


@pytest.mark.hard_clips
def test_hard_tuning_clips_floors(hard):
    assert hard.accuracy(noisy=False) >= HARD_CLEAN, hard.to_text()
    assert hard.accuracy(noisy=True) >= HARD_NOISY, hard.to_text()
    assert hard.red_flag_recall(noisy=False) >= HARD_RECALL_CLEAN, hard.to_text()
    assert hard.red_flag_recall(noisy=True) >= HARD_RECALL_NOISY, hard.to_text()
    assert _false_alarms(hard) <= HARD_FALSE_ALARMS, hard.to_text()
    # the readings the audio was asked about come back with their words' probabilities
    checked = [o.heard.checked for o in hard.outcomes if o.heard.checked]
    assert checked and all(len(r.split()) == len(p) for c in checked for r, p in c)


@pytest.mark.hard_clips
def test_a_note_heard_as_a_loop_is_decoded_again(hard):
    """Babble sends Whisper round in a loop ("I mean, I mean, ..."); such a note is decoded
    again with a repetition penalty, and the loop stays among the alternatives."""
    assert not [o.heard.text for o in hard.outcomes if voice_engine.looping(o.heard.text)]
    loops = [o for o in hard.outcomes if any(map(voice_engine.looping, o.heard.alternatives))]
    assert loops, hard.to_text()
    assert all(o.clip.noisy for o in loops)


@pytest.mark.parametrize(
    ("text", "loop"),
    [
        ("I mean, I mean, I mean, I mean, I mean, I mean", True),
        ("I can't be told, I can't be told, I can't be", True),
        ("my back my back my back my back my back my back my back my back", True),
        ("I can't walk, I can't sit, I can't sleep", False),
        ("should I use a hot water bottle, hot water or ice", False),
        ("I know it's sciatica, but it doesn't matter, I know it's sciatica", False),
        ("", False),
    ],
)
def test_a_loop_is_the_same_words_three_times_or_a_transcript_that_compresses_well(text, loop):
    assert voice_engine.looping(text) is loop


def _false_alarms(report: VoiceReport) -> int:
    return Report(tuple(o.outcome for o in report.outcomes)).urgent_false_alarms


@needs_extra
async def test_the_model_loads_on_the_voice_thread_not_at_start_up() -> None:
    """Start-up checks the model file and goes on; the voice thread loads the model at once,
    and a note sent meanwhile waits behind the load."""
    engine = voice.WhisperEngine("")
    assert engine._model is None  # checked (sha256), not loaded
    queue = voice.VoiceQueue(engine)
    try:
        heard = await queue.transcribe((CLIPS / "silence.ogg").read_bytes())
        assert engine._model is not None
        assert heard.text == ""
    finally:
        queue.close()


@needs_extra
def test_a_model_file_that_is_not_the_pinned_one_keeps_voice_off(content, caplog, monkeypatch):
    with pytest.raises(voice.VoiceUnavailable, match="sha256"):
        voice.WhisperEngine("", expected_sha256="0" * 64)
    caplog.set_level(logging.INFO, logger="bot.telegram.app")
    monkeypatch.setattr(voice_engine, "MODEL_SHA256", "0" * 64)
    queue = voice_queue(Settings(telegram_token=TOKEN, voice="on"))
    assert queue is None
    (line,) = [r.getMessage() for r in caplog.records if "voice" in r.getMessage()]
    assert line.startswith("voice notes off:") and "sha256" in line


@needs_extra
def test_corrupt_and_empty_bytes_are_audio_errors():
    for data in (b"", b"not audio at all" * 50, (CLIPS / "00-espeak-us.ogg").read_bytes()[:300]):
        with pytest.raises(voice.AudioError):
            voice.decode(data)


# --- safety over the weaker readings ----------------------------------------------------------


def sure(text: str, *unsure_words: str, alternatives: tuple[str, ...] = ()) -> voice.Heard:
    """``text`` heard with every word at probability 0.95 but ``unsure_words`` at 0.3."""
    words = tuple(0.3 if w.strip(".,?!") in unsure_words else 0.95 for w in text.split())
    return voice.Heard(text, 0.9, alternatives, words)


def red_flag(dialogue: Dialogue, heard: voice.Heard) -> bool:
    return voice.answer_heard(dialogue, ChatState(), heard)[0].red_flag


def test_a_misheard_urgent_symptom_still_gets_the_urgent_answer(dialogue):
    text = "I can't be since yesterday and my back hurts"
    typed, _ = dialogue.handle(ChatState(), text)
    assert not typed.red_flag  # as typed, "be" is not a symptom
    assert red_flag(dialogue, sure(text, "be"))  # the engine was unsure of "be"
    # the beam heard something else there
    assert red_flag(dialogue, sure(text, alternatives=("I can't see since yesterday and my back",)))
    # an engine that says nothing about its certainty: every word may be misheard
    assert red_flag(dialogue, voice.Heard(text, 0.9))
    alternative = voice.Heard("I can feel my legs", 0.9, ("I can't feel my legs",))
    assert voice.answer_heard(dialogue, ChatState(), alternative)[0].red_flag


def test_a_confidently_heard_sound_alike_stays_as_heard(dialogue):
    for text, other, intent in (
        (
            "I'd be grateful if I could book for next week",
            "I'd be grateful if I could look for next week",
            "clinic_booking",
        ),
        (
            "I can't be there on Friday, can I move my appointment",
            "I can't be there on Friday, can I move my appointments",
            "clinic_cancellation",
        ),
        (
            "it would be good to book a massage next week",
            "it would be good to look at massage next week",
            "clinic_booking",
        ),
    ):
        heard = sure(text, alternatives=(other,))
        reply, _ = voice.answer_heard(dialogue, ChatState(), heard)
        assert not reply.red_flag and reply.intent == intent, text
        assert voice.hypotheses(heard) == [other]  # only the beam's own other reading
        # the same words, the engine unsure of "be": the urgent screen reads "pee" there
        assert any("pee" in h for h in voice.hypotheses(sure(text, "be")))


def test_another_reading_counts_only_on_a_red_flag_word_it_heard_differently(dialogue):
    # the beam's "tab" for "tap" leaves "leaking" as heard: the tap is still a tap
    heard = sure(
        "I need a plumber for a leaking tap", alternatives=("I need a plumber for a leaking tab",)
    )
    assert dialogue.screen.assess(heard.alternatives[0]).outcome == Outcome.URGENT
    assert not red_flag(dialogue, heard)
    # an alternative that heard the red-flag word itself adds the urgent answer
    assert red_flag(
        dialogue,
        sure(
            "I need a plumber for a leaking tap",
            alternatives=("I need a plumber, I'm leaking pee",),
        ),
    )
    assert red_flag(dialogue, sure("I can lift my foot", alternatives=("I can't lift my foot",)))


def test_no_sound_alike_is_read_into_an_alternative(dialogue):
    said = "my cat keeps being sick, what should I do"
    heard = voice.Heard(said, 0.6, ("my cannot be experienced, what should I do",))
    assert not any("pee" in h for h in voice.hypotheses(heard))
    assert not red_flag(dialogue, heard)
    # the transcript's own unsure "be" is read as "pee"
    assert red_flag(dialogue, sure("my cannot be experienced, what should I do", "be"))


def test_an_unsure_negation_is_screened_both_ways(dialogue):
    for text in ("I can lift my foot since this morning", "I have know feeling down there"):
        flipped = "can" if "can" in text else "know"
        assert not red_flag(dialogue, sure(text)), text  # heard clearly: answered as said
        assert red_flag(dialogue, sure(text, flipped)), text  # unsure: the other reading adds
    # never removed: "can't" unsure, its flip "can" is screened too, the urgent answer stays
    assert red_flag(dialogue, sure("I can't lift my foot since this morning", "can't"))


def test_whisper_sentence_marks_are_read_as_typed_text(dialogue):
    for spoken, typed in (
        ("Hello. What's the weather tomorrow?", "hello, what's the weather tomorrow?"),
        ("Tell me a joke. About massage.", "tell me a joke, about massage"),
    ):
        heard = voice.normalised(voice.Heard(spoken, 0.9))
        assert heard.text == typed[:1].upper() + typed[1:]
        reply, _ = voice.answer_heard(dialogue, ChatState(), voice.Heard(spoken, 0.9))
        assert reply.kind == "fallback", spoken  # declined, as the typed words are
    assert voice.normalised(voice.Heard("Is my MRI normal. I think so.", 0.9)).text == (
        "Is my MRI normal, I think so"
    )


def test_an_unsure_courtesy_at_the_end_is_dropped(dialogue):
    spoken = "Where is the piriformis muscle? Thank you."
    unsure = sure(spoken, "Thank", "you")
    assert voice.normalised(unsure).text == "Where is the piriformis muscle?"
    assert voice.normalised(unsure).words == (0.95,) * 5
    reply, _ = voice.answer_heard(
        dialogue, ChatState(), sure("I have a lot of pain. Thank you.", "Thank", "you")
    )
    assert reply.intent != "thanks"
    # heard clearly, or said alone, it stays
    assert voice.normalised(sure(spoken)).text == "Where is the piriformis muscle, thank you"
    assert voice.normalised(sure("Thank you.", "Thank", "you")).text == "Thank you"


def checked(text: str, reading: str, probability: float) -> voice.Heard:
    """``text`` heard surely, and ``reading`` checked against the audio: its changed word
    at ``probability``, the others at 0.95."""
    words = text.split()
    probabilities = tuple(
        0.95 if i < len(words) and w == words[i] else probability
        for i, w in enumerate(reading.split())
    )
    return voice.Heard(text, 0.9, (), (0.95,) * len(words), ((reading, probabilities),))


def test_a_sound_alike_the_audio_supports_adds_the_urgent_answer(dialogue):
    text = "I can't be at all since this morning"
    assert not red_flag(dialogue, sure(text))  # a sure "be", nothing else: stays "be"
    assert voice.variants(sure(text)) == ["I can't pee at all since this morning"]
    supported = checked(text, "I can't pee at all since this morning", 0.004)
    assert red_flag(dialogue, supported)
    assert voice.supported(voice.normalised(supported)) == [supported.checked[0][0]]
    # the audio says "be": the reading is not screened
    assert not red_flag(dialogue, checked(text, "I can't pee at all since this morning", 0.0002))
    # a checked reading that changes more than one word says nothing about one
    two = checked(text, "I can't pee at all since this evening", 0.5)
    assert voice.supported(two) == [] and not red_flag(dialogue, two)


def test_variants_are_one_sound_alike_each_without_repeats():
    heard = voice.Heard(
        "I'd be happy to book for next week.",
        0.9,
        ("I'd be happy to book for next week!", "I'd be happy to look for next week."),
    )
    got = voice.variants(heard)
    assert got[:2] == [
        "I'd pee happy to book for next week.",
        "I'd be happy to book for next weak.",
    ]
    assert len(got) == 4  # the "!" alternative adds nothing new, the "look" one two readings
    assert len(voice.variants(heard, limit=1)) == 1
    assert voice.variants(voice.Heard("where is the piriformis muscle", 0.9)) == []


def test_a_word_the_prompt_put_in_is_read_as_the_everyday_words_it_may_stand_for(dialogue):
    text = "I can't tell when I need the lumbar anymore."
    words = (0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.0002, 0.95)
    pulled = voice.Heard(text, 0.84, (), words, pulled=(7,))
    got = voice.variants(pulled)
    assert got[: len(voice.IN_PLACE_OF_PULLED)] == [
        text.replace("lumbar", word) for word in voice.IN_PLACE_OF_PULLED
    ]
    assert 7 in voice.unsure(pulled)
    # the audio supports "loo" in its place: the urgent answer; it does not: none
    loo = text.replace("lumbar", "loo")
    support = tuple(0.2 if w == "loo" else 0.95 for w in loo.split())
    assert red_flag(dialogue, replace(pulled, checked=((loo, support),)))
    refuse = tuple(0.0001 if w == "loo" else 0.95 for w in loo.split())
    assert not red_flag(dialogue, replace(pulled, checked=((loo, refuse),)))
    # a word the audio heard is no place for other words
    assert voice.variants(replace(pulled, pulled=())) == []


def test_an_unsure_negation_flipped_counts_where_the_audio_likes_it_as_well(dialogue):
    text = "my legs are not numb since this morning"
    flipped = "my legs are now numb since this morning"
    heard = sure(text, "not")  # "not" at 0.3
    assert not red_flag(dialogue, heard)
    assert flipped in voice.variants(heard)
    assert flipped not in voice.variants(sure(text))  # a sure "not" stays "not"
    liked = tuple(0.35 if w == "now" else 0.95 for w in flipped.split())
    assert red_flag(dialogue, replace(heard, checked=((flipped, liked),)))
    # above SUPPORTED but less than the audio gives "not": not screened
    less = tuple(0.2 if w == "now" else 0.95 for w in flipped.split())
    assert voice.supported(replace(heard, checked=((flipped, less),))) == []
    assert not red_flag(dialogue, replace(heard, checked=((flipped, less),)))


def test_readings_never_remove_an_urgent_answer(dialogue):
    heard = voice.Heard("I can't control my bladder", 0.9, ("I can control my bladder",))
    assert voice.answer_heard(dialogue, ChatState(), heard)[0].red_flag


def test_the_prompt_is_fixed_data_that_names_the_clinics_words(content):
    prompt = voice.domain_prompt()
    assert "Piriformis syndrome" in prompt
    assert "bladder" in prompt or "pee" in prompt
    assert len(prompt) <= 900
    for name in ("ibuprofen", "paracetamol", "MRI", "X-ray", "lumbar"):
        assert name in prompt or name in prompt.lower(), name
    assert prompt.endswith(".") and "saddle" in prompt


def test_editing_the_content_does_not_move_the_prompt():
    # the content is no input of the prompt: neither function takes it, the module reads none
    assert "content" not in inspect.signature(voice.domain_prompt).parameters
    assert "content" not in inspect.signature(voice.engine_for).parameters
    source = Path(voice.domain_prompt.__code__.co_filename).read_text(encoding="utf-8")
    assert "bot.content" not in source and "bot.dialogue" not in source


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- a list\n", "expected a mapping"),
        ("intro: ''\ntopics: [a]\nwords: [[b]]\n", "intro"),
        ("intro: Note\ntopics: []\nwords: [[b]]\n", "topics"),
        ("intro: Note\ntopics: [a]\nwords: [b]\n", "words"),
        ("intro: Note\ntopics: [a]\nwords: [[" + "longword, " * 100 + "b]]\n", "over 900"),
        ("intro: [unclosed\n", "cannot read"),
    ],
)
def test_a_bad_vocabulary_file_is_named_with_what_is_wrong(tmp_path, text, problem):
    path = tmp_path / "vocabulary.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError, match=problem) as caught:
        voice.domain_prompt(path)
    assert str(path) in str(caught.value)


@needs_extra
def test_a_bad_vocabulary_keeps_voice_off_with_one_line(tmp_path):
    with pytest.raises(voice.VoiceUnavailable, match=r"vocabulary\.yml"):
        voice.engine_for(tmp_path / "vocabulary.yml")


def test_service_never_stores_a_transcript(dialogue):
    store = Store()
    service = ChatService(dialogue, store)
    service.message("t:1", "how do I fix the gearbox of my car")
    assert store.pending_unanswered == 1
    heard = voice.Heard("how do I repair the clutch on my van", 0.9)
    reply = service.voice("t:2", heard)
    assert reply.kind in ("fallback", "did_you_mean")
    assert store.pending_unanswered == 1  # the voice note's words were not kept
    unsure = service.voice("t:2", voice.Heard("uh what sciatica", 0.1))
    assert unsure.kind == voice.NOT_HEARD
    assert unsure.buttons == dialogue.menu().buttons


# --- through the fake Bot API -----------------------------------------------------------------


@needs_extra
async def test_a_voice_note_is_answered_end_to_end(voice_bot, engine, dialogue):
    running = await voice_bot(engine)
    clip = CLIPS / "09-espeak-scot-slow.ogg"  # "where is the piriformis muscle"
    running.api.push_voice(clip.read_bytes(), duration=3)
    heard_line, answer = await replies(running, 2)
    assert heard_line.startswith(escape("I heard: “")) and "piriformis" in heard_line.lower()
    said = heard_line[len(escape("I heard: “")) : -len("”")]
    expected, _ = dialogue.handle(ChatState(), said)
    assert expected.intent == "piriformis_muscle"
    assert answer.startswith(escape(expected.text)[:200])
    assert [c.method for c in running.api.calls if c.method in ("getFile", "download")] == [
        "getFile",
        "download",
    ]
    service = running.app.bot_data["adapter"].service
    assert service.store.pending_unanswered == 0


@needs_extra
async def test_a_round_video_note_is_answered_too(voice_bot, engine, dialogue):
    running = await voice_bot(engine)
    running.api.push_voice((CLIPS / "32-espeak-us-noisy.ogg").read_bytes(), video_note=True)
    heard_line, answer = await replies(running, 2)
    assert heard_line.startswith(escape("I heard: "))
    assert answer.startswith(escape(dialogue.urgent().text)[:100])


@needs_extra
async def test_a_silent_note_asks_to_repeat_or_type_with_the_menu(
    voice_bot, engine, dialogue, content
):
    running = await voice_bot(engine)
    running.api.push_voice((CLIPS / "silence.ogg").read_bytes(), duration=3)
    (text,) = await replies(running, 1)
    assert text.startswith(escape(content.messages["voice_not_heard"]))
    (call,) = running.api.calls_to("sendMessage")
    labels = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [b.label for b in dialogue.menu().buttons]


@needs_extra
async def test_a_corrupt_file_gets_a_clear_answer(voice_bot, engine, content):
    running = await voice_bot(engine)
    running.api.push_voice(b"OggS" + b"\x00garbage" * 40, duration=2)
    assert await replies(running, 1) == [escape(content.messages["voice_unreadable"])]


async def test_too_long_or_too_big_notes_are_not_downloaded(voice_bot, content):
    running = await voice_bot(Scripted(voice.Heard("what is sciatica", 0.9)))
    running.api.push_voice(b"x" * 100, duration=61)
    running.api.push_voice(b"x" * 100, duration=20, file_size=1_500_000)
    assert await replies(running, 2) == [escape(content.messages["voice_too_long"])] * 2
    assert running.api.calls_to("getFile") == []


async def test_a_file_telegram_cannot_give_gets_a_clear_answer(voice_bot, content):
    running = await voice_bot(Scripted(voice.Heard("what is sciatica", 0.9)))
    running.api.push_voice(None, duration=2)  # getFile answers "invalid file_id"
    assert await replies(running, 1) == [escape(content.messages["voice_unreadable"])]


async def test_notes_beyond_the_queue_are_told_to_type_and_text_does_not_wait(
    voice_bot, dialogue, content
):
    gate = threading.Event()
    engine = Scripted(voice.Heard("what is piriformis syndrome", 0.9), gate)
    running = await voice_bot(engine, limit=0)
    try:
        running.api.push_voice(b"first", chat_id=CHAT)
        assert await asyncio.to_thread(engine.started.wait, 30)
        running.api.push_voice(b"second", chat_id=2002)
        assert await replies(running, 1, chat=2002) == [escape(content.messages["voice_busy"])]
        running.api.push_message("what causes sciatica", chat_id=3003)
        (typed,) = await replies(running, 1, chat=3003)
        expected, _ = dialogue.handle(ChatState(), "what causes sciatica")
        assert typed.startswith(escape(expected.text)[:100])
        assert texts(running, CHAT) == []  # the first note is still being transcribed
    finally:
        gate.set()
    heard_line, answer = await replies(running, 2)
    assert heard_line == escape("I heard: “what is piriformis syndrome”")
    assert answer.startswith(escape(dialogue.answer("piriformis_syndrome").text)[:100])


async def test_typing_shows_while_a_note_is_transcribed(voice_bot, dialogue):
    gate = threading.Event()
    engine = Scripted(voice.Heard("what is piriformis syndrome", 0.9), gate)
    running = await voice_bot(engine)
    try:
        running.api.push_voice(b"audio", chat_id=CHAT)
        assert await asyncio.to_thread(engine.started.wait, 30)
        (action,) = await running.api.wait_for("sendChatAction", 1, timeout=30)
        assert action.params["chat_id"] == CHAT and action.params["action"] == "typing"
        assert texts(running) == []  # while the note is being transcribed
    finally:
        gate.set()
    _, answer = await replies(running, 2)
    assert answer.startswith(escape(dialogue.answer("piriformis_syndrome").text)[:100])


async def test_a_failed_chat_action_costs_only_the_indicator(voice_bot, dialogue):
    running = await voice_bot(Scripted(voice.Heard("what is piriformis syndrome", 0.9)))
    running.api.fail_next("sendChatAction", 400, description="Bad Request: chat not found")
    running.api.push_voice(b"audio", chat_id=CHAT)
    heard_line, answer = await replies(running, 2)
    assert heard_line == escape("I heard: “what is piriformis syndrome”")
    assert answer.startswith(escape(dialogue.answer("piriformis_syndrome").text)[:100])
    assert running.api.calls_to("sendChatAction")


async def test_without_voice_a_note_gets_the_read_text_note(dialogue):
    running = await start_bot(dialogue)
    try:
        assert running.app.bot_data["adapter"].voice is None
        running.api.push_voice(b"audio")
        calls = await running.api.wait_for("sendMessage", 1)
        assert calls[0].params["text"] == escape(dialogue.not_text().text)
        assert running.api.calls_to("getFile") == []
    finally:
        await running.stop()


@needs_extra
def test_eval_voice_prints_the_figures(tmp_path, capsys):
    from bot.cli import main

    clips = [
        {
            "file": str(CLIPS / "09-espeak-scot-slow.ogg"),
            "q": "where is the piriformis muscle",
            "want": ["piriformis_muscle"],
            "kind": "topic",
            "voice": "espeak-scot-slow",
        },
        {
            "file": str(CLIPS / "40-espeak-gb-f.ogg"),
            "q": "x",
            "want": ["red_flags"],
            "kind": "urgent",
            "voice": "espeak-gb-f",
        },
    ]
    listing = tmp_path / "clips.yml"
    listing.write_text(yaml.safe_dump(clips))
    assert main(["eval-voice", str(listing)]) == 0
    out = capsys.readouterr().out
    assert "clips: 2" in out and "WER" in out and "red-flag recall" in out
    assert main(["eval-voice", str(tmp_path / "none.yml")]) == 1


async def test_the_words_heard_are_logged_at_debug_only(voice_bot, caplog):
    caplog.set_level(logging.DEBUG)
    running = await voice_bot(Scripted(voice.Heard("my secret words about sciatica", 0.9)))
    running.api.push_voice(b"audio", chat_id=CHAT)
    await replies(running, 2)
    logged = [r for r in caplog.records if "secret words" in r.getMessage()]
    assert logged and all(r.levelno == logging.DEBUG for r in logged)


async def test_a_note_bigger_than_it_said_is_not_downloaded(voice_bot, content):
    # The update says 100 bytes; getFile says more than the limit: the size is checked again.
    running = await voice_bot(Scripted(voice.Heard("what is sciatica", 0.9)))
    running.api.push_voice(b"x" * (voice.MAX_BYTES + 1), duration=5, file_size=100)
    assert await replies(running, 1) == [escape(content.messages["voice_too_long"])]
    assert running.api.calls_to("getFile")
    assert running.api.calls_to("download") == []


async def test_the_queue_refuses_beyond_its_limit_by_itself():
    # Two notes can pass the adapter's look at the queue together (each awaits getFile in
    # between); the queue's own count is what keeps the limit.
    gate = threading.Event()
    engine = Scripted(voice.Heard("what is sciatica", 0.9), gate)
    queue = voice.VoiceQueue(engine, limit=0)
    try:
        first = asyncio.ensure_future(queue.transcribe(b"first"))
        assert await asyncio.to_thread(engine.started.wait, 30)
        with pytest.raises(voice.Busy):
            await queue.transcribe(b"second")
        gate.set()
        assert (await first).text == "what is sciatica"
        assert queue.pending == 0
    finally:
        gate.set()
        queue.close()


def test_a_sound_alike_heard_with_an_s_is_checked_as_the_same_word():
    heard = voice.Heard("It's gone around with my gums and between my legs.", 0.56)
    assert voice.variants(heard) == ["It's gone around with my numb and between my legs."]
    # only checked against the audio: not read so unchecked
    assert "It's gone around with my numb and between my legs." not in voice.hypotheses(heard)
