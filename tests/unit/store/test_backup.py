"""``sciatica-bot backup PATH``: a consistent copy while the database is being written to."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import SCHEMA_VERSION, Store


@pytest.fixture
def database(tmp_path, monkeypatch) -> Path:
    """The bot's database (created by the store), with the CLI pointed at it."""
    path = tmp_path / "bot.sqlite3"
    Store(path).close()
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_PATH", str(path))
    return path


class Writer(threading.Thread):
    """Writes to the database without pause: each transaction adds row ``i`` to two tables."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.written = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("CREATE TABLE IF NOT EXISTS left_side (i INTEGER PRIMARY KEY, pad TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS right_side (i INTEGER PRIMARY KEY, pad TEXT)")
            while not self.stop.is_set():
                i = self.written + 1
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT INTO left_side VALUES (?, ?)", (i, "x" * 500))
                db.execute("INSERT INTO right_side VALUES (?, ?)", (i, "y" * 500))
                db.execute("COMMIT")
                self.written = i
            db.close()
        except BaseException as exc:  # reported by the test
            self.error = exc


def _check_copy(path: Path) -> int:
    """The copy is whole: integrity ok, the bot's schema, both tables at the same row."""
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        left = [r[0] for r in db.execute("SELECT i FROM left_side ORDER BY i")]
        right = [r[0] for r in db.execute("SELECT i FROM right_side ORDER BY i")]
    finally:
        db.close()
    assert left == right == list(range(1, len(left) + 1))
    return len(left)


def test_backup_while_the_database_is_written_to_is_consistent(database, tmp_path, capsys):
    writer = Writer(database)
    writer.start()
    deadline = time.monotonic() + 30
    while writer.written < 200:
        assert writer.error is None and time.monotonic() < deadline, writer.error
        time.sleep(0.01)
    copies: list[int] = []
    try:
        for n in range(5):
            target = tmp_path / f"copy-{n}.sqlite3"
            assert main(["backup", str(target)]) == 0
            copies.append(_check_copy(target))
            assert stat.S_IMODE(target.stat().st_mode) == 0o600
            time.sleep(0.05)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    assert copies == sorted(copies) and copies[0] >= 200
    assert copies[-1] > copies[0], "the writer was not writing during the backups"
    assert writer.written >= copies[-1]
    out = capsys.readouterr().out
    assert out.count("integrity ok") == 5
    assert not list(tmp_path.glob(".*.partial"))


def test_backup_refuses_to_overwrite_without_force(database, tmp_path, capsys):
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"yesterday's backup")
    assert main(["backup", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert target.read_bytes() == b"yesterday's backup"

    assert main(["backup", "--force", str(target)]) == 0
    db = sqlite3.connect(target)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


@pytest.mark.parametrize(
    ("database_path", "target", "said"),
    [
        ("missing.sqlite3", "copy.sqlite3", "does not exist"),
        (":memory:", "copy.sqlite3", "nothing on disk"),
        (None, "bot.sqlite3", "the database itself"),
        (None, "no-such-folder/copy.sqlite3", "create the folder"),
        (None, ".", "is a folder"),
    ],
)
def test_backup_mistakes_get_one_line_and_exit_2(
    database, tmp_path, monkeypatch, capsys, database_path, target, said
):
    if database_path:
        monkeypatch.setenv("DATABASE_PATH", database_path)
    before = database.read_bytes()
    assert main(["backup", "--force", target]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err and "Traceback" not in err
    assert database.read_bytes() == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", "-mj0123abcd"])
def test_backup_refuses_sqlite_files_beside_the_database(database, tmp_path, capsys, suffix):
    """Writing a backup over the live -wal/-shm/-journal would corrupt the database."""
    db = sqlite3.connect(database)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE IF NOT EXISTS kept (i INTEGER)")
    db.execute("INSERT INTO kept VALUES (1)")
    db.commit()
    target = Path(f"{database}{suffix}")
    existed = target.exists()
    before = target.read_bytes() if existed else b""
    assert main(["backup", "--force", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "choose another path" in err and "Traceback" not in err
    assert target.exists() == existed and (not existed or target.read_bytes() == before)
    assert db.execute("SELECT count(*) FROM kept").fetchone()[0] == 1
    db.close()


def test_backup_refuses_every_spelling_of_the_database_files(database, tmp_path, capsys):
    """A relative path with ``..``, and a symbolic link elsewhere that points at the -wal."""
    (tmp_path / "sub").mkdir()
    elsewhere = tmp_path / "sub" / "innocent.sqlite3"
    elsewhere.symlink_to(Path(f"{database}-wal"))
    for target in (f"sub/../{database.name}-wal", f"./{database.name}", str(elsewhere)):
        assert main(["backup", "--force", target]) == 2, target
        err = capsys.readouterr().err
        assert "choose another path" in err and "Traceback" not in err
    # A name merely starting like the database's is a fine place for a copy.
    assert main(["backup", str(tmp_path / f"{database.name}.bak")]) == 0
