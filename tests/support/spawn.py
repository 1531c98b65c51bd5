"""``python -m bot COMMAND`` as a process, for the fault and webhook tests of ``tests/system``
(the person-like system tests use :mod:`sysbot`)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from fake_bot_api import TOKEN, FakeBotApiServer
from harness import subprocess_env

STARTUP_TIMEOUT = 20.0
WEBHOOK_SECRET = "faults-webhook_secret-0123456789"


class CommandProcess:
    """``python -m bot COMMAND`` with its output in files (pipes could fill up)."""

    def __init__(self, tmp_path: Path, env: dict[str, str], command: str = "run") -> None:
        self.out_path = tmp_path / f"stdout-{time.monotonic_ns()}.txt"
        self.err_path = tmp_path / f"stderr-{time.monotonic_ns()}.txt"
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", command],
                cwd=tmp_path,  # no stray .env
                env=subprocess_env(tmp_path, **env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    def wait(self, timeout: float = STARTUP_TIMEOUT) -> int:
        return self.proc.wait(timeout=timeout)

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)

    @property
    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


def webhook_env(server: FakeBotApiServer, port: int, **extra: str) -> dict[str, str]:
    """Settings for webhook mode on ``port``, registered with the fake ``server``."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "WEBHOOK_PORT": str(port),
        **extra,
    }
