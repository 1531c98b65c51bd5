"""The SQLite store, the service that uses it, the privacy commands and the report."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeRequest
from harness import file_bytes, skip_unless_ci
from locations import REPO

from bot.dialogue import Dialogue
from bot.replies import ChatState
from bot.report import build_report, group_questions
from bot.service import STORE_ERROR_QUIET_SECONDS, ChatService
from bot.settings import Settings
from bot.store import (
    MAX_UNANSWERED_CHARS,
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreError,
    Turn,
    UnansweredRow,
    utc_today,
)
from bot.store.gate import StoreGate
from bot.telegram import app as telegram_app
from bot.telegram import build_application

ROOT = REPO
DAY = utc_today() - dt.timedelta(days=3)  # recent: the CLI purges what is past retention
RED_FLAG_TEXT = "i cant control my bladder and my bum is numb since yesterday"
IDENTITIES = ("telegram:424242", "424242", "telegram:-100777", "Pat", "pat_the_patient")


class Clock:
    """A settable day for the store."""

    def __init__(self, day: dt.date = DAY) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_path: Path, clock: Clock) -> Iterator[Store]:
    opened = Store(db_path, today=clock)
    yield opened
    opened.close()


@pytest.fixture
def service(dialogue: Dialogue, store: Store) -> ChatService:
    return ChatService(dialogue, store)


def all_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read with a separate connection."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in tables}


def columns(path: Path, table: str) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


# --------------------------------------------------------------------------------------
# opening, schema, migrations, errors
# --------------------------------------------------------------------------------------


def test_new_file_gets_the_schema_folder_and_private_permissions(store: Store, db_path: Path):
    assert db_path.exists()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert set(all_rows(db_path)) == {
        "chats",
        "daily_stats",
        "unanswered",
        "tickets",
        "ticket_messages",
        "handover_stats",
        "sqlite_sequence",  # the last ticket number, so numbers are never reused
    }
    assert db_path.stat().st_mode & 0o077 == 0


def test_reopening_keeps_data_and_does_not_migrate_again(db_path: Path, clock: Clock):
    first = Store(db_path, today=clock)
    first.save(
        "telegram:1", Turn("typed", "answer", "sciatica_causes", ChatState("sciatica_causes"))
    )
    first.close()
    second = Store(db_path, today=clock)
    assert second.state("telegram:1") == ChatState("sciatica_causes")
    assert second.counts() == {"chats": 1, "daily_stats": 1, "unanswered": 0}
    second.close()


def test_a_version_1_file_is_migrated_forward_keeping_its_rows(db_path: Path, clock: Clock):
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("INSERT INTO chats VALUES ('telegram:7', 'sciatica_causes', ?, 0)", (DAY,))
        db.execute("PRAGMA user_version = 1")
    store = Store(db_path, today=clock)
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    assert store.state("telegram:7") == ChatState("sciatica_causes", ())
    store.save("telegram:7", Turn("button", "answer", "x", ChatState("x", ("sciatica_causes",))))
    assert store.state("telegram:7") == ChatState("x", ("sciatica_causes",))
    store.close()


def test_a_newer_schema_is_refused(db_path: Path, clock: Clock):
    Store(db_path, today=clock).close()
    with sqlite3.connect(db_path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer version"):
        Store(db_path, today=clock)


def test_a_corrupt_file_is_a_clear_error(db_path: Path):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(StoreError) as caught:
        Store(db_path)
    assert str(db_path) in str(caught.value)
    assert "not a SQLite database" in str(caught.value)


def _make_read_only(path: Path) -> None:
    """chmod for ordinary users; root ignores modes, so it gets the immutable attribute."""
    path.chmod(0o444)
    if os.access(path, os.W_OK) and os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            skip_unless_ci("cannot make a file read-only for root here (chattr missing?)")


def test_a_read_only_file_is_a_clear_error(db_path: Path):
    Store(db_path).close()
    for extra in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        extra.unlink(missing_ok=True)
    _make_read_only(db_path)
    try:
        with pytest.raises(StoreError, match="read-only"):
            Store(db_path)
    finally:
        subprocess.run(["chattr", "-i", str(db_path)], capture_output=True, check=False)
        db_path.chmod(0o600)


def test_a_path_that_cannot_be_created_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create its folder"):
        Store(blocker / "sub" / "bot.sqlite3")


@pytest.mark.parametrize("command", ["chat", "report"])
def test_cli_with_a_corrupt_database_exits_2_with_one_line(tmp_path: Path, command: str):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    result = subprocess.run(
        [sys.executable, "-m", "bot", command],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DATABASE_PATH": str(bad), "TELEGRAM_BOT_TOKEN": ""},
        input="",
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "not a SQLite database" in result.stderr and str(bad) in result.stderr


# --------------------------------------------------------------------------------------
# chats, opt-out, forget
# --------------------------------------------------------------------------------------


def test_state_and_last_seen(store: Store, db_path: Path, clock: Clock):
    store.save("c", Turn("typed", "answer", "sciatica_causes", ChatState("sciatica_causes")))
    clock.day = DAY + dt.timedelta(days=2)
    store.save("c", Turn("typed", "fallback", None, None, unanswered="what about knees"))
    assert store.state("c") == ChatState("sciatica_causes")  # a fallback keeps the topic
    (row,) = all_rows(db_path)["chats"]
    assert row == ("c", "sciatica_causes", (DAY + dt.timedelta(days=2)).isoformat(), 0, "")


def test_opted_out_chats_write_nothing(service: ChatService, store: Store, db_path: Path):
    service.message("telegram:5", "what causes sciatica")
    service.command("telegram:5", "optout")
    before = all_rows(db_path)
    assert before["chats"] == [("telegram:5", None, None, 1, "")]
    service.message("telegram:5", "what causes sciatica")
    service.message("telegram:5", "tell me about my purple elbow")
    service.press("telegram:5", "piriformis_syndrome")
    service.not_text("telegram:5")
    service.command("telegram:5", "help")
    assert all_rows(db_path) == before
    assert "opted out" in service.command("telegram:5", "privacy").text
    assert all_rows(db_path) == before

    service.command("telegram:5", "optin")
    assert all_rows(db_path)["chats"] == []
    service.message("telegram:5", "what causes sciatica")
    assert store.state("telegram:5") == ChatState("sciatica_causes")


def test_forget_removes_every_row_and_every_trace(tmp_path: Path, dialogue: Dialogue):
    path = tmp_path / "forget.sqlite3"
    store = Store(path)
    service = ChatService(dialogue, store)
    # Enough chats for a many-page B-tree; the chat erased lies in the middle.
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO chats VALUES (?, 'sciatica_causes', ?, 0, '')",
            [(f"telegram:{100000 + n}", utc_today().isoformat()) for n in range(3000)],
        )
    target = "telegram:101500"
    service.message(target, "what is piriformis syndrome")
    assert target.encode() in file_bytes(path)

    reply = service.command(target, "forget")
    assert "erased" in reply.text
    assert store.state(target) == ChatState()
    assert all(row[0] != target for row in all_rows(path)["chats"])
    assert len(all_rows(path)["chats"]) == 2999
    assert target.encode() not in file_bytes(path)  # no free-page or WAL copy
    store.close()
    assert target.encode() not in file_bytes(path)


# --------------------------------------------------------------------------------------
# what is never stored
# --------------------------------------------------------------------------------------


def test_statistics_and_unanswered_rows_carry_no_identity_or_red_flag_text(
    service: ChatService, db_path: Path
):
    for chat in IDENTITIES[:1] + IDENTITIES[2:3]:
        service.command(chat, "start")
        service.message(chat, "what causes sciatica")
        # not understood (right after the urgent answer it would be read as about that answer)
        service.message(chat, "my name is Pat, @pat_the_patient, what about my purple elbow")
        service.message(chat, RED_FLAG_TEXT)
        service.message(chat, "numb saddle area and peeing myself")
        service.message(chat, "sciatica piriformis")  # did-you-mean territory
        service.press(chat, "sciatica_symptoms")
        service.not_text(chat)
    service.tidy()  # unanswered questions are written in batches, apart from chat rows

    identity_words = {"chat", "chat_id", "user", "user_id", "username", "name", "first_name"}
    for table in ("daily_stats", "unanswered"):
        assert not columns(db_path, table) & identity_words, table
    rows = all_rows(db_path)
    anonymous = json.dumps(rows["daily_stats"] + rows["unanswered"])
    for identity in IDENTITIES:
        assert identity not in anonymous
    everything = json.dumps(rows)
    assert "bladder" not in everything and "peeing" not in everything
    assert any(kind == "red_flag" for _, _, kind, _, _ in rows["daily_stats"])
    assert any("purple elbow" in row[1] for row in rows["unanswered"])


# --------------------------------------------------------------------------------------
# retention
# --------------------------------------------------------------------------------------


def test_retention_purges_at_start_up_and_once_a_day(db_path: Path, clock: Clock):
    store = Store(db_path, retention_days=30, today=clock)
    store.save("old", Turn("typed", "fallback", unanswered="old question about elbows"))
    store.opt_out("quiet")
    clock.day = DAY + dt.timedelta(days=20)
    store.save("recent", Turn("typed", "fallback", unanswered="newer question about knees"))
    clock.day = DAY + dt.timedelta(days=31)
    store.save("today", Turn("typed", "answer", "sciatica_causes", ChatState("sciatica_causes")))
    rows = all_rows(db_path)
    assert sorted(row[0] for row in rows["chats"]) == ["quiet", "recent", "today"]
    assert [row[1] for row in rows["unanswered"]] == ["newer question about knees"]
    assert len(rows["daily_stats"]) == 3  # anonymous counts are kept
    store.close()

    clock.day = DAY + dt.timedelta(days=52)  # a restart after three weeks away
    store = Store(db_path, retention_days=30, today=clock)
    rows = all_rows(db_path)
    assert sorted(row[0] for row in rows["chats"]) == ["quiet", "today"]
    assert rows["unanswered"] == []
    store.close()


def test_privacy_text_follows_the_settings(dialogue: Dialogue):
    kept_a_week = ChatService(dialogue, Store(retention_days=7)).privacy().text
    assert "7 days" in kept_a_week and "30 days" not in kept_a_week
    assert "in memory only" in kept_a_week
    for command in ("/forget", "/optout", "/optin"):
        assert command in kept_a_week
    assert f"{MAX_UNANSWERED_CHARS} characters" in kept_a_week


# --------------------------------------------------------------------------------------
# durability and concurrency
# --------------------------------------------------------------------------------------


def test_two_chats_writing_at_once_do_not_clobber_each_other(service: ChatService, store: Store):
    topics = {"telegram:1": "sciatica_causes", "telegram:2": "piriformis_syndrome"}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(topics))

    def talk(chat: str, topic: str) -> None:
        try:
            barrier.wait()
            for _ in range(150):
                service.press(chat, topic)
                assert store.state(chat) == ChatState(topic)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=talk, args=item) for item in topics.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert {chat: store.state(chat).last_intent for chat in topics} == topics
    presses = sum(row.count for row in store.stats(DAY) if row.source == "button")
    assert presses == 300


CRASHING_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from bot.replies import ChatState
    from bot.store import Store, Turn
    store = Store(sys.argv[1])
    for number in range(1, 1000):
        store.save(f"chat:{number}", Turn("typed", "answer", "x", ChatState("sciatica_causes")))
        print(number, flush=True)  # acknowledged
        if number == 57:
            os.kill(os.getpid(), signal.SIGKILL)  # dies without closing anything
    """
)


def test_a_crash_loses_nothing_already_acknowledged(tmp_path: Path):
    path = tmp_path / "crash.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == -signal.SIGKILL
    acknowledged = int(result.stdout.split()[-1])
    assert acknowledged == 57
    store = Store(path)
    assert store.counts()["chats"] == acknowledged
    assert store.state("chat:57") == ChatState("sciatica_causes")
    store.close()


# --------------------------------------------------------------------------------------
# a conversation survives a restart
# --------------------------------------------------------------------------------------


def test_terminal_follow_up_survives_a_restart(tmp_path: Path):
    env = {**os.environ, "DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "TELEGRAM_BOT_TOKEN": ""}

    def chat(stdin: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "chat"],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split("bot> ")[-1]

    chat("what is piriformis syndrome\n/quit\n")
    after_restart = chat("tell me more\n/quit\n")
    fresh = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "tell me more"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    ).stdout
    assert "no earlier topic" in fresh  # without memory "more" has nothing to go on
    assert "Sorry, I can only answer" not in after_restart
    assert "[1]" in after_restart


async def test_telegram_follow_up_survives_a_restart(tmp_path: Path, dialogue: Dialogue):
    path = tmp_path / "bot.sqlite3"
    sent: list[str] = []
    for text in ("what is piriformis syndrome", "more"):
        store = Store(path)
        api = FakeBotApi()
        app = build_application(
            Settings(telegram_token=TOKEN),
            ChatService(dialogue, store),
            request=FakeRequest(api),
            get_updates_request=FakeRequest(api),
        )
        await app.initialize()
        await app.updater.start_polling(timeout=1)
        await app.start()
        api.push_message(text, chat_id=31337)
        (call,) = await api.wait_for("sendMessage", 1)
        sent.append(call.params["text"])
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        store.close()
    piriformis = dialogue.answer("piriformis_syndrome")
    follow_up = dialogue.answer(dialogue.content.responses["piriformis_syndrome"].follow_ups[0])
    assert sent[0].startswith(piriformis.text[:40])
    assert sent[1].startswith(follow_up.text[:40])


# --------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------


@pytest.fixture
def seeded(tmp_path: Path, dialogue: Dialogue) -> Store:
    clock = Clock(DAY)
    store = Store(tmp_path / "seeded.sqlite3", today=clock)
    service = ChatService(dialogue, store)
    script = {
        0: ["what causes sciatica", "what is piriformis syndrome", "can I knit with sciatica"],
        1: ["can i knit with my sciatica?", "what causes sciatica", RED_FLAG_TEXT],
        2: ["could I knit with sciatica", "tell me about my purple zebra", "what causes sciatica"],
    }
    for offset, messages in script.items():
        clock.day = DAY + dt.timedelta(days=offset)
        for number, text in enumerate(messages):
            service.message(f"telegram:{number}", text)
        service.press("telegram:9", "trigger_point_4")
    return store


def test_report_text_and_json_on_a_seeded_database(seeded: Store):
    report = build_report(seeded, days=7, today=DAY + dt.timedelta(days=2))
    data = report.to_json()
    assert data["since"] == (DAY - dt.timedelta(days=4)).isoformat()
    assert data["until"] == (DAY + dt.timedelta(days=2)).isoformat()
    assert data["answers_per_intent"]["sciatica_causes"] == 3
    assert data["answers_per_intent"]["red_flags"] == 1
    assert data["answers_per_intent"]["trigger_point_4"] == 3
    assert data["totals"]["buttons"] == 3 and data["totals"]["typed"] == 9
    assert [d["red_flags"] for d in data["days"]] == [0, 1, 0]
    assert data["days"][0]["fallback_rate"] == pytest.approx(100 / 3, abs=0.1)
    groups = data["unanswered_groups"]
    knitting = groups[0]
    assert knitting["size"] == 3 and "knit" in knitting["example"]
    assert all("knit" in q for q in knitting["questions"])
    assert any("purple zebra" in g["example"] for g in groups[1:])
    assert json.loads(json.dumps(data)) == data

    text = report.to_text()
    assert "Answers per intent" in text and "sciatica_causes" in text
    assert "x3" in text and "knit" in text
    assert "bladder" not in text


def test_report_of_an_empty_database(store: Store):
    text = build_report(store, days=30).to_text()
    assert "(no messages)" in text and "(none)" in text


def test_group_questions_merges_days_and_suggests_the_common_intent():
    rows = [
        UnansweredRow(DAY, "does massage help a slipped disc", "fallback", "massage", 55.0, 2),
        UnansweredRow(DAY, "does massage help slipped discs", "fallback", "massage", 52.0, 1),
        UnansweredRow(DAY, "what are your opening hours", "fallback", "find_therapist", 40.0, 1),
        UnansweredRow(
            DAY + dt.timedelta(days=1),
            "does massage help a slipped disc",
            "fallback",
            None,
            None,
            1,
        ),
    ]
    groups = group_questions(rows)
    assert [g.size for g in groups] == [4, 1]
    assert groups[0].example == "does massage help a slipped disc"
    assert groups[0].suggested_intent == "massage"
    assert groups[1].suggested_intent == "find_therapist"


def test_cli_report_json(tmp_path: Path, seeded: Store):
    seeded.close()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--days", "36500", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "DATABASE_PATH": str(tmp_path / "seeded.sqlite3")},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["messages"] == 12
    assert data["unanswered_groups"][0]["size"] == 3


# --------------------------------------------------------------------------------------
# a failing database never costs the person the answer
# --------------------------------------------------------------------------------------


def _database_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "could not write the database" in r.message]


def test_disk_full_answers_anyway_and_logs_once(
    tmp_path: Path, dialogue: Dialogue, caplog: pytest.LogCaptureFixture
):
    store = Store(tmp_path / "full.sqlite3")
    service = ChatService(dialogue, store)
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
    questions = [f"question {n} about my purple elbow " + "x" * 250 for n in range(40)]
    for number in range(400):  # enough new chats to fill the file
        text = questions[number % len(questions)]
        assert service.message(f"telegram:{number}", text) == dialogue.handle(ChatState(), text)[0]
    service.tidy()  # the batch of unanswered questions cannot be written either
    errors = _database_errors(caplog)
    assert len(errors) == 1 and "full" in errors[0]

    store._db.execute("PRAGMA max_page_count = 1000000")
    service.message("telegram:1", "what causes sciatica")
    assert "the database works again" in caplog.text
    assert store.state("telegram:1").last_intent == "sciatica_causes"
    store.close()


def test_a_flapping_database_logs_its_error_once_in_a_while(
    tmp_path: Path,
    dialogue: Dialogue,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
):
    """A nearly full disk lets a small write through now and then: the error is logged once,
    each new failure soon after only as a warning, and again as an error once the quiet time
    has passed."""
    store = Store(tmp_path / "flap.sqlite3")
    service = ChatService(dialogue, store)
    save = service.store.save
    failing = True

    def flaky(chat: str, turn: object) -> None:
        if failing:
            raise sqlite3.OperationalError("database or disk is full")
        save(chat, turn)  # type: ignore[arg-type]

    monkeypatch.setattr(service.store, "save", flaky)
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    for flaps in range(3):
        failing = True
        service.message(f"telegram:{flaps}", "what causes sciatica")
        failing = False
        service.message(f"telegram:{flaps}", "what causes sciatica")
        clock[0] += 60
    assert len(_database_errors(caplog)) == 1
    assert caplog.text.count("the database failed again") == 2
    assert caplog.text.count("the database works again") == 3
    clock[0] += STORE_ERROR_QUIET_SECONDS
    failing = True
    service.message("telegram:9", "what causes sciatica")
    assert len(_database_errors(caplog)) == 2
    store.close()


def test_locked_database_answers_anyway_and_logs_once(
    tmp_path: Path, dialogue: Dialogue, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "locked.sqlite3"
    store = Store(path, busy_timeout=0.05)
    # No cool-down: the last press, after the lock is gone, must reach the store at once.
    service = ChatService(dialogue, StoreGate(store, cool_down=0))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # an operator's shell holding the lock
    try:
        for _ in range(5):
            reply = service.press("telegram:1", "sciatica_causes")
            assert reply.intent == "sciatica_causes"
        errors = _database_errors(caplog)
        assert len(errors) == 1 and "locked" in errors[0]
        refused = service.command("telegram:1", "forget")
        assert refused.text.startswith("That failed and nothing was changed")
    finally:
        other.execute("ROLLBACK")
        other.close()
    service.press("telegram:1", "piriformis_syndrome")
    assert store.state("telegram:1") == ChatState("piriformis_syndrome")
    store.close()


async def test_a_running_bot_purges_on_time_even_when_idle(
    tmp_path: Path, dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(telegram_app, "HOUSEKEEPING_SECONDS", 0.01)
    clock = Clock(DAY)
    store = Store(tmp_path / "idle.sqlite3", today=clock)
    store.save("telegram:1", Turn("typed", "fallback", unanswered="a question about elbows"))
    app = build_application(
        Settings(telegram_token=TOKEN),
        ChatService(dialogue, store),
        request=FakeRequest(FakeBotApi()),
    )
    await app.initialize()
    assert app.post_init is not None and app.post_shutdown is not None
    await app.post_init(app)
    try:
        await asyncio.sleep(0.1)
        assert store.counts()["unanswered"] == 1
        clock.day = DAY + dt.timedelta(days=31)  # nobody writes; the hourly check purges
        for _ in range(200):
            await asyncio.sleep(0.01)
            if store.counts() == {"chats": 0, "daily_stats": 1, "unanswered": 0}:
                break
        assert store.counts() == {"chats": 0, "daily_stats": 1, "unanswered": 0}
    finally:
        await app.shutdown()
        await app.post_shutdown(app)
    assert "tasks" not in app.bot_data
    store.close()
