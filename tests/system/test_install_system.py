"""Installing the bot: the wheel in a fresh environment (where the content and the database
are is in ``tests/unit/test_settings.py``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from locations import REPO

# --------------------------------------------------------------------------------------
# the wheel, installed into a fresh virtual environment
# --------------------------------------------------------------------------------------


def _source_copy(target: Path) -> Path:
    """The project's files without the virtual environment, caches or data."""
    ignore = shutil.ignore_patterns(
        ".venv",
        ".git",
        ".hypothesis",
        "data",
        "build",
        "dist",
        "*.egg-info",
        "__pycache__",
        ".*_cache",
        ".env",
    )
    shutil.copytree(REPO, target, ignore=ignore)
    return target


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str], expect: int = 0, given: str = ""
) -> str:
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        input=given,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == expect, (
        f"{args}: {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.mark.install
def test_wheel_installed_in_a_fresh_venv_answers_checks_and_reports(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    source = _source_copy(tmp_path / "source")
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, source],
        tmp_path,
        env,
    )
    (wheel,) = dist.glob("sciatica_bot-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "bot").rglob("*.py")}
    assert modules <= names, f"missing from the wheel: {sorted(modules - names)}"
    for folder in ("intents", "responses"):
        for path in (REPO / folder).iterdir():
            assert f"bot/bundled/{folder}/{path.name}" in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    python = venv / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", wheel],
        tmp_path,
        env,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "home"
    settings_free = {k: v for k, v in env.items() if not k.isupper() or k in ("PATH", "LANG")}
    run_env = {**settings_free, "HOME": str(home)}
    bot = str(venv / "bin" / "sciatica-bot")

    asked = json.loads(_run([bot, "ask", "--json", "what causes sciatica"], elsewhere, run_env))
    assert asked["intent"] == "sciatica_causes"
    assert _run([bot, "check"], elsewhere, run_env).startswith("content OK: ")
    database = home / ".local" / "state" / "sciatica-bot" / "sciatica-bot.sqlite3"
    # No database yet: the read-only report says where it looked, and creates nothing.
    missing = subprocess.run(
        [bot, "report"], cwd=elsewhere, env=run_env, capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2 and str(database) in missing.stderr
    assert not database.exists()
    # The terminal chat keeps what the Telegram bot keeps, in the user's state folder.
    talk = _run([bot, "chat"], elsewhere, run_env, given="what causes sciatica\n/quit\n")
    assert "Goodbye" in talk
    assert database.is_file()
    report = json.loads(_run([bot, "report", "--json"], elsewhere, run_env))
    assert report["answers_per_intent"], report
    # no token here, so the doctor finds a problem, but everything else is in place
    doctor = json.loads(_run([bot, "doctor", "--json"], elsewhere, run_env, expect=2))
    statuses = {c["name"]: c["status"] for c in doctor["checks"]}
    assert statuses["content"] == "ok" and statuses["database"] == "ok"
    assert statuses["telegram"] == "problem"
    checks = {c["name"]: c for c in doctor["checks"]}
    assert checks["database"]["details"]["path"] == str(database)
    assert "site-packages/bot/bundled" in checks["content"]["details"]["intents_dir"]
    assert list(elsewhere.iterdir()) == []  # nothing written where it ran
    assert not list(venv.rglob("data"))
