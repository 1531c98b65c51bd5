"""``sciatica-bot run`` as a process while Telegram cannot be reached at start-up (the waiting
itself, in process, is in ``tests/unit/telegram/test_startup.py``)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer, free_port
from harness import subprocess_env

from bot.telegram.startup import (
    EXIT_TELEGRAM_UNREACHABLE,
)


def _run_bot(tmp_path: Path, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,  # no stray .env
        env=subprocess_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, **env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.e2e
def test_unreachable_api_exits_3_with_one_line_after_startup_timeout(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    started = time.monotonic()
    proc = _run_bot(tmp_path, TELEGRAM_API_BASE_URL=nowhere, STARTUP_TIMEOUT="2")
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - started
    assert proc.returncode == EXIT_TELEGRAM_UNREACHABLE == 3, err.decode()
    stderr = err.decode()
    assert "Traceback" not in stderr and TOKEN not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("sciatica-bot: Could not reach the Telegram Bot API in 2 s")
    # it kept trying for the whole STARTUP_TIMEOUT (the old code gave up after one attempt)
    attempts = re.search(r"\((\d+) attempts", last)
    assert attempts and int(attempts[1]) >= 2, last
    assert took >= 2


@pytest.mark.e2e
def test_bot_starts_once_telegram_comes_back(tmp_path):
    with FakeBotApiServer(FakeBotApi(), max_long_poll=0.5) as server:
        server.api.outage(3.0)  # every call answered 502 for three seconds
        proc = _run_bot(tmp_path, TELEGRAM_API_BASE_URL=server.base_url, STARTUP_TIMEOUT="30")
        try:
            server.api.wait_for_sync("getUpdates", timeout=40)
            assert proc.poll() is None
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err.decode()
    failed_get_me = [c for c in server.api.calls_to("getMe") if c.status == 502]
    assert failed_get_me, "the outage was not seen"
    assert "Traceback" not in err.decode()
