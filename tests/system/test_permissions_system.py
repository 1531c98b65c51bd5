"""The bot as the systemd unit runs it: an unprivileged user that owns nothing.

``check`` and ``run`` run as ``nobody`` (``setpriv``) against content and database folders
owned by root; ``doctor --as-service`` predicts what they meet. Needs root (to drop to
``nobody``); skipped elsewhere.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer
from harness import REPO, subprocess_env

from bot.cli import EXIT_UNREADABLE, EXIT_UNWRITABLE, main


def _nobody() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


NOBODY = _nobody()
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or NOBODY is None or shutil.which("setpriv") is None,
    reason="needs root, a 'nobody' user and setpriv to run the bot as an unprivileged user",
)
AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture(scope="module", autouse=True)
def _python_for_nobody() -> None:
    """Skip when ``nobody`` cannot run this Python and import the bot (an interpreter under
    a private home folder, say)."""
    probe = subprocess.run(
        [*AS_NOBODY, sys.executable, "-c", "import bot.cli"],
        capture_output=True,
        cwd="/",
        env=subprocess_env(Path("/nonexistent")),
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"nobody cannot run {sys.executable} with the bot: {probe.stderr[-200:]!r}")


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder ``nobody`` can enter (pytest's own temporary folders are root's, mode 700)."""
    folder = Path(tempfile.mkdtemp(prefix="sciatica-perm-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _content(place: Path) -> Path:
    """A copy of the bundled content in ``place/etc/content``, its top folder mode 700 (as
    ``install -d -m 700`` leaves it)."""
    etc = place / "etc"
    etc.mkdir(mode=0o755)
    content = etc / "content"
    shutil.copytree(REPO / "intents", content / "intents")
    shutil.copytree(REPO / "responses", content / "responses")
    content.chmod(0o700)
    return content


def _as_nobody(place: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AS_NOBODY, sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=place,
        env=subprocess_env(place, **env),
        timeout=120,
    )


def test_check_as_an_unprivileged_user_says_the_content_is_unreadable_in_one_line(place: Path):
    content = _content(place)
    result = _as_nobody(place, "check", CONTENT_DIR=str(content))
    assert result.returncode == EXIT_UNREADABLE == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"{content}" in result.stderr and "Permission denied" in result.stderr

    subprocess.run(["chmod", "-R", "a+rX", str(content)], check=True)
    result = _as_nobody(place, "check", CONTENT_DIR=str(content))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("content OK")


def test_run_as_an_unprivileged_user_that_cannot_write_the_database_exits_5(place: Path):
    state = place / "state"
    state.mkdir(mode=0o755)  # root's: nobody cannot create the database in it
    database = state / "bot.sqlite3"
    result = _as_nobody(
        place, "run", TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_PATH=str(database), STARTUP_TIMEOUT="0"
    )
    assert result.returncode == EXIT_UNWRITABLE == 5, result.stderr
    assert result.stderr.count("\n") == 1 and str(database) in result.stderr
    assert "Traceback" not in result.stderr
    assert not database.exists()


def test_run_as_an_unprivileged_user_answers_with_readable_content_and_its_own_state(
    place: Path,
):
    assert NOBODY is not None
    content = _content(place)
    subprocess.run(["chmod", "-R", "a+rX", str(content)], check=True)
    state = place / "state"
    state.mkdir(mode=0o700)
    os.chown(state, NOBODY.pw_uid, NOBODY.pw_gid)  # what StateDirectory= does
    with FakeBotApiServer(FakeBotApi()) as server:
        out = (place / "out.txt").open("wb")
        proc = subprocess.Popen(
            [*AS_NOBODY, sys.executable, "-m", "bot", "run"],
            cwd=place,
            env=subprocess_env(
                place,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=server.base_url,
                CONTENT_DIR=str(content),
                DATABASE_PATH=str(state / "bot.sqlite3"),
                VOICE="off",
            ),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
        try:
            server.api.wait_for_sync("setMyCommands", timeout=30)
            server.api.push_message("what causes sciatica", chat_id=4242)
            (answer,) = server.api.wait_for_sync(
                "sendMessage", where=lambda c: c.params.get("chat_id") == 4242, timeout=20
            )
            assert "sciatica" in answer.params["text"].lower()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()
    output = (place / "out.txt").read_text()
    assert "Traceback" not in output and TOKEN not in output
    assert (state / "bot.sqlite3").stat().st_uid == NOBODY.pw_uid


def _unit(place: Path, content: Path, base_url: str) -> Path:
    env = place / "env"
    env.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_API_BASE_URL={base_url}\n"
        f'CONTENT_DIR={content}\nCLINIC_NAME="Back in Balance"\nVOICE=off\n'
    )
    env.chmod(0o600)  # root's: systemd reads it before dropping privileges
    unit = place / "sciatica-bot.service"
    unit.write_text(
        "[Service]\nExecStart=/opt/sciatica-bot/bin/sciatica-bot run\n"
        f"EnvironmentFile={env}\nStateDirectory=sciatica-bot-test\n"
        f"Environment=DATABASE_PATH={place / 'db' / 'bot.sqlite3'}\nDynamicUser=yes\n"
    )
    return unit


def test_doctor_as_service_checks_access_as_the_service_user(
    place: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    """As root everything is readable: ``doctor`` alone said "all well" to a service that
    could not start. ``--as-service`` reads the unit's settings and checks as its user."""
    content = _content(place)
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    with FakeBotApiServer(FakeBotApi()) as server:
        unit = _unit(place, content, server.base_url)
        assert main(["doctor", "--json"]) in (0, 2)  # the plain doctor, as root
        capsys.readouterr()

        assert main(["doctor", "--json", "--as-service", str(unit)]) == 2
        report = json.loads(capsys.readouterr().out)
        checks = {c["name"]: c for c in report["checks"]}
        assert checks["content"]["status"] == "ok"  # root can read it
        access = checks["access"]
        assert access["status"] == "problem"
        assert access["summary"] == (
            "as nobody, the service cannot read its content nor write its database"
        )
        assert any(str(content) in p for p in access["details"]["problems"])
        assert checks["settings"]["details"]["set"]["CLINIC_NAME"] == "Back in Balance"

        subprocess.run(["chmod", "-R", "a+rX", str(content)], check=True)
        (place / "db").mkdir()
        os.chown(place / "db", NOBODY.pw_uid, NOBODY.pw_gid)
        assert main(["doctor", "--json", "--as-service", str(unit)]) == 0
        report = json.loads(capsys.readouterr().out)
        access = next(c for c in report["checks"] if c["name"] == "access")
        assert access["status"] == "ok", access
        assert access["summary"] == "as nobody: the content is readable; the database is writable"


def test_an_env_file_the_user_cannot_read_is_one_line_for_check_and_a_doctor_problem(
    place: Path,
):
    env_file = place / ".env"
    env_file.write_text("CLINIC_NAME=Back in Balance\n")
    env_file.chmod(0o600)  # root's
    result = _as_nobody(place, "check")
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"sciatica-bot: {env_file} cannot be read: Permission denied\n"
    result = _as_nobody(place, "doctor", "--json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (settings,) = json.loads(result.stdout)["checks"]
    assert settings["status"] == "problem" and "cannot be read" in settings["summary"]
    result = _as_nobody(place, "doctor")
    assert result.returncode == 2 and result.stdout.startswith("problem  settings")
