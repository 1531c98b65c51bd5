"""End to end: the real ``sciatica-bot run`` as a subprocess against the loopback fake API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer, buttons_of, free_port
from harness import SUBPROCESS_ENV_PREFIXES
from locations import REPO

from bot.dialogue import Dialogue
from bot.replies import ChatState, ReplyKind
from bot.settings import SafetySettings
from bot.telegram import escape

pytestmark = pytest.mark.e2e

STARTUP_TIMEOUT = 20.0
CHAT = 31337
WEBHOOK_SECRET = "e2e-webhook_secret-0123456789"


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(FakeBotApi()) as fake:
        yield fake


class BotProcess:
    """``python -m bot run`` with its output captured in files (pipes could fill up)."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.out_path = tmp_path / "stdout.txt"
        self.err_path = tmp_path / "stderr.txt"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(SUBPROCESS_ENV_PREFIXES)}
        clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), clean.get("PYTHONPATH")]))
        clean["DATABASE_PATH"] = str(tmp_path / "bot.sqlite3")
        clean.update(env)
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path,  # no stray .env
                env=clean,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def terminate_and_time(self) -> tuple[int, float]:
        """Send SIGTERM; return the exit code and how long the shutdown took."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=10)
        return code, time.monotonic() - started

    @property
    def output(self) -> str:
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


@pytest.fixture
def start_bot(tmp_path: Path) -> Iterator[object]:
    started: list[BotProcess] = []

    def start(**env: str) -> BotProcess:
        process = BotProcess(tmp_path, env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def _to_chat(call) -> bool:
    return call.params.get("chat_id") == CHAT


def _check_conversation(api: FakeBotApi, dialogue: Dialogue) -> None:
    """/start got the welcome and the topic menu; the question got an answer and buttons.

    ``dialogue`` runs on the same bundled content as the subprocess.
    """
    sent = api.wait_for_sync("sendMessage", 2, where=_to_chat, timeout=10)
    welcome, answer = sent[-2], sent[-1]
    assert welcome.params["parse_mode"] == "HTML"
    assert welcome.params["text"] == escape(dialogue.welcome().text)
    topics = [b.get("callback_data") for b in buttons_of(welcome)]
    assert topics == [b.payload for b in dialogue.welcome().buttons]
    assert "sciatica_causes" in topics

    expected, _ = dialogue.handle(ChatState(), "what causes sciatica")
    assert expected.intent == "sciatica_causes"
    assert answer.params["parse_mode"] == "HTML"
    assert answer.params["text"] == escape(expected.text)
    labels = [b["text"] for b in buttons_of(answer)]
    assert labels == [b.label for b in expected.buttons]


def _assert_clean_exit(bot: BotProcess) -> None:
    code, took = bot.terminate_and_time()
    output = bot.output
    assert code == 0, output
    assert took < 5, f"shutdown took {took:.1f}s"
    assert TOKEN not in output
    assert "Traceback" not in output


def test_polling_end_to_end(server, start_bot, dialogue):
    bot = start_bot(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        LOG_LEVEL="DEBUG",  # the most talkative logs must still hide the token
    )
    api = server.api
    # setMyCommands runs in post_init, right before polling starts; updates pushed from
    # now on are queued until the bot's next getUpdates.
    api.wait_for_sync("setMyCommands", timeout=STARTUP_TIMEOUT)
    assert [c.method for c in api.calls][:1] == ["getMe"]
    assert all(call.token == TOKEN for call in api.calls)

    api.push_message("/start", chat_id=CHAT)
    api.push_message("what causes sciatica", chat_id=CHAT)
    _check_conversation(api, dialogue)

    api.push_callback("piriformis_syndrome", chat_id=CHAT)
    api.wait_for_sync("sendMessage", 3, where=_to_chat)
    assert api.calls_to("answerCallbackQuery")

    assert api.calls_to("getUpdates")
    _assert_clean_exit(bot)


def test_webhook_end_to_end(server, start_bot, dialogue):
    port = free_port()
    bot = start_bot(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    api = server.api
    (registered,) = api.wait_for_sync("setWebhook", timeout=STARTUP_TIMEOUT)
    assert registered.params["url"] == f"http://127.0.0.1:{port}/telegram"
    assert registered.params["secret_token"] == WEBHOOK_SECRET
    assert not api.calls_to("getUpdates")

    forged = {"message": api.message("/start", chat_id=CHAT)}
    assert server.deliver_webhook(forged, secret="wrong-secret") == 403

    assert server.deliver_webhook({"message": api.message("/start", chat_id=CHAT)}) == 200
    assert server.deliver_webhook({"message": api.message("what causes sciatica", chat_id=CHAT)})
    _check_conversation(api, dialogue)
    assert len(api.calls_to("sendMessage")) == 2  # the forged update was not answered

    _assert_clean_exit(bot)
    assert WEBHOOK_SECRET not in bot.output


def test_missing_token_exits_2_with_one_line(start_bot):
    bot = start_bot(TELEGRAM_BOT_TOKEN="")
    assert bot.wait(STARTUP_TIMEOUT) == 2
    lines = bot.output.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]


def test_rejected_token_exits_2_without_traceback(server, start_bot):
    server.api.fail_next("getMe", 401, description="Unauthorized")
    bot = start_bot(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    assert bot.wait(STARTUP_TIMEOUT) == 2
    output = bot.output
    assert "Traceback" not in output
    assert TOKEN not in output
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert "rejected" in lines[0]
    assert [call.method for call in server.api.calls] == ["getMe"]


def test_a_follow_up_is_read_in_context_end_to_end(server, start_bot, dialogue):
    """Through the running bot: "how long is it?" after the prices is the session length,
    and a typed "no, nothing like that" after the urgent answer is "I don't have these
    symptoms"; each reply is the one the dialogue gives with the chat's state carried."""
    bot = start_bot(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    api = server.api
    api.wait_for_sync("setMyCommands", timeout=STARTUP_TIMEOUT)
    steps = [
        "how much do you charge for a massage",
        "how long is it?",
        "i cant control my bladder and both my legs have gone numb",
        "no, nothing like that, i was just asking",
    ]
    state = ChatState()
    for sent, text in enumerate(steps, 1):
        api.push_message(text, chat_id=CHAT)
        answer = api.wait_for_sync("sendMessage", sent, where=_to_chat, timeout=10)[-1]
        expected, state = dialogue.handle(state, text)
        assert answer.params["text"] == escape(expected.text), text
        assert [b.get("callback_data") for b in buttons_of(answer)] == [
            b.payload for b in expected.buttons
        ]
        if sent == 2:
            assert expected.intent == "clinic_session_length"
        if sent == 3:
            assert expected.red_flag
    assert expected.text == dialogue.content.messages["not_urgent"]
    _assert_clean_exit(bot)


def test_crisis_words_and_their_everyday_senses_end_to_end(server, start_bot, dialogue):
    """Through the running bot: a wish to jump off a bridge, or despair in everyday words,
    gets the crisis answer with the configured crisis line; jumping off the sofa gets the
    answer about massage, and "what's the point of icing it" the one about heat and ice."""
    line = "Samaritans on 116 123"
    bot = start_bot(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, CRISIS_LINE=line
    )
    api = server.api
    api.wait_for_sync("setMyCommands", timeout=STARTUP_TIMEOUT)
    with_line = Dialogue(dialogue.content, safety=SafetySettings(crisis_line=line))
    steps = [
        ("some days i just want to jump off a bridge, this pain never stops", None),
        (
            "jumped off the sofa and now my sciatica is worse, will massage help",
            "massage_for_sciatica",
        ),
        ("i cant keep living like this, the pain is 24/7", None),
        ("heat or ice for sciatica? whats the point of icing it anymore", "heat_ice"),
    ]
    for sent, (text, intent) in enumerate(steps, 1):
        api.push_message(text, chat_id=CHAT)
        answer = api.wait_for_sync("sendMessage", sent, where=_to_chat, timeout=10)[-1]
        expected, _ = with_line.handle(ChatState(), text)
        assert answer.params["text"] == escape(expected.text), text
        if intent is None:
            assert expected.kind is ReplyKind.CRISIS
            assert line in answer.params["text"]
        else:
            assert expected.intent == intent and not expected.red_flag
            assert line not in answer.params["text"]
    _assert_clean_exit(bot)
