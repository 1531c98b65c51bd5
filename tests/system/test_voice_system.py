"""``sciatica-bot run`` with voice on, as a process, answering a voice note (the voice notes
in process are in ``tests/unit/voice/test_voice.py``)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fake_bot_api import FakeBotApi, FakeBotApiServer
from harness import TOKEN, subprocess_env
from locations import DATA

from bot import voice
from bot.replies import ChatState
from bot.telegram.render import escape

CHAT = 1001
CLIPS = DATA / "voice"
NO_EXTRA = "the voice extra is not installed (pip install -e '.[voice]'; make test does)"
needs_extra = pytest.mark.skipif(not voice.available(), reason=NO_EXTRA)


@needs_extra
@pytest.mark.e2e
def test_the_running_bot_shows_typing_then_answers_a_note(tmp_path, dialogue):
    """``sciatica-bot run`` with voice on, as a process: "typing…" while the note is
    transcribed, then what it heard and the answer."""
    with FakeBotApiServer(FakeBotApi()) as server:
        env = subprocess_env(
            tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, VOICE="on"
        )
        log = tmp_path / "bot.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            api = server.api
            api.wait_for_sync("setMyCommands", timeout=30)
            api.push_voice((CLIPS / "09-espeak-scot-slow.ogg").read_bytes(), chat_id=CHAT)
            heard_line, answer = (
                c.params["text"]
                for c in api.wait_for_sync(
                    "sendMessage", 2, where=lambda c: c.params["chat_id"] == CHAT, timeout=60
                )
            )
            actions = api.calls_to("sendChatAction")
            assert actions and actions[0].params["action"] == "typing"
            assert actions[0].params["chat_id"] == CHAT
            first_text = api.calls.index(api.calls_to("sendMessage")[0])
            assert api.calls.index(actions[0]) < first_text  # shown before anything is said
            assert heard_line.startswith(escape("I heard: “")) and "piriformis" in heard_line
            expected, _ = dialogue.handle(ChatState(), "where is the piriformis muscle")
            assert answer.startswith(escape(expected.text)[:200])
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        assert "Traceback" not in log.read_text(errors="replace")
