"""The store and the service under faults: state that outlived its content, /forget while
another program reads the database, the write-ahead log, a database file replaced while the
bot runs, the read-only report, masking, and smaller promises (settings, deep links, forged
presses)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import file_bytes, skip_unless_ci

from bot.dialogue import Dialogue
from bot.replies import BACK, ChatState
from bot.report import build_report
from bot.service import ChatService
from bot.store import Store
from bot.store.gate import StoreGate

GONE = "hamstring_stretches"  # a topic the content had once and no longer has


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def service(dialogue: Dialogue, store: Store) -> ChatService:
    # No cool-down: these tests try the store again at once, as the next hour's tidy would.
    return ChatService(dialogue, StoreGate(store, cool_down=0))


# --------------------------------------------------------------------------------------
# a stored topic the content no longer has
# --------------------------------------------------------------------------------------


def _remember_removed_topic(db_path: Path, chat: str) -> None:
    """A chat whose last topic and one earlier topic were removed from the content since."""
    with sqlite3.connect(db_path) as db:
        db.execute(
            "INSERT INTO chats (chat, last_intent, history, last_seen) VALUES (?, ?, ?, ?)",
            (chat, GONE, f"sciatica_causes,{GONE}_2", "2999-01-01"),
        )


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        (None, BACK),
        ("back", None),
        ("tell me more", None),
        ("and the treatment?", None),
        ("what is piriformis syndrome", None),
    ],
)
def test_a_topic_removed_from_the_content_is_dropped_from_the_chat_state(
    dialogue: Dialogue, db_path: Path, text: str | None, payload: str | None
):
    assert GONE not in dialogue.content.responses
    Store(db_path).close()
    _remember_removed_topic(db_path, "telegram:7")
    store = Store(db_path)  # the bot restarted with content that lacks the topic
    service = ChatService(dialogue, store)
    if payload is not None:
        reply = service.press("telegram:7", payload)
    else:
        assert text is not None
        reply = service.message("telegram:7", text)
    assert "Something went wrong" not in reply.text
    if text in ("back", None):  # Back goes to the earlier topic that still exists
        assert reply.intent == "sciatica_causes"
    if text == "what is piriformis syndrome":
        assert reply.intent == "piriformis_syndrome"
    state = store.state("telegram:7")
    assert GONE not in (state.last_intent, *state.history)
    assert f"{GONE}_2" not in state.history
    # and the chat goes on working from there
    follow = service.message("telegram:7", "tell me more")
    assert follow.kind in ("answer", "no_history")
    store.close()


def test_dialogue_known_keeps_a_valid_state_as_it_is(dialogue: Dialogue):
    state = ChatState("sciatica_causes", ("piriformis_syndrome",))
    assert dialogue.known(state) is state
    assert dialogue.known(ChatState(GONE, (GONE, "sciatica_causes"))) == ChatState(
        None, ("sciatica_causes",)
    )


# --------------------------------------------------------------------------------------
# /forget while another program reads the database
# --------------------------------------------------------------------------------------


def test_forget_while_a_reader_holds_the_wal_says_so_and_finishes_later(
    dialogue: Dialogue, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    store = Store(db_path, busy_timeout=0.2)
    service = ChatService(dialogue, store)
    target = "telegram:4242"
    service.message(target, "what is piriformis syndrome")
    reader = sqlite3.connect(db_path, isolation_level=None)  # e.g. sqlite3 ".backup"
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM chats").fetchone()
    try:
        reply = service.command(target, "forget")
        assert not reply.text.startswith("Done")
        assert "another program" in reply.text and "removes it" in reply.text
        assert store.state(target) == ChatState()
        assert store.erasure_pending
        assert target.encode() in Path(f"{db_path}-wal").read_bytes()  # what the reply admits
        service.tidy()  # housekeeping while the reader still reads: still pending
        assert store.erasure_pending
    finally:
        reader.execute("COMMIT")
        reader.close()
    # the next write after the reader let go finishes it (no waiting for the hourly tidy)
    monkeypatch.setattr("bot.store.chats.ERASURE_RETRY_SECONDS", 0.0)
    service.message("telegram:1", "what causes sciatica")
    assert not store.erasure_pending
    assert target.encode() not in file_bytes(db_path)
    # and a plain /forget with no reader is done at once
    service.message(target, "what causes sciatica")
    assert service.command(target, "forget").text.startswith("Done")
    assert target.encode() not in file_bytes(db_path)
    store.close()


def test_housekeeping_finishes_an_erasure_the_reader_held_up(dialogue: Dialogue, db_path: Path):
    store = Store(db_path, busy_timeout=0.05)
    service = ChatService(dialogue, store)
    service.message("telegram:5", "what causes sciatica")
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM chats").fetchall()
    assert not service.command("telegram:5", "forget").text.startswith("Done")
    reader.execute("COMMIT")
    reader.close()
    assert b"telegram:5" in file_bytes(db_path)
    service.tidy()
    assert not store.erasure_pending
    assert b"telegram:5" not in file_bytes(db_path)
    store.close()


# --------------------------------------------------------------------------------------
# unanswered questions are written apart from chat rows
# --------------------------------------------------------------------------------------


def wal_transactions(path: Path) -> list[bytes]:
    """The raw pages of each transaction in the write-ahead log beside ``path``."""
    wal = Path(f"{path}-wal").read_bytes()
    page_size = int.from_bytes(wal[8:12], "big")
    transactions: list[bytes] = []
    current = b""
    for at in range(32, len(wal) - 24 - page_size + 1, 24 + page_size):
        current += wal[at + 24 : at + 24 + page_size]
        if int.from_bytes(wal[at + 4 : at + 8], "big"):  # a commit frame ends a transaction
            transactions.append(current)
            current = b""
    return transactions


QUESTIONS = {
    "telegram:31001": "what about my purple zebra",
    "telegram:31002": "can I knit while my zebra sleeps",
    "telegram:31003": "is kombucha good for the tailbone",
}


def test_the_wal_never_pairs_an_unanswered_question_with_a_chat(
    service: ChatService, store: Store, db_path: Path
):
    for chat, question in QUESTIONS.items():  # a first message writes a new chat row
        assert service.message(chat, question).kind == "fallback"
        service.message(chat, "what is piriformis syndrome")
        service.message(chat, f"{question} again")  # and a later one after an answer
    # held in memory: not in the file, not in the log
    assert store.pending_unanswered == 6
    for question in QUESTIONS.values():
        assert question.encode() not in file_bytes(db_path)
    service.tidy()  # housekeeping writes them as one shuffled batch
    assert store.pending_unanswered == 0
    transactions = wal_transactions(db_path)
    with_question = [t for t in transactions if any(q.encode() in t for q in QUESTIONS.values())]
    with_chat = [t for t in transactions if any(c.encode() in t for c in QUESTIONS)]
    assert with_question and with_chat  # both really are in the log...
    for pages in with_question:  # ...but never in the same transaction
        assert not any(chat.encode() in pages for chat in QUESTIONS)
    asked = [*QUESTIONS.values(), *(f"{q} again" for q in QUESTIONS.values())]
    assert [row.text for row in store.unanswered(dt.date(2000, 1, 1))] == sorted(asked)


def test_a_batch_is_written_when_full_and_on_close(
    dialogue: Dialogue, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("bot.store.chats.UNANSWERED_BATCH", 3)
    store = Store(db_path)
    service = ChatService(dialogue, store)
    questions = [f"what about my purple zebra number {n}" for n in range(4)]
    for number, question in enumerate(questions):
        service.message(f"telegram:{number}", question)
    with sqlite3.connect(db_path) as db:
        written = {row[0] for row in db.execute("SELECT text FROM unanswered")}
    assert written == set(questions[:3]) and store.pending_unanswered == 1
    store.close()
    with sqlite3.connect(db_path) as db:
        assert {row[0] for row in db.execute("SELECT text FROM unanswered")} == set(questions)


def test_a_failed_batch_is_kept_for_the_next_try(service: ChatService, store: Store, db_path: Path):
    service.message("telegram:1", "what about my purple zebra")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    store._db.execute("PRAGMA busy_timeout = 10")
    try:
        service.tidy()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.pending_unanswered == 1
    service.tidy()
    assert store.pending_unanswered == 0
    assert store.counts()["unanswered"] == 1


# --------------------------------------------------------------------------------------
# masking
# --------------------------------------------------------------------------------------


def test_masked_names_reach_neither_the_file_nor_the_wal(service: ChatService, db_path: Path):
    service.message("telegram:8", "hi my name is john smith, what about my purple zebra")
    service.message("telegram:9", "I'm Sarah Connor, t.me/sconnor, what about my purple zebra")
    service.tidy()
    stored = file_bytes(db_path).lower()
    for secret in (b"john", b"smith", b"sarah", b"connor", b"sconnor"):
        assert secret not in stored
    assert b"purple zebra" in stored


# --------------------------------------------------------------------------------------
# the database file deleted or replaced while the bot runs
# --------------------------------------------------------------------------------------


def test_a_deleted_database_is_noticed_reopened_and_loses_no_later_write(
    dialogue: Dialogue, db_path: Path, caplog: pytest.LogCaptureFixture
):
    store = Store(db_path)
    service = ChatService(dialogue, store)
    service.message("telegram:1", "what causes sciatica")
    db_path.unlink()  # an operator's mistake; the -wal and -shm stay behind
    service.tidy()  # housekeeping notices
    assert "was deleted while the bot ran" in caplog.text
    assert db_path.exists()
    db_path.unlink()  # and once more, noticed by the next write this time
    reply = service.command("telegram:5", "optout")
    assert reply.text.startswith("Done")
    store.close()
    reopened = Store(db_path)
    assert reopened.opted_out("telegram:5")
    reopened.close()


def test_a_replaced_database_is_reopened_and_later_writes_go_to_the_new_file(
    dialogue: Dialogue, db_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    store = Store(db_path)
    service = ChatService(dialogue, store)
    service.message("telegram:1", "what causes sciatica")
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(db_path) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    service.message("telegram:2", "what is piriformis syndrome")  # not in the backup
    backup.replace(db_path)  # restored from the backup while the bot runs
    service.command("telegram:5", "optout")
    assert "was replaced while the bot ran" in caplog.text
    store.close()
    reopened = Store(db_path)
    assert reopened.opted_out("telegram:5")
    assert reopened.state("telegram:1") == ChatState("sciatica_causes")
    assert reopened.state("telegram:2") == ChatState()  # the old file's log was not replayed
    reopened.close()


def test_a_database_that_cannot_be_reopened_still_leaves_people_answered(
    dialogue: Dialogue, db_path: Path
):
    store = Store(db_path)
    service = ChatService(dialogue, store)
    db_path.unlink()
    db_path.write_bytes(b"not a database " * 500)  # replaced by garbage
    assert service.message("telegram:1", "what causes sciatica").intent == "sciatica_causes"
    assert service.command("telegram:1", "optout").text.startswith("That failed")
    db_path.unlink()  # the garbage goes: the next write reopens a fresh file
    assert service.command("telegram:1", "optout").text.startswith("Done")
    assert store.opted_out("telegram:1")
    store.close()


# --------------------------------------------------------------------------------------
# the report reads, and never writes
# --------------------------------------------------------------------------------------


def _seed(path: Path, dialogue: Dialogue) -> None:
    store = Store(path)
    service = ChatService(dialogue, store)
    service.message("telegram:1", "what causes sciatica")
    service.message("telegram:2", "what about my purple zebra")
    store.close()
    with sqlite3.connect(path) as db:  # a row past retention, which a purge would delete
        db.execute(
            "INSERT INTO unanswered VALUES ('2000-01-01', 'an old one', 'fallback', NULL, NULL, 1)"
        )
        db.execute("INSERT INTO daily_stats VALUES ('2000-01-01', 'typed', 'answer', 'x', 5)")


def _report(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", "--days", "36500", "--json"],
        capture_output=True,
        text=True,
        cwd=next(folder for folder in path.parents if folder.exists()),
        env={**os.environ, "DATABASE_PATH": str(path)},
        timeout=60,
    )


def _lock_down(*paths: Path) -> bool:
    """chmod a-w for ordinary users; root ignores modes, so it gets the immutable
    attribute. False when neither works here."""
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if os.geteuid() != 0:
        return True
    return all(
        subprocess.run(["chattr", "+i", str(p)], capture_output=True, check=False).returncode == 0
        for p in paths
    )


def _unlock(*paths: Path) -> None:
    for path in paths:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_report_works_on_a_read_only_backup_in_a_read_only_folder(
    dialogue: Dialogue, tmp_path: Path
):
    live = tmp_path / "live.sqlite3"
    _seed(live, dialogue)
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "backup.sqlite3"
    with sqlite3.connect(live) as source, sqlite3.connect(backup) as target:
        source.backup(target)  # what sqlite3 ".backup" does: a WAL-mode copy
    before = backup.read_bytes()
    if not _lock_down(backup, folder):
        skip_unless_ci("cannot make a folder read-only here (chattr missing?)")
    try:
        result = _report(backup)
    finally:
        _unlock(backup, folder)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["messages"] == 7
    assert any("an old one" in g["example"] for g in data["unanswered_groups"])
    assert backup.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["backup.sqlite3"]


def test_report_changes_nothing_in_the_live_database(dialogue: Dialogue, tmp_path: Path):
    live = tmp_path / "live.sqlite3"
    _seed(live, dialogue)
    with sqlite3.connect(live) as db:
        db.execute("PRAGMA user_version = 1")  # an older schema: the bot would migrate it
    before = hashlib.sha256(live.read_bytes()).hexdigest()
    result = _report(live)
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(live.read_bytes()).hexdigest() == before
    with sqlite3.connect(live) as db:
        assert db.execute("SELECT count(*) FROM unanswered WHERE day = '2000-01-01'").fetchone()
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def test_report_on_a_missing_database_is_one_line_and_creates_nothing(tmp_path: Path):
    missing = tmp_path / "nowhere" / "bot.sqlite3"
    result = _report(missing)
    assert result.returncode == 2
    assert "does not exist" in result.stderr and result.stderr.count("\n") == 1
    assert not missing.parent.exists()


def test_a_read_only_store_refuses_writes(dialogue: Dialogue, db_path: Path):
    Store(db_path).close()
    reader = Store(db_path, read_only=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.opt_out("telegram:1")
    assert reader.counts()["chats"] == 0
    reader.close()


# --------------------------------------------------------------------------------------
# smaller promises: deep links, forged presses
# --------------------------------------------------------------------------------------


def test_start_with_a_topic_keeps_the_back_history(service: ChatService, store: Store):
    service.message("telegram:3", "what is piriformis syndrome")
    service.message("telegram:3", "what causes sciatica")
    before = store.state("telegram:3")
    assert before.history == ("piriformis_syndrome",)
    reply = service.command("telegram:3", "start", "massage_for_sciatica")
    assert reply.intent == "massage_for_sciatica"
    assert store.state("telegram:3") == ChatState(
        "massage_for_sciatica", ("piriformis_syndrome", "sciatica_causes")
    )
    assert any(button.payload == BACK for button in reply.buttons)
    assert service.press("telegram:3", BACK).intent == "sciatica_causes"
    # a plain /start and an unknown topic leave the state alone
    service.command("telegram:3", "start")
    service.command("telegram:3", "start", "no_such_topic")
    assert store.state("telegram:3").last_intent == "sciatica_causes"


def test_forged_red_flag_presses_do_not_count_as_red_flags(
    service: ChatService, store: Store, dialogue: Dialogue
):
    service.message("telegram:1", "i cant control my bladder and my bum is numb since yesterday")
    for number in range(50):  # payloads never offered to these chats
        service.press(f"telegram:{100 + number}", "red_flags")
    service.command("telegram:99", "start", "red_flags")
    report = build_report(store, days=1).to_json()
    assert report["totals"]["red_flags"] == 1
    assert [day["red_flags"] for day in report["days"]] == [1]
    assert report["answers_per_intent"]["red_flags"] == 1
    assert report["totals"]["buttons"] == 50  # still counted, as presses
