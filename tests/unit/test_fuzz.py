"""Bad input from people: any text, command, button or inline query gets a valid answer.

The dialogue is fuzzed directly; the Telegram adapter is fuzzed through a real
``Application`` whose requests go to the in-process fake Bot API, which rejects what
Telegram would reject (HTML it cannot parse, messages over 4096 UTF-16 units, empty text,
callback data over 64 bytes, bad inline results). Every case must be answered with no
error and no apology.

``test_slowest_inputs_report`` prints the slowest inputs (no timing is asserted).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fake_bot_api import MAX_TEXT_UTF16, FakeBotApi, buttons_of, parse_html, utf16_len
from harness import NoRateLimit, RunningBot, start_bot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.replies import MENU, ChatState, Reply
from bot.telegram import APOLOGY_TEXT, FloodGuard, split_message

CHAT = 3001
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --------------------------------------------------------------------------------------
# what people type
# --------------------------------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
RTL = "\u200f\u202e\u2067"
NASTY = [
    "",
    " ",
    "\n\t \u00a0\u3000",
    ZERO_WIDTH,
    RTL + "عرق النسا",
    "שלום sciatica",
    "😀" * 3000,
    "🏳️‍🌈👨‍👩‍👧‍👦" * 200,
    "e\u0301" * 2000,
    "Z̴̡̢̛̗̘̙̜̝̞̟̠̣̤̥̦̩̪̫̬̭̮̯̰̱̲̳̹̺̻̼͇͈͉͍͎̀́̂̃̄̅̆̇̈̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌ͅ͏͓͔͕͖͙͚͐͑͒͗͛ͣͤͥͦͧͨͩͪͫͬͭͮͯ͘͜͟͢͝͞͠͡" * 30,
    "\x00\x01\x02\x07\x1b[31m\x7f",
    "\ud7ff\ue000\uffff",
    "1234567890" * 1000,
    "?!.,;:-" * 1400,
    "a" * 10_000,
    "sciatica" * 1250,
    "pneumonoultramicroscopicsilicovolcanoconiosis" * 200,
    "what causes sciatica " * 500,
    "<b>bold</b> <i>it</i> <a href='x'>link</a> <script>alert(1)</script> &amp; &lt;",
    "**bold** __it__ `code` ```pre``` [link](http://x) ~~s~~ ||spoiler||",
    "&#128512; &nbsp; &unknown; & < > </b>",
    "/start",
    "@clinic_test_bot",
    "I can't pee and my legs are numb " * 300,
    "ｗｈａｔ ｃａｕｓｅｓ ｓｃｉａｔｉｃａ",
    "Ⓢⓒⓘⓐⓣⓘⓒⓐ",
    "ß" * 5000,
    "İ" * 5000,
    "\u0000" * 10_000,
    "\n" * 10_000,
    " ".join(["a"] * 5000),
    "x" * 4097,
    "😀" * 2049,
]
"""Hand-picked inputs besides the generated ones."""

any_text = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=60).map(lambda s: s * 150),
    st.text(
        alphabet=st.sampled_from(list("0123456789 .,!?;:-'\"()[]{}<>&*_~`|#+=/\\")), max_size=500
    ),
    st.text(alphabet=st.sampled_from(list(ZERO_WIDTH + RTL + "\u0301\u0308\u20dd ")), max_size=200),
    st.builds(
        lambda words: " ".join(words),
        st.lists(
            st.sampled_from(
                [
                    "sciatica",
                    "piriformis",
                    "massage",
                    "pain",
                    "leg",
                    "<b>",
                    "&amp;",
                    "😀",
                    "pee",
                    "numb",
                    "both",
                    "legs",
                    "can't",
                ]
            ),
            max_size=40,
        ),
    ),
    st.sampled_from(NASTY),
)

# --------------------------------------------------------------------------------------
# the dialogue alone
# --------------------------------------------------------------------------------------


def check_reply(reply: Reply) -> None:
    """A reply Telegram can carry: text in valid chunks, buttons with usable payloads."""
    assert reply.text.strip()
    chunks = split_message(reply.text)
    assert chunks
    assert all(0 < utf16_len(chunk) <= MAX_TEXT_UTF16 for chunk in chunks)
    for button in reply.buttons:
        assert button.label.strip()
        assert button.url or 1 <= len(button.payload.encode()) <= 64


@FUZZ
@given(text=any_text)
def test_dialogue_answers_any_text(dialogue, text):
    reply, state = dialogue.handle(ChatState(), text)
    check_reply(reply)
    again, _ = dialogue.handle(state, text)  # and again with the state it left
    check_reply(again)
    for found in dialogue.search(text):
        check_reply(found)


@FUZZ
@given(
    payload=st.one_of(
        st.text(max_size=100), st.binary(max_size=64).map(lambda b: b.decode("latin-1"))
    )
)
def test_dialogue_answers_any_button_payload(dialogue, payload):
    reply, _ = dialogue.handle(ChatState(last_intent="sciatica_causes"), payload=payload)
    check_reply(reply)


# --------------------------------------------------------------------------------------
# the Telegram adapter, through a real Application and the validating fake
# --------------------------------------------------------------------------------------


class Driver:
    """Feeds raw updates to one application on its own event loop (sync, for hypothesis)."""

    def __init__(self, runner: asyncio.Runner, bot: RunningBot) -> None:
        self.runner = runner
        self.bot = bot
        self.api: FakeBotApi = bot.api
        self.timings: list[tuple[float, str]] = []

    def feed(self, update: dict[str, Any], label: str = "") -> list[Any]:
        """Process ``update``; return the calls it caused (all must have succeeded)."""
        before = len(self.api.calls)
        started = time.perf_counter()
        self.runner.run(self.bot.process(update))
        self.timings.append((time.perf_counter() - started, label))
        calls = self.api.calls[before:]
        failed = [
            (c.method, c.status, c.params.get("text", "")[:80]) for c in calls if c.status != 200
        ]
        assert not failed, failed
        texts = [c.params.get("text") for c in calls if c.method == "sendMessage"]
        assert APOLOGY_TEXT not in texts, "a handler failed"
        for call in calls:
            if call.method == "sendMessage":
                plain, entities = parse_html(call.params["text"])
                assert entities == []  # the bot never means any formatting
                assert 0 < utf16_len(plain) <= MAX_TEXT_UTF16
        return calls


@pytest.fixture(scope="module")
def driver(content) -> Iterator[Driver]:
    from bot.dialogue import Dialogue

    dialogue = Dialogue(content)
    with asyncio.Runner() as runner:
        bot = runner.run(
            start_bot(
                dialogue,
                rate_limiter=NoRateLimit(),
                flood_guard=FloodGuard(limit=10**9),
                poll=False,
            )
        )
        yield Driver(runner, bot)
        runner.run(bot.stop())


def sends(calls: list[Any]) -> list[Any]:
    return [c for c in calls if c.method == "sendMessage"]


@FUZZ
@given(text=any_text)
def test_adapter_answers_any_text(driver, text):
    if text.startswith("/") or not text.strip():
        text = "x" + text  # commands and blank messages are covered below
    message = driver.api.message(text, chat_id=CHAT)
    calls = driver.feed({"update_id": driver.api.next_update_id(), "message": message}, text)
    assert sends(calls), "no answer"
    assert all(c.params["chat_id"] == CHAT for c in sends(calls))
    # the keyboard goes on the last part only
    assert all(not buttons_of(c) for c in sends(calls)[:-1])


@pytest.mark.parametrize("text", NASTY, ids=lambda t: f"{len(t)}-chars")
def test_adapter_answers_each_nasty_text(driver, text):
    update = {
        "update_id": driver.api.next_update_id(),
        "message": driver.api.message(text, chat_id=CHAT),
    }
    calls = driver.feed(update, text)
    stripped = text.strip()
    if stripped.startswith("/"):
        assert sends(calls)
    # Telegram never delivers an empty text message; a whitespace-only one still gets a note
    elif text:
        assert sends(calls), repr(text[:40])


@FUZZ
@given(
    command=st.sampled_from(
        [
            "start",
            "help",
            "topics",
            "book",
            "about",
            "privacy",
            "START",
            "start@clinic_test_bot",
            "frobnicate",
            "x" * 40,
            "старт",
            "😀",
        ]
    ),
    argument=st.one_of(st.just(""), any_text, st.text(min_size=1, max_size=64)),
)
def test_adapter_answers_commands_with_junk_arguments(driver, command, argument):
    text = f"/{command} {argument}".strip()[:4096]
    update = {
        "update_id": driver.api.next_update_id(),
        "message": driver.api.message(text, chat_id=CHAT),
    }
    calls = driver.feed(update, text)
    assert len(sends(calls)) >= 1


@FUZZ
@given(
    data=st.one_of(
        st.text(max_size=64),
        st.sampled_from(
            [
                "sciatica_causes_v1",
                "old_topic",
                "menu ",
                "MENU",
                "red_flags ",
                "\x00",
                "sciatica_causes\u200b",
                "../../etc/passwd",
                "'; DROP TABLE chats;--",
                '{"intent": "x"}',
                MENU,
                "red_flags",
                "find_therapist",
            ]
        ),
        st.binary(min_size=1, max_size=64).map(lambda b: b.decode("latin-1")),
    )
)
def test_adapter_answers_forged_callback_data(driver, data):
    before = len(driver.api.calls)
    update_id = driver.api.push_callback(data, chat_id=CHAT)
    update = driver.api._updates.pop()  # built by the fake; fed directly instead of polled
    assert update["update_id"] == update_id
    calls = driver.feed(update, f"callback {data!r}")
    assert [c.method for c in driver.api.calls[before:]][:1] == ["answerCallbackQuery"]
    assert len(sends(calls)) == 1


@FUZZ
@given(query=st.one_of(any_text.map(lambda t: t[:256]), any_text))
def test_adapter_answers_inline_queries_of_any_length(driver, query):
    update_id = driver.api.push_inline_query(query)
    update = driver.api._updates.pop()
    assert update["update_id"] == update_id
    calls = driver.feed(update, f"inline {query[:30]!r}")
    answers = [c for c in calls if c.method == "answerInlineQuery"]
    assert len(answers) == 1
    assert len(answers[0].params["results"]) <= 5


NOT_TEXT: dict[str, dict[str, Any]] = {
    "document": {"document": {"file_id": "d", "file_unique_id": "du"}},
    "video": {
        "video": {"file_id": "v", "file_unique_id": "vu", "width": 1, "height": 1, "duration": 1}
    },
    "audio": {"audio": {"file_id": "a", "file_unique_id": "au", "duration": 1}},
    "animation": {
        "animation": {
            "file_id": "g",
            "file_unique_id": "gu",
            "width": 1,
            "height": 1,
            "duration": 1,
        }
    },
    "video_note": {
        "video_note": {"file_id": "n", "file_unique_id": "nu", "length": 1, "duration": 1}
    },
    "contact": {"contact": {"phone_number": "+100", "first_name": "X"}},
    "venue": {"venue": {"location": {"latitude": 1, "longitude": 2}, "title": "T", "address": "A"}},
    "dice": {"dice": {"emoji": "🎲", "value": 3}},
    "poll": {
        "poll": {
            "id": "p",
            "question": "?",
            "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
    "photo with caption": {
        "photo": [{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}],
        "caption": "<b>what causes sciatica</b> " * 30,
    },
    "sticker": {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "su",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    },
}
SILENT: dict[str, dict[str, Any]] = {
    "new member": {"new_chat_members": [{"id": 5, "is_bot": False, "first_name": "N"}]},
    "left member": {"left_chat_member": {"id": 5, "is_bot": False, "first_name": "N"}},
    "pinned": {
        "pinned_message": {"message_id": 1, "date": 0, "chat": {"id": CHAT, "type": "private"}}
    },
    "nothing at all": {},
}


@pytest.mark.parametrize("kind", sorted(NOT_TEXT))
def test_adapter_answers_non_text_messages(driver, dialogue, kind):
    message = driver.api.message(None, chat_id=CHAT, **NOT_TEXT[kind])
    calls = driver.feed({"update_id": driver.api.next_update_id(), "message": message}, kind)
    assert len(sends(calls)) == 1


@pytest.mark.parametrize("kind", sorted(SILENT))
def test_service_messages_are_ignored_without_error(driver, kind):
    message = driver.api.message(None, chat_id=CHAT, **SILENT[kind])
    calls = driver.feed({"update_id": driver.api.next_update_id(), "message": message}, kind)
    assert sends(calls) == []


@pytest.mark.parametrize(
    "update",
    [
        {
            "edited_message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": CHAT, "type": "private"},
                "text": "hi",
            }
        },
        {
            "channel_post": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": -1, "type": "channel"},
                "text": "hi",
            }
        },
        {
            "my_chat_member": {
                "chat": {"id": CHAT, "type": "private"},
                "from": {"id": CHAT, "is_bot": False, "first_name": "P"},
                "date": 0,
                "old_chat_member": {
                    "status": "member",
                    "user": {"id": 1, "is_bot": True, "first_name": "B"},
                },
                "new_chat_member": {
                    "status": "kicked",
                    "until_date": 0,
                    "user": {"id": 1, "is_bot": True, "first_name": "B"},
                },
            }
        },
        {
            "callback_query": {
                "id": "q",
                "from": {"id": CHAT, "is_bot": False, "first_name": "P"},
                "chat_instance": "c",
                "game_short_name": "g",
            }
        },
        {
            "callback_query": {
                "id": "q2",
                "from": {"id": CHAT, "is_bot": False, "first_name": "P"},
                "chat_instance": "c",
                "inline_message_id": "im",
                "data": "menu",
            }
        },
    ],
    ids=["edited", "channel post", "blocked by user", "game callback", "inline-message callback"],
)
def test_other_updates_are_ignored_without_error(driver, update):
    update = {"update_id": driver.api.next_update_id(), **update}
    calls = driver.feed(update, next(iter(update)))
    assert sends(calls) == []


# --------------------------------------------------------------------------------------
# the slowest input
# --------------------------------------------------------------------------------------


SLOWEST_MATCH_SECONDS = 1.0
"""Longest the dialogue may take on any one input in the report (typically a few ms)."""

SLOWEST_UPDATE_SECONDS = 3.0
"""Longest one whole update may take through the adapter in the report."""


def test_slowest_inputs_report(driver, dialogue, capsys):
    """Time the dialogue and the adapter on every hand-picked and some generated inputs."""
    samples = list(NASTY)
    examples: list[str] = []

    @settings(max_examples=200, deadline=None, database=None)
    @given(any_text)
    def collect(text):
        examples.append(text)

    collect()
    samples.extend(examples)
    timings: list[tuple[float, float, str]] = []
    for text in samples:
        started = time.perf_counter()
        dialogue.handle(ChatState(), text)
        matched = time.perf_counter() - started
        update = {
            "update_id": driver.api.next_update_id(),
            "message": driver.api.message("x" + text, chat_id=CHAT),
        }
        started = time.perf_counter()
        driver.runner.run(driver.bot.process(update))
        timings.append((matched, time.perf_counter() - started, text))
    timings.sort(key=lambda t: t[1], reverse=True)
    with capsys.disabled():
        print(f"\nslowest of {len(samples)} inputs (dialogue / whole update through the adapter):")
        for matched, whole, text in timings[:5]:
            shown = text[:40].encode("unicode_escape").decode()
            times = f"{matched * 1000:8.1f} ms / {whole * 1000:8.1f} ms"
            print(f"  {times}  {len(text):6d} chars  {shown!r}")
    # Generous bounds (two shared cores): no input may take the matcher or a whole update
    # anywhere near the time a person would notice, and every input was timed.
    assert len(timings) == len(samples) > len(NASTY)
    slowest_match = max(matched for matched, _, _ in timings)
    assert slowest_match < SLOWEST_MATCH_SECONDS, f"dialogue took {slowest_match:.2f}s"
    assert timings[0][1] < SLOWEST_UPDATE_SECONDS, f"an update took {timings[0][1]:.2f}s"
