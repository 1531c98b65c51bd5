"""Progress bars: drawn on a terminal (stderr a tty), never when piped or under systemd."""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from harness import REPO, subprocess_env

from bot.evaluation.labelled import load_items
from bot.report import group_questions
from bot.store import BACKUP_STEP_PAGES, Store, UnansweredRow, backup

QUESTIONS = REPO / "tests" / "data" / "questions.yml"


def _eval(tmp_path: Path, *, terminal: bool) -> tuple[int, str, str]:
    """``eval`` with stdout piped and stderr on a pseudo-terminal (or piped)."""
    command = [sys.executable, "-m", "bot", "eval", str(QUESTIONS)]
    env = subprocess_env(tmp_path)
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    drawn = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    out = proc.stdout.read().decode() if proc.stdout else ""
    return proc.wait(timeout=30), out, drawn.decode(errors="replace")


def test_eval_draws_a_bar_on_a_terminal_and_nothing_when_piped(tmp_path: Path):
    code, out, err = _eval(tmp_path, terminal=True)
    assert code == 0
    assert "eval:" in err and "message/s" in err, err[-500:]
    assert f"/{len(load_items(QUESTIONS))} [" in err  # the bar counts every message
    assert "eval:" not in out  # the report itself is untouched
    code, piped_out, piped_err = _eval(tmp_path, terminal=False)
    assert code == 0
    assert piped_err == ""
    assert piped_out.splitlines()[0] == out.splitlines()[0]


def test_a_large_backup_reports_each_step_and_copies_everything(tmp_path: Path):
    source = tmp_path / "bot.sqlite3"
    Store(source).close()
    with sqlite3.connect(source) as db:  # about 1.5 steps' worth of pages
        db.execute("CREATE TABLE filler (data BLOB)")
        db.executemany(
            "INSERT INTO filler VALUES (randomblob(3500))",
            [()] * (BACKUP_STEP_PAGES * 3 // 2),
        )
    steps: list[tuple[int, int]] = []
    size = backup(source, tmp_path / "copy.sqlite3", progress=lambda d, t: steps.append((d, t)))
    assert len(steps) >= 2
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)
    done, total = steps[-1]
    assert done == total and total * 4096 == size
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert (
            copy.execute("SELECT count(*) FROM filler").fetchone()[0] == BACKUP_STEP_PAGES * 3 // 2
        )


def test_grouping_reports_its_progress_to_the_end():
    day = Store(":memory:").today()
    rows = [
        UnansweredRow(day, text, "fallback", None, 0.0, 1)
        for text in ("can i ski", "can I ski again", "wifi password", "horse massage")
    ]
    seen: list[tuple[int, int]] = []
    groups = group_questions(rows, lambda done, total: seen.append((done, total)))
    assert len(seen) == len(groups)
    assert seen[-1] == (4, 4)
