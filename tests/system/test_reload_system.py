"""``systemctl reload`` (SIGHUP): the running ``sciatica-bot run`` re-reads its content,
uses it only if it passes ``check``, and logs one line either way."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer
from harness import REPO, subprocess_env

from bot.content import load_content

pytestmark = pytest.mark.e2e

CHAT = 5151
OLD = "Our clinic's article mentions more than one possible cause."
NEW = "The article names several causes; here is the first."


def _wait_for_line(log: Path, needle: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if needle in line:
                return line
        time.sleep(0.05)
    raise AssertionError(f"no {needle!r} in the log:\n{log.read_text(errors='replace')}")


def test_sighup_reloads_content_that_passes_check_and_keeps_the_old_otherwise(
    tmp_path: Path,
):
    content = tmp_path / "content"
    shutil.copytree(REPO / "intents", content / "intents")
    shutil.copytree(REPO / "responses", content / "responses")
    answers = content / "responses" / "answers.yml"
    original = answers.read_text()
    assert OLD in original
    log = tmp_path / "log.txt"
    with FakeBotApiServer(FakeBotApi()) as server, log.open("wb") as out:
        api = server.api
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=subprocess_env(
                tmp_path,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=server.base_url,
                CONTENT_DIR=str(content),
                VOICE="off",
            ),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
        try:
            api.wait_for_sync("setMyCommands", timeout=30)

            def ask(count: int) -> str:
                # a new chat each time: the same chat asking again would get "as above"
                chat = CHAT + count
                api.push_message("what causes sciatica", chat_id=chat)
                sent = api.wait_for_sync(
                    "sendMessage", 1, where=lambda c: c.params.get("chat_id") == chat
                )
                return sent[0].params["text"]

            assert OLD in ask(1)

            answers.write_text(original.replace(OLD, NEW))
            proc.send_signal(signal.SIGHUP)
            line = _wait_for_line(log, "content reloaded")
            intents = len(load_content(content / "intents", content / "responses").intents)
            assert f": {intents} intents" in line
            assert NEW in ask(2)

            # A YAML error: refused, one line, the previous content still answers.
            answers.write_text(original.replace(OLD, NEW) + "  - intent: [unclosed\n")
            proc.send_signal(signal.SIGHUP)
            line = _wait_for_line(log, "content not reloaded")
            assert "answers.yml" in line and "YAML error" in line
            assert NEW in ask(3)
            assert proc.poll() is None

            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    output = log.read_text(errors="replace")
    assert "Traceback" not in output and TOKEN not in output
    reload_lines = [
        line for line in output.splitlines() if "content reloaded" in line or "not reloaded" in line
    ]
    assert len(reload_lines) == 2, output
