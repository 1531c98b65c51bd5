"""What the system tests drive: ``sciatica-bot run`` as a separate process against the
loopback fake Bot API.

Each test starts the bot the way a clinic does: the console script, settings from the
environment only (a clean one: nothing of the shell running the tests leaks in), a database
file, voice notes as configured (on where the ``voice`` extra is installed), and then drives
it as a person and the clinic's staff would, through the fake's updates.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fake_bot_api import TOKEN, Call, FakeBotApi, FakeBotApiServer, buttons_of, html_to_text
from harness import REPO, clean_environment

STARTUP_TIMEOUT = 30.0
"""Seconds for the bot to start (a loaded machine, the speech model loading beside it)."""

REPLY_TIMEOUT = 30.0
"""Seconds to wait for one reply (generous: two cores shared by several test runs)."""


def bot_command() -> list[str]:
    """The installed ``sciatica-bot`` script next to this Python, else ``python -m bot``."""
    script = Path(sys.executable).with_name("sciatica-bot")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "bot"]  # pragma: no cover - not installed as a package


class BotProcess:
    """``sciatica-bot run`` with its output captured in files (pipes could fill up)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.database = folder / "bot.sqlite3"
        self.out_path = folder / "stdout.txt"
        self.err_path = folder / "stderr.txt"
        clean = clean_environment()
        clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), clean.get("PYTHONPATH")]))
        clean["DATABASE_PATH"] = str(self.database)
        clean.update(env)
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [*bot_command(), "run"],
                cwd=folder,  # no stray .env
                env=clean,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    @property
    def output(self) -> str:
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=20)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class System:
    """A running bot process and the fake it talks to, with what a test needs to drive it."""

    def __init__(self, server: FakeBotApiServer, bot: BotProcess) -> None:
        self.server = server
        self.api: FakeBotApi = server.api
        self.bot = bot

    def to(self, chat_id: int) -> list[Call]:
        """Successful ``sendMessage`` calls to ``chat_id``."""
        return self.api.delivered(chat_id)

    def texts(self, chat_id: int) -> list[str]:
        """What ``chat_id`` saw, as Telegram shows it (HTML parsed)."""
        return [html_to_text(c.params["text"]) for c in self.to(chat_id)]

    def wait(self, chat_id: int, count: int) -> list[str]:
        """Wait until ``chat_id`` got ``count`` messages in all; returns their texts."""
        try:
            self.api.wait_for_sync(
                "sendMessage",
                count,
                where=lambda c: c.params.get("chat_id") == chat_id,
                timeout=REPLY_TIMEOUT,
            )
        except AssertionError as exc:
            raise AssertionError(
                f"{exc}\n--- chat {chat_id} saw: {self.texts(chat_id)}\n"
                f"--- bot output:\n{self.bot.output[-4000:]}"
            ) from None
        return self.texts(chat_id)

    def next_reply(self, chat_id: int, push: Callable[[], Any]) -> str:
        """Push an update and return the next message ``chat_id`` gets."""
        before = len(self.to(chat_id))
        push()
        return self.wait(chat_id, before + 1)[before]

    def last_call(self, chat_id: int) -> Call:
        return self.to(chat_id)[-1]

    def payloads(self, chat_id: int) -> list[str]:
        """The callback data of the buttons under the last message to ``chat_id``."""
        return [b.get("callback_data", "") for b in buttons_of(self.last_call(chat_id))]

    def stop_cleanly(self) -> str:
        """Stop the bot; assert a clean exit with nothing leaked; returns its output."""
        code = self.bot.stop()
        output = self.bot.output
        assert code == 0, output
        assert "Traceback" not in output, output
        assert "went wrong" not in output and "failed with" not in output, output
        assert TOKEN not in output
        return output


def pause(seconds: float) -> None:
    """Let the bot handle what was pushed when nothing visible is expected."""
    time.sleep(seconds)
