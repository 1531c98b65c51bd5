"""Copies of the database, safe while the bot writes to it (SQLite's online backup API)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.store.schema import MEMORY, StoreError


def _refuse_database_files(source: Path, target: Path) -> None:
    """Refuse a backup target that is the database or one of SQLite's files beside it.

    The target is resolved first (symbolic links, ``..``, a relative path), so no spelling
    reaches the live files: in the database's folder, its own name and any name made of its
    name, a dash and more (``-wal``, ``-shm``, ``-journal``, the ``-mj…`` super-journals)
    are refused.

    Raises:
        StoreError: ``target`` is one of those files.
    """
    database = source.resolve()
    landing = target.resolve()  # follows a link, even one pointing at a file not yet there
    for place in {landing, target.parent.resolve() / target.name}:
        if place.parent != database.parent:
            continue
        if place.name == database.name:
            raise StoreError(f"{target} is the database itself; choose another path")
        if place.name.startswith(f"{database.name}-"):
            raise StoreError(
                f"{target} is one of SQLite's files beside the database "
                f"({place.name.removeprefix(database.name)}); choose another path"
            )


BACKUP_STEP_PAGES = 4096
"""Pages copied per step when a backup reports its progress (16 MiB of 4 KiB pages)."""


def backup(
    source: str | Path,
    target: str | Path,
    *,
    force: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> int:
    """Copy the database with SQLite's online backup API, safe while the bot writes to it.

    The copy is written next to ``target`` under a temporary name, checked with
    ``PRAGMA integrity_check`` and only then moved into place, so ``target`` is never left
    half-written. Like the database, it is readable by its owner only.

    Args:
        source: The database (``DATABASE_PATH``).
        target: Where the copy goes.
        force: Replace ``target`` when it exists.
        progress: Called with (pages copied, pages in all) after each step of
            :data:`BACKUP_STEP_PAGES` pages; without it the copy is one step.

    Returns:
        The size of the copy in bytes.

    Raises:
        StoreError: nothing to copy, ``target`` exists (without ``force``) or cannot be
            written, or the copy failed its integrity check.
    """
    source_path, target_path = Path(source), Path(target)
    if str(source) == MEMORY:
        raise StoreError("DATABASE_PATH is :memory:; there is nothing on disk to back up")
    if not source_path.is_file():
        raise StoreError(f"DATABASE_PATH {source} does not exist; nothing to back up")
    _refuse_database_files(source_path, target_path)
    if target_path.exists():
        if target_path.is_dir():
            raise StoreError(f"{target} is a folder; give the backup's file name")
        if not force:
            raise StoreError(f"{target} already exists; add --force to replace it")
    if not target_path.parent.is_dir():
        raise StoreError(f"{target_path.parent} does not exist; create the folder first")
    partial = target_path.with_name(f".{target_path.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        # Read-only: the backup never changes the database it copies.
        src = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            dst = sqlite3.connect(partial)
            try:
                if progress is None:
                    src.backup(dst)  # all pages in one step: one consistent snapshot
                else:  # SQLite restarts the copy if the bot writes between two steps
                    src.backup(
                        dst,
                        pages=BACKUP_STEP_PAGES,
                        sleep=0,
                        progress=lambda _, left, total: progress(total - left, total),
                    )
                verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":
            raise StoreError(f"the copy of {source} failed its integrity check: {verdict}")
        os.replace(partial, target_path)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(f"backup of {source} to {target} failed: {reason}") from None
    finally:
        partial.unlink(missing_ok=True)
    return target_path.stat().st_size
