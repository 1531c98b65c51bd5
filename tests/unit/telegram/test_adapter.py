"""The Telegram adapter driven through real polling against the in-process fake Bot API."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from fake_bot_api import TOKEN, Call, FakeBotApi, buttons_of, html_to_text
from harness import RunningBot, all_handled, start_bot, wait_until
from hypothesis import given, settings
from hypothesis import strategies as st
from locations import REPO
from telegram import Update
from telegram.ext import Application

from bot.content import Content, load_content
from bot.dialogue import Dialogue
from bot.replies import DETAILS, MENU, Button, ChatState, Reply, ReplyKind
from bot.service import ChatService
from bot.settings import Settings
from bot.store import Store
from bot.telegram import (
    ALLOWED_UPDATES,
    APOLOGY_TEXT,
    COMMANDS,
    FLOOD_LIMIT,
    FloodGuard,
    RedactingFilter,
    Verdict,
    configure_logging,
    escape,
    file_base_url,
    handlers,
    inline_result,
    keyboard_for,
    run,
    split_message,
    utf16_length,
)

PRIVATE = 1001
GROUP = -100200300


# --------------------------------------------------------------------------------------
# fixtures (``dialogue``, the bundled content, comes from conftest.py)
# --------------------------------------------------------------------------------------


@dataclass
class StandIn:
    """A scripted service: every text/payload gets ``answer``; other methods say so."""

    answer: Reply = field(default_factory=lambda: Reply("stand-in answer"))
    fail_with: Exception | None = None

    def message(self, chat: str, text: str) -> Reply:
        if self.fail_with is not None and text != "marker":
            raise self.fail_with
        return self.answer

    def press(self, chat: str, payload: str) -> Reply:
        return self.message(chat, payload)

    def command(self, chat: str, name: str, argument: str = "") -> Reply:
        return Reply(f"stand-in {name}", (Button("Topics", MENU),), kind=ReplyKind.NOTE)

    def not_text(self, chat: str) -> Reply:
        return self.command(chat, "not_text")

    def search(self, text: str, limit: int = 5) -> list[Reply]:
        return [self.answer][:limit]

    def tidy(self) -> None:
        pass

    @property
    def content(self) -> Content:
        return _bundled_content()


@cache
def _bundled_content() -> Content:
    return load_content(REPO / "intents", REPO / "responses")


class Bot:
    """A running application polling the fake, plus helpers to talk to it."""

    def __init__(self, api: FakeBotApi, app: Application, service: Any) -> None:
        self.api = api
        self.app = app
        self.service = service

    def state(self, chat_id: int = PRIVATE) -> ChatState:
        """What the service remembers about ``chat_id``."""
        return self.service.store.state(f"telegram:{chat_id}")

    async def settle(self) -> None:
        """Wait until every update pushed so far has been handled."""
        await all_handled(self.app, self.api)

    def sends(self, chat_id: int) -> list[Call]:
        return [c for c in self.api.calls_to("sendMessage") if c.params["chat_id"] == chat_id]

    async def replies(self, chat_id: int = PRIVATE, count: int = 1) -> list[Call]:
        """Wait until ``chat_id`` has received ``count`` messages in all; returns them."""
        return await self.api.wait_for(
            "sendMessage", count, where=lambda c: c.params["chat_id"] == chat_id
        )


@pytest.fixture
async def make_bot(dialogue: Dialogue) -> AsyncIterator[Any]:
    started: list[RunningBot] = []

    async def start(service: Any, *, flood_guard: FloodGuard | None = None) -> Bot:
        running = await start_bot(dialogue, service=service, flood_guard=flood_guard)
        started.append(running)
        return Bot(running.api, running.app, service)

    yield start
    for running in started:
        await running.stop()


@pytest.fixture
async def bot(make_bot, dialogue) -> Bot:
    return await make_bot(ChatService(dialogue, Store()))


def keyboard(call: Call) -> list[tuple[str, str | None]]:
    """``(label, callback_data or url)`` of every button of a sent message."""
    return [(b["text"], b.get("callback_data") or b.get("url")) for b in buttons_of(call)]


def expected_keyboard(reply: Reply) -> list[tuple[str, str]]:
    return [(b.label, b.url or b.payload) for b in reply.buttons]


# --------------------------------------------------------------------------------------
# pure helpers
# --------------------------------------------------------------------------------------


def test_split_message_keeps_short_text_whole():
    assert split_message("Hello there.") == ["Hello there."]
    assert split_message("   \n ") == []


def test_split_message_cuts_at_sentence_ends():
    sentence = "Sciatica is a pain that runs down the back of the leg from the buttock. "
    text = sentence * 200  # about 14 600 characters
    chunks = split_message(text)
    assert len(chunks) == 4
    assert all(utf16_length(chunk) <= 4096 for chunk in chunks)
    assert all(chunk.endswith("buttock.") for chunk in chunks)
    assert " ".join(chunks) == text.strip()


def test_split_message_prefers_paragraphs_and_lines():
    para = ("word " * 300).strip()  # 1 499 characters
    text = "\n\n".join([para] * 4)
    chunks = split_message(text, limit=4096)
    assert chunks == [f"{para}\n\n{para}", f"{para}\n\n{para}"]
    lines = "\n".join(["a line of text."] * 10)
    assert split_message(lines, limit=40) == ["a line of text.\na line of text."] * 5


def test_split_message_cuts_a_huge_word_and_counts_utf16():
    assert split_message("x" * 10, limit=4) == ["xxxx", "xxxx", "xx"]
    emoji = "😀" * 5  # 2 UTF-16 units each
    assert split_message(emoji, limit=4) == ["😀😀", "😀😀", "😀"]
    with pytest.raises(ValueError):
        split_message("abc", limit=1)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("abc xyz.!?,;\n\t😀<&é")), max_size=400),
    limit=st.integers(min_value=2, max_value=60),
)
def test_split_message_properties(text, limit):
    chunks = split_message(text, limit=limit)
    for chunk in chunks:
        assert chunk and chunk == chunk.strip()
        assert utf16_length(chunk) <= limit

    def squash(value: str) -> str:
        return "".join(ch for ch in value if not ch.isspace())

    assert squash("".join(chunks)) == squash(text)


def test_escape_and_keyboard():
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    markup = keyboard_for(
        [
            Button("Topics", MENU),
            Button("Book", url="https://clinic.example/book"),
            Button("Too long", "x" * 65),
            Button("Nothing"),
        ]
    )
    assert markup is not None
    rows = markup.to_dict()["inline_keyboard"]
    assert rows == [
        [{"text": "Topics", "callback_data": MENU}],
        [{"text": "Book", "url": "https://clinic.example/book"}],
    ]
    assert keyboard_for([]) is None


def test_file_base_url():
    assert file_base_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_base_url("https://api.telegram.org/bot/") == "https://api.telegram.org/file/bot"


def test_inline_result_uses_first_line_as_title_and_escapes():
    reply = Reply(
        "Massage & you <3\n\nMore text here.",
        (Button("Topics", MENU), Button("Book", url="https://b.example")),
        intent="massage_for_sciatica",
    )
    article = inline_result(reply, 0).to_dict()
    assert article["title"] == "Massage & you <3"
    assert article["description"] == "More text here."
    assert article["input_message_content"]["message_text"] == escape(reply.text)
    assert article["input_message_content"]["parse_mode"] == "HTML"
    # only URL buttons survive: an inline message has no chat to answer presses in
    assert article["reply_markup"]["inline_keyboard"] == [
        [{"text": "Book", "url": "https://b.example"}]
    ]


def test_flood_guard_window_and_isolation():
    now = [0.0]
    guard = FloodGuard(limit=3, window=60, clock=lambda: now[0])
    verdicts = [guard.check(1) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert guard.check(2) is Verdict.ALLOW  # other chats are unaffected
    now[0] = 59.9
    assert guard.check(1) is Verdict.DROP
    now[0] = 60.0  # a new minute
    assert [guard.check(1) for _ in range(4)] == [Verdict.ALLOW] * 3 + [Verdict.WARN]


def test_flood_guard_cost_does_not_grow_with_the_chats_writing():
    """50,000 chats within one window: each message is still a constant amount of work (it
    used to rescan every chat once more than 10,000 wrote), and the windows that are over
    are forgotten."""
    now = [0.0]
    guard = FloodGuard(limit=3, window=60, clock=lambda: now[0])
    for chat in range(50_000):
        now[0] = chat * 0.001  # all within 50 s
        guard.check(chat)
    assert guard.chats == 50_000
    started = time.perf_counter()
    for chat in range(5_000):
        assert guard.check(chat) is Verdict.ALLOW
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"5,000 messages took {elapsed:.2f} s at 50,000 chats"
    now[0] = 200.0  # every window is over
    assert guard.check(1) is Verdict.ALLOW
    assert guard.chats == 1


def test_redacting_filter_hides_token_in_message_args_and_exceptions():
    token = TOKEN
    redactor = RedactingFilter([token, ""])
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s", (f"http://x/bot{token}/getMe",), None
    )
    assert redactor.filter(record)
    assert record.getMessage() == "POST http://x/bot***/getMe"
    try:
        raise RuntimeError(f"The token `{token}` was rejected")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    redactor.filter(record)
    text = logging.Formatter().format(record)
    assert token not in text
    assert "The token `***` was rejected" in text


def test_redacting_filter_hides_the_tokens_secret_part_on_its_own():
    # TELEGRAM_API_BASE_URL=http:// once made httpx report the token's tail as a port
    secret_part = TOKEN.split(":", 1)[1]
    redactor = RedactingFilter([TOKEN])
    try:
        raise ValueError(f"Invalid port: '{secret_part}'")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "telegram.ext.Updater", logging.ERROR, __file__, 1, "%r", (sys.exc_info()[1],), None
        )
        record.exc_info = sys.exc_info()
    redactor.filter(record)
    text = logging.Formatter().format(record)
    assert secret_part not in text
    assert "Invalid port: '***'" in text


async def test_updates_the_library_cannot_parse_are_not_logged_whole(capsys, dialogue):
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    api = FakeBotApi()
    broken = {"message_id": 1, "date": 1, "chat": "oops", "text": "my private sciatica story"}
    api.push_update({"message": broken})
    configure_logging(Settings(telegram_token=TOKEN))
    bot = await start_bot(dialogue, api=api)
    seen: list[str] = []

    def logged() -> bool:
        seen.append(capsys.readouterr().err)
        return "could not be read" in "".join(seen)

    try:
        await wait_until(logged, 10, "the parse failure logged")
    finally:
        await bot.stop()
        root.removeHandler(handler)
    err = "".join(seen) + capsys.readouterr().err
    assert "my private sciatica story" not in err
    assert "Traceback" not in err and "Error while parsing updates" not in err


def test_configure_logging_installs_redaction_on_root_handlers(capsys):
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        configure_logging(Settings(telegram_token=TOKEN, webhook_secret="s3cr3t-value"))
        configure_logging(Settings(telegram_token=TOKEN, webhook_secret="s3cr3t-value"))
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        assert logging.getLogger("httpx").level == logging.WARNING
        logging.getLogger("test.redaction").warning("url /bot%s/x secret s3cr3t-value", TOKEN)
    finally:
        root.removeHandler(handler)
    err = capsys.readouterr().err
    assert "url /bot***/x secret ***" in err
    assert TOKEN not in err


def test_run_without_token_prints_one_line_and_returns_2(capsys):
    assert run(Settings(telegram_token="")) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "TELEGRAM_BOT_TOKEN" in err


# --------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------


async def test_start_sends_welcome_with_topic_menu(bot, dialogue):
    commands = await bot.api.wait_for("setMyCommands")
    assert [c["command"] for c in commands[0].params["commands"]] == [c for c, _ in COMMANDS]

    bot.api.push_message("/start")
    (sent,) = await bot.replies()
    welcome = dialogue.welcome()
    assert sent.params["text"] == escape(welcome.text)
    assert sent.params["parse_mode"] == "HTML"
    assert keyboard(sent) == expected_keyboard(welcome)
    topics = [payload for _, payload in keyboard(sent)]
    assert "sciatica_causes" in topics and "piriformis_syndrome" in topics


async def test_start_deep_link_opens_topic_and_unknown_falls_back(bot, dialogue):
    bot.api.push_message("/start sciatica_causes")
    (sent,) = await bot.replies()
    topic = dialogue.topic("sciatica_causes")
    assert topic is not None
    assert sent.params["text"] == escape(topic.text)
    assert keyboard(sent) == expected_keyboard(topic)
    assert bot.state() == ChatState(last_intent="sciatica_causes")

    bot.api.push_message("/start no_such_topic")
    sent = (await bot.replies(count=2))[-1]
    assert sent.params["text"] == escape(dialogue.welcome().text)


@pytest.mark.parametrize(
    ("command", "method"),
    [
        ("/help", "help"),
        ("/about", "about"),
        ("/topics", "menu"),
        ("/book", "book"),
    ],
)
async def test_each_command(bot, dialogue, command, method):
    bot.api.push_message(command)
    (sent,) = await bot.replies()
    reply = getattr(dialogue, method)()
    assert sent.params["text"] == escape(reply.text)
    assert keyboard(sent) == expected_keyboard(reply)


async def test_privacy_forget_optout_optin(bot):
    bot.api.push_message("what causes sciatica")
    await bot.replies()
    assert bot.state().last_intent == "sciatica_causes"

    bot.api.push_message("/privacy")
    sent = (await bot.replies(count=2))[-1]
    reply = bot.service.privacy_summary(f"telegram:{PRIVATE}")
    assert "30 days" in reply.text and "/forget" in reply.text
    assert sent.params["text"] == escape(reply.text)
    assert keyboard(sent) == expected_keyboard(reply)
    assert len(reply.text) <= 700  # one phone screen; "Details" has the rest
    bot.api.push_callback(DETAILS)
    details = (await bot.replies(count=3))[-1]
    assert details.params["text"] == escape(bot.service.privacy(f"telegram:{PRIVATE}").text)
    assert "Without any link to you or this chat" in details.params["text"]
    store = bot.service.store.store  # the store behind the gate
    assert store.counts()["chats"] == 1

    bot.api.push_message("/forget")
    sent = (await bot.replies(count=4))[-1]
    assert "erased" in sent.params["text"]
    assert store.counts()["chats"] == 0  # the /forget itself left nothing behind

    bot.api.push_message("/optout")
    sent = (await bot.replies(count=5))[-1]
    assert "no longer stores" in sent.params["text"]
    counts = store.counts()
    bot.api.push_message("what causes sciatica")
    bot.api.push_callback("piriformis_syndrome")
    await bot.replies(count=7)
    assert store.counts() == counts  # opted out: no state, no counts
    assert bot.state() == ChatState()

    bot.api.push_message("/optin")
    await bot.replies(count=8)
    bot.api.push_message("what causes sciatica")
    await bot.replies(count=9)
    assert bot.state().last_intent == "sciatica_causes"


async def test_in_groups_only_admins_may_forget_or_opt_out(bot):
    group = {"chat_id": GROUP, "chat_type": "supergroup"}
    store = bot.service.store.store  # the store behind the gate
    member, admin = 1001, 1002
    bot.api.push_message("@clinic_test_bot what causes sciatica", **group, user_id=member)
    await bot.replies(GROUP)
    for number, command in enumerate(["/optout", "/forget", "/optin"], start=2):
        bot.api.push_message(command, **group, user_id=member)
        sent = (await bot.replies(GROUP, count=number))[-1]
        assert "only the group's admins" in html_to_text(sent.params["text"]), command
    assert store.state(f"telegram:{GROUP}").last_intent == "sciatica_causes"
    assert not store.opted_out(f"telegram:{GROUP}")

    bot.api.set_member(GROUP, admin, "administrator")
    bot.api.push_message("/optout", **group, user_id=admin)
    sent = (await bot.replies(GROUP, count=5))[-1]
    assert "no longer stores" in sent.params["text"]
    assert store.opted_out(f"telegram:{GROUP}")
    checked = bot.api.calls_to("getChatMember")
    assert [c.params["user_id"] for c in checked] == [member] * 3 + [admin]

    bot.api.push_message("/privacy", **group, user_id=member)
    sent = (await bot.replies(GROUP, count=6))[-1]
    assert "only the group's admins can use /forget, /optout and /optin" in html_to_text(
        sent.params["text"]
    )
    # in a private chat nobody needs to be asked
    bot.api.push_message("/optout", chat_id=PRIVATE)
    await bot.replies(PRIVATE)
    assert len(bot.api.calls_to("getChatMember")) == 4


async def test_group_becoming_a_supergroup_keeps_its_opt_out(bot):
    old, new = -4001, -1004001
    admin = 1002
    bot.api.set_member(old, admin, "creator")
    bot.api.push_message("/optout", chat_id=old, chat_type="group", user_id=admin)
    await bot.replies(old)
    store = bot.service.store.store  # the store behind the gate
    assert store.opted_out(f"telegram:{old}")
    bot.api.push_message(None, chat_id=old, chat_type="group", migrate_to_chat_id=new)
    await bot.settle()
    assert store.opted_out(f"telegram:{new}")
    assert store.counts()["chats"] == 1  # nothing left under the old id
    counts = store.counts()
    bot.api.push_message(
        "@clinic_test_bot what causes sciatica", chat_id=new, chat_type="supergroup"
    )
    await bot.replies(new)
    assert store.counts() == counts  # still opted out: nothing stored


def test_moving_a_chat_carries_its_row_and_an_opt_out_wins():
    from bot.store import Turn

    store = Store()
    store.save(
        "telegram:-1", Turn("typed", "answer", "sciatica_causes", ChatState("sciatica_causes"))
    )
    store.move("telegram:-1", "telegram:-2")
    assert store.state("telegram:-2").last_intent == "sciatica_causes"
    assert store.counts()["chats"] == 1
    store.save("telegram:-3", Turn("typed", "answer", "a", ChatState("piriformis_syndrome")))
    store.opt_out("telegram:-4")
    store.move("telegram:-4", "telegram:-3")  # the new id already wrote: the opt-out wins
    assert store.opted_out("telegram:-3")
    assert store.state("telegram:-3") == ChatState()
    store.move("telegram:-9", "telegram:-10")  # nothing stored: nothing happens
    assert store.counts()["chats"] == 2


async def test_unknown_command_gets_help(bot, dialogue):
    bot.api.push_message("/frobnicate")
    (sent,) = await bot.replies()
    assert sent.params["text"] == escape(dialogue.help().text)


# --------------------------------------------------------------------------------------
# questions and buttons
# --------------------------------------------------------------------------------------


async def test_question_gets_answer_with_keyboard_and_state(bot, dialogue):
    bot.api.push_message("what causes sciatica")
    (sent,) = await bot.replies()
    reply, state = dialogue.handle(ChatState(), "what causes sciatica")
    assert reply.intent == "sciatica_causes"
    assert sent.params["text"] == escape(reply.text)
    assert keyboard(sent) == expected_keyboard(reply)
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    assert bot.state() == state


async def test_button_press_answers_query_first_then_sends_new_message(bot, dialogue):
    bot.api.push_callback("piriformis_syndrome")
    (sent,) = await bot.replies()
    methods = [c.method for c in bot.api.calls]
    assert methods.index("answerCallbackQuery") < methods.index("sendMessage")
    assert not bot.api.calls_to("editMessageText")
    reply, _ = dialogue.handle(ChatState(), payload="piriformis_syndrome")
    assert sent.params["text"] == escape(reply.text)
    assert keyboard(sent) == expected_keyboard(reply)

    bot.api.push_callback(MENU)
    sent = (await bot.replies(count=2))[-1]
    assert sent.params["text"] == escape(dialogue.menu().text)
    assert len(bot.api.calls_to("answerCallbackQuery")) == 2


async def test_button_press_too_old_to_acknowledge_is_still_answered(bot, dialogue):
    bot.api.fail_next(
        "answerCallbackQuery",
        400,
        description="Bad Request: query is too old and response "
        "timeout expired or query ID is invalid",
    )
    bot.api.push_callback(MENU)
    (sent,) = await bot.replies()
    assert sent.params["text"] == escape(dialogue.menu().text)


async def test_stale_button_gets_friendly_note_and_menu(bot, dialogue):
    bot.api.push_callback("an_intent_that_was_removed")
    (sent,) = await bot.replies()
    reply, _ = dialogue.handle(ChatState(), payload="an_intent_that_was_removed")
    assert reply.kind == "stale_button"
    assert sent.params["text"] == escape(reply.text)
    assert keyboard(sent) == expected_keyboard(reply)
    assert bot.api.calls_to("answerCallbackQuery")


async def test_inline_query_offers_articles(bot, dialogue):
    bot.api.push_inline_query("piriformis")
    (call,) = await bot.api.wait_for("answerInlineQuery")
    results = call.params["results"]
    expected = dialogue.search("piriformis", limit=5)
    assert 1 <= len(results) <= 5
    assert len(results) == len(expected)
    assert call.params["is_personal"] is True
    assert call.params["cache_time"] <= 60
    for article, reply in zip(results, expected, strict=True):
        assert article["type"] == "article"
        assert article["input_message_content"]["message_text"] == escape(reply.text)
        assert article["input_message_content"]["parse_mode"] == "HTML"
    assert len({article["id"] for article in results}) == len(results)


@pytest.mark.parametrize("push", ["push_sticker", "push_photo", "push_voice", "push_location"])
async def test_non_text_messages_get_the_not_text_note(bot, dialogue, push):
    getattr(bot.api, push)()
    (sent,) = await bot.replies()
    assert sent.params["text"] == escape(dialogue.not_text().text)


async def test_edited_messages_are_ignored(bot):
    bot.api.push_edited_message("what causes sciatica")
    bot.api.push_message("/help", chat_id=GROUP, chat_type="supergroup")
    await bot.settle()
    assert bot.api.allowed_updates == set(ALLOWED_UPDATES)  # edits are not even asked for
    edit = bot.api.message("what causes sciatica")
    edit["edit_date"] = edit["date"] + 5
    await bot.app.process_update(
        Update.de_json({"update_id": 999, "edited_message": edit}, bot.app.bot)
    )
    assert bot.sends(PRIVATE) == []  # and one that arrives anyway is not answered


async def test_messages_sent_via_our_inline_mode_are_not_answered_again(bot):
    bot.api.push_message("Sciatica is…", via_bot=bot.api.bot_user)
    await bot.settle()
    assert bot.sends(PRIVATE) == []


# --------------------------------------------------------------------------------------
# groups
# --------------------------------------------------------------------------------------


async def test_group_ignores_messages_not_for_the_bot(bot):
    group = {"chat_id": GROUP, "chat_type": "supergroup"}
    bot.api.push_message("what causes sciatica", **group)
    bot.api.push_message("ask @some_other_bot about sciatica", **group)
    bot.api.push_sticker(**group)
    bot.api.push_message("/help@some_other_bot", **group)
    bot.api.push_message("/frobnicate", **group)
    other = bot.api.message("what causes sciatica", chat_id=GROUP, chat_type="supergroup")
    bot.api.push_message("I agree", reply_to=other, **group)
    await bot.settle()
    assert bot.sends(GROUP) == []


async def test_group_answers_mentions_replies_and_commands(bot, dialogue):
    group = {"chat_id": GROUP, "chat_type": "group"}
    expected, _ = dialogue.handle(ChatState(), "what causes sciatica")

    bot.api.push_message("@clinic_test_bot what causes sciatica", **group)
    (sent,) = await bot.replies(GROUP)
    assert sent.params["text"] == escape(expected.text)  # the mention is not part of the question

    bot.api.push_message(
        "what causes sciatica", reply_to=bot.api.bot_message(GROUP, "group"), **group
    )
    bot.api.push_message("/help", **group)
    bot.api.push_message("/topics@clinic_test_bot", **group)
    sent = await bot.replies(GROUP, count=4)
    assert [c.params["text"] for c in sent[1:]] == [
        escape(expected.text),
        escape(dialogue.help().text),
        escape(dialogue.menu().text),
    ]


async def test_forum_topics_are_answered_in_the_same_topic(bot, dialogue):
    bot.api.push_message(
        "@clinic_test_bot what causes sciatica",
        chat_id=GROUP,
        chat_type="supergroup",
        is_topic_message=True,
        message_thread_id=7,
    )
    (sent,) = await bot.replies(GROUP)
    assert sent.params["message_thread_id"] == 7


async def test_button_in_group_is_answered_in_the_group(bot, dialogue):
    bot.api.push_callback(MENU, chat_id=GROUP, chat_type="group")
    (sent,) = await bot.replies(GROUP)
    assert sent.params["text"] == escape(dialogue.menu().text)


# --------------------------------------------------------------------------------------
# rendering: escaping and splitting
# --------------------------------------------------------------------------------------


async def test_content_with_html_characters_is_escaped(make_bot):
    answer = Reply(
        "Rest <2 days> & stretch; 5 > 3 <b>not bold</b>",
        (Button("Q&A <more>", "q_and_a"), Button("Book", url="https://clinic.example/?a=1&b=2")),
        intent="q_and_a",
    )
    bot = await make_bot(StandIn(answer))
    bot.api.push_message("anything")
    (sent,) = await bot.replies()
    assert sent.params["parse_mode"] == "HTML"
    assert sent.params["text"] == (
        "Rest &lt;2 days&gt; &amp; stretch; 5 &gt; 3 &lt;b&gt;not bold&lt;/b&gt;"
    )
    assert html_to_text(sent.params["text"]) == answer.text
    # button labels are plain text for Telegram: not escaped
    assert keyboard(sent) == [
        ("Q&A <more>", "q_and_a"),
        ("Book", "https://clinic.example/?a=1&b=2"),
    ]

    bot.api.push_inline_query("anything")
    (call,) = await bot.api.wait_for("answerInlineQuery")
    content = call.params["results"][0]["input_message_content"]
    assert content["message_text"] == escape(answer.text)


async def test_long_answer_is_split_with_keyboard_on_last_part(make_bot):
    sentence = "Massage relaxes the piriformis muscle & eases the nerve <sometimes>. "
    answer = Reply(sentence * 150, (Button("Topics", MENU),), intent="long")  # ~10 000 chars
    bot = await make_bot(StandIn(answer))
    bot.api.push_message("tell me everything")
    sent = await bot.replies(count=3)
    await bot.settle()
    sent = bot.sends(PRIVATE)
    assert len(sent) == 3
    texts = [html_to_text(c.params["text"]) for c in sent]
    assert all(utf16_length(t) <= 4096 for t in texts)
    assert all(t.endswith("<sometimes>.") for t in texts)
    assert " ".join(texts) == answer.text.strip()
    assert all("&lt;sometimes&gt;" in c.params["text"] for c in sent)
    assert [bool(buttons_of(c)) for c in sent] == [False, False, True]


# --------------------------------------------------------------------------------------
# flood guard
# --------------------------------------------------------------------------------------


async def test_flood_guard_slows_down_one_chat_only(make_bot):
    bot = await make_bot(StandIn())
    flooder, neighbour = 4040, 5050
    for number in range(FLOOD_LIMIT + 5):
        bot.api.push_message(f"message {number}", chat_id=flooder)
    bot.api.push_message("hello", chat_id=neighbour)
    await bot.settle()
    texts = bot.api.sent_texts(flooder)
    slow_down = _bundled_content().messages["slow_down"]
    assert texts == ["stand-in answer"] * FLOOD_LIMIT + [escape(slow_down)]
    assert bot.api.sent_texts(neighbour) == ["stand-in answer"]


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------


async def test_error_handler_logs_update_id_only_and_apologises(make_bot, caplog):
    private_words = "my private symptom story"
    bot = await make_bot(StandIn(fail_with=RuntimeError(f"cannot handle {private_words!r}")))
    caplog.set_level(logging.DEBUG, logger="bot")
    update_id = bot.api.push_message(private_words)
    (sent,) = await bot.replies()
    assert sent.params["text"] == escape(APOLOGY_TEXT)

    await bot.settle()  # still running
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and f"update {update_id}" in errors[0].getMessage()
    assert "RuntimeError" in errors[0].getMessage()
    assert private_words not in logged
    assert TOKEN not in logged


async def test_telegram_failure_while_answering_is_survived(bot, dialogue, caplog):
    bot.api.fail_next("sendMessage", 500, times=4)  # the first try and all three retries
    update_id = bot.api.push_message("what causes sciatica")
    (sent,) = await bot.replies()
    assert sent.params["text"] == escape(APOLOGY_TEXT)
    failed = [c for c in bot.api.calls_to("sendMessage") if c.status == 500]
    assert len(failed) == 4
    assert f"update {update_id} failed with NetworkError" in caplog.text

    bot.api.push_message("/help")
    sent = (await bot.replies(count=2))[-1]
    assert sent.params["text"] == escape(dialogue.help().text)


@dataclass
class Slow(StandIn):
    """A stand-in whose answers take ``seconds`` (a database waiting for a lock)."""

    seconds: float = 0.0

    def message(self, chat: str, text: str) -> Reply:
        time.sleep(self.seconds)
        return super().message(chat, text)


async def test_a_slow_answer_shows_typing_once_and_a_quick_one_does_not(make_bot, monkeypatch):
    service = Slow(Reply("an answer", (Button("Topics", MENU),)))
    bot = await make_bot(service)
    monkeypatch.setattr(handlers, "MOMENT", 5.0)  # generous: a loaded machine is slow too
    bot.api.push_message("quick")
    await bot.replies(count=1)
    assert not bot.api.calls_to("sendChatAction")
    monkeypatch.setattr(handlers, "MOMENT", 0.2)
    service.seconds = 1.5
    bot.api.push_message("slow")
    await bot.replies(count=2)
    (typing,) = bot.api.calls_to("sendChatAction")
    assert typing.params["action"] == "typing" and typing.params["chat_id"] == PRIVATE
    answer = bot.sends(PRIVATE)[-1]
    assert typing.at < answer.at


async def test_only_the_newest_answer_keeps_its_buttons(bot):
    bot.api.push_message("what causes sciatica")
    first = (await bot.replies(count=1))[-1]
    bot.api.push_message("what is piriformis syndrome")
    await bot.replies(count=2)
    await bot.settle()
    first_id = bot.api.sent[0]["message_id"]
    assert buttons_of(first)  # it had buttons when sent
    assert "reply_markup" not in bot.api.message_in(PRIVATE, first_id)
    assert bot.api.last_sent(PRIVATE).get("reply_markup")
