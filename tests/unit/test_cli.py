"""The command line (``bot/cli.py``): one-line errors, ``check``, ``ask``, ``eval`` and the terminal
chat, run as ``python -m bot``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from locations import REPO


def _cli(*args: str, stdin: str = "", **overrides: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot`` with no token and, unless overridden, a database in memory."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["DATABASE_PATH"] = ":memory:"
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO / "tests",  # no .env here
        env=env,
        timeout=60,
    )


def test_cli_check_passes() -> None:
    result = _cli("check")
    assert result.returncode == 0, result.stderr
    assert "content OK" in result.stdout


def test_cli_check_lists_problems(tmp_path: Path) -> None:
    intents = tmp_path / "intents"
    intents.mkdir()
    (intents / "bad.yml").write_text("intents:\n  - intent: x\n    exmples: []\n")
    env = {**os.environ, "INTENTS_DIR": str(intents)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{intents / 'bad.yml'}:3: unknown key 'exmples'" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_ask_json() -> None:
    result = _cli("ask", "--json", "wat causes siatica")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"intent", "score", "red_flag", "text", "buttons"}
    assert data["intent"] == "sciatica_causes" and data["red_flag"] is False
    assert all(set(b) == {"label", "payload"} for b in data["buttons"])


def test_cli_ask_red_flag_and_fallback() -> None:
    urgent = json.loads(_cli("ask", "--json", "numb down there and cant pee").stdout)
    assert urgent["red_flag"] is True and urgent["intent"] == "red_flags"
    other = json.loads(_cli("ask", "--json", "what is diabetes").stdout)
    assert other["intent"] is None and other["red_flag"] is False


def test_cli_eval_json(tmp_path: Path) -> None:
    questions = tmp_path / "q.yml"
    questions.write_text(
        yaml.safe_dump(
            [
                {"q": "what causes sciatica", "want": ["sciatica_causes"]},
                {"q": "how is the weather", "want": ["fallback"]},
                {"q": "cant control my bladder", "want": ["red_flags"]},
            ]
        )
    )
    result = _cli("eval", str(questions), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == 3
    assert [i["got"] for i in data["items"]] == ["sciatica_causes", "fallback", "urgent"]
    assert data["accuracy"] == 1.0 and data["red_flag_recall"] == 1.0


def test_cli_eval_text_lists_misses(tmp_path: Path) -> None:
    questions = tmp_path / "q.yml"
    questions.write_text('- {q: "what causes sciatica", want: [greeting]}\n')
    result = _cli("eval", str(questions))
    assert "answered right:" in result.stdout and "misses (tuning): 1" in result.stdout
    assert "sciatica_causes" in result.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("eval", "/no/such/file.yml"), "cannot read"),
        (("frobnicate",), "invalid choice"),
        ((), "required"),
    ],
)
def test_cli_errors_are_one_line(args: tuple[str, ...], needle: str) -> None:
    result = _cli(*args)
    assert result.returncode != 0
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_bad_yaml_eval_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("- {q: [unclosed\n")
    result = _cli("eval", str(bad))
    assert result.returncode == 1 and "not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_run_without_token_is_one_line() -> None:
    result = _cli("run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_terminal_chat_numbers_press_buttons() -> None:
    result = _cli("run", "--chat-without-token", stdin="what is piriformis syndrome\n1\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert "terminal chat" in result.stderr
    assert "[1]" in result.stdout
    assert result.stdout.count("bot> ") == 2
