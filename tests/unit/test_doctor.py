"""``sciatica-bot doctor`` against the loopback fake Bot API."""

from __future__ import annotations

import io
import json
import logging
import re
import resource
import shutil
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import TOKEN, FakeBotApi, FakeBotApiServer, free_port
from locations import REPO

from bot.cli import main
from bot.doctor import doctor, redact
from bot.settings import unquoted_hashes
from bot.store import SCHEMA_VERSION, Store

WEBHOOK = "https://bot.example.org"
SECRET = "doctor-webhook_secret-0123456789"


class WebhookApi(FakeBotApi):
    """A fake whose ``getWebhookInfo`` reports a registered webhook and its last error."""

    def __init__(self, *, error_age: float | None, url: str = f"{WEBHOOK}/telegram") -> None:
        super().__init__()
        self.error_age = error_age
        self.url = url

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": 7,
        }
        if self.error_age is not None:
            info["last_error_date"] = int(time.time() - self.error_age)
            info["last_error_message"] = "Wrong response from the webhook: 502 Bad Gateway"
        return info


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(FakeBotApi()) as fake:
        yield fake


def _env(tmp_path: Path, base_url: str, **extra: str) -> dict[str, str]:
    database = tmp_path / "bot.sqlite3"
    if not database.exists():
        Store(database).close()
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "DATABASE_PATH": str(database),
        "CLINIC_NAME": "Back in Balance",
        "CLINIC_PHONE": "+44 20 7946 0000",
        **extra,
    }


def _doctor(env: dict[str, str], as_json: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    code = doctor(as_json=as_json, env=env, out=out)
    text = out.getvalue()
    assert TOKEN not in text
    assert SECRET not in text
    assert "Traceback" not in text
    return code, text


def _checks(env: dict[str, str]) -> tuple[int, dict[str, dict[str, Any]]]:
    code, text = _doctor(env, as_json=True)
    report = json.loads(text)
    assert report["ok"] is (code == 0)
    return code, {c["name"]: c for c in report["checks"]}


def test_all_well_exits_0_and_shows_one_screen(server, tmp_path):
    code, text = _doctor(_env(tmp_path, server.base_url))
    assert code == 0, text
    assert text.rstrip().endswith("all well")
    assert "TELEGRAM_BOT_TOKEN=123456789:<redacted>" in text
    assert "@clinic_test_bot" in text
    assert f"schema {SCHEMA_VERSION}, writable" in text
    assert "polling; 0 update(s) waiting" in text
    assert "set: CLINIC_NAME, CLINIC_PHONE; not set: CLINIC_BOOKING_URL" in text
    assert [c.method for c in server.api.calls] == ["getMe", "getWebhookInfo"]

    code, checks = _checks(_env(tmp_path, server.base_url))
    assert code == 0
    assert list(checks) == [
        "settings",
        "content",
        "database",
        "files",
        "telegram",
        "updates",
        "clinic",
        "voice",
    ]
    assert {c["status"] for c in checks.values()} == {"ok"}
    assert checks["telegram"]["details"]["username"] == "clinic_test_bot"
    assert checks["database"]["details"]["schema_version"] == SCHEMA_VERSION
    assert checks["database"]["details"]["bytes"] > 0
    assert checks["clinic"]["details"]["not_set"] == [
        "CLINIC_BOOKING_URL",
        "CLINIC_ADDRESS",
        "CLINIC_HOURS",
    ]


def test_wrong_token_exits_2(server, tmp_path):
    wrong = "987654321:AAWrongTokenForTheDoctorTest_abcdefg"
    code, checks = _checks(_env(tmp_path, server.base_url, TELEGRAM_BOT_TOKEN=wrong))
    assert code == 2
    assert checks["telegram"]["status"] == "problem"
    assert "rejected" in checks["telegram"]["summary"]
    assert wrong not in json.dumps(checks)
    assert checks["settings"]["details"]["set"]["TELEGRAM_BOT_TOKEN"] == "987654321:<redacted>"


def test_unreachable_api_exits_2(tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    code, text = _doctor(_env(tmp_path, nowhere))
    assert code == 2
    assert "problem  telegram  cannot reach the Bot API at " + nowhere in text
    assert "needs attention: telegram" in text


def test_webhook_with_a_recent_delivery_error_exits_2(tmp_path):
    api = WebhookApi(error_age=120)
    with FakeBotApiServer(api) as server:
        env = _env(tmp_path, server.base_url, WEBHOOK_URL=WEBHOOK, WEBHOOK_SECRET=SECRET)
        code, checks = _checks(env)
    assert code == 2
    updates = checks["updates"]
    assert updates["status"] == "problem"
    assert updates["details"]["mode"] == "webhook"
    assert updates["details"]["pending_updates"] == 7
    assert updates["details"]["last_error"] == "Wrong response from the webhook: 502 Bad Gateway"
    assert updates["details"]["last_error_at"]
    assert "last delivery error 2 min ago" in updates["summary"]
    assert checks["settings"]["details"]["set"]["WEBHOOK_SECRET"] == "<redacted>"


def test_webhook_with_an_old_error_is_a_note_and_a_wrong_url_a_problem(tmp_path):
    with FakeBotApiServer(WebhookApi(error_age=2 * 86400)) as server:
        env = _env(tmp_path, server.base_url, WEBHOOK_URL=WEBHOOK, WEBHOOK_SECRET=SECRET)
        code, checks = _checks(env)
    assert code == 0
    assert checks["updates"]["status"] == "note"
    assert "2880 min ago" in checks["updates"]["summary"]

    elsewhere = WebhookApi(error_age=None, url="https://old.example.org/telegram")
    with FakeBotApiServer(elsewhere) as server:
        env = _env(tmp_path, server.base_url, WEBHOOK_URL=WEBHOOK, WEBHOOK_SECRET=SECRET)
        code, checks = _checks(env)
    assert code == 2
    assert "https://old.example.org/telegram instead" in checks["updates"]["summary"]


def test_missing_token_malformed_setting_and_broken_content(server, tmp_path):
    code, checks = _checks(_env(tmp_path, server.base_url, TELEGRAM_BOT_TOKEN=""))
    assert code == 2 and checks["telegram"]["status"] == "problem"
    assert "not set" in checks["telegram"]["summary"]

    code, checks = _checks(_env(tmp_path, server.base_url, RETENTION_DAYS="forever"))
    assert code == 2 and list(checks) == ["settings"]
    assert "RETENTION_DAYS" in checks["settings"]["summary"]

    content = tmp_path / "content"
    shutil.copytree(REPO / "intents", content / "intents")
    shutil.copytree(REPO / "responses", content / "responses")
    (content / "responses" / "answers.yml").write_text("responses: [unclosed\n")
    code, checks = _checks(_env(tmp_path, server.base_url, CONTENT_DIR=str(content)))
    assert code == 2 and checks["content"]["status"] == "problem"
    assert checks["content"]["details"]["intents_dir"] == str(content / "intents")
    assert any("answers.yml" in p for p in checks["content"]["details"]["problems"])


def test_database_not_yet_created_and_from_a_newer_version(server, tmp_path):
    fresh = tmp_path / "state" / "sciatica-bot" / "bot.sqlite3"
    code, checks = _checks(_env(tmp_path, server.base_url, DATABASE_PATH=str(fresh)))
    assert code == 0 and checks["database"]["status"] == "note"
    assert not fresh.exists()  # the doctor changes nothing

    newer = tmp_path / "newer.sqlite3"
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    code, checks = _checks(_env(tmp_path, server.base_url, DATABASE_PATH=str(newer)))
    assert code == 2 and "newer version" in checks["database"]["summary"]


def test_cli_doctor_json_reads_the_environment(server, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, value in _env(tmp_path, server.base_url).items():
        monkeypatch.setenv(name, value)
    assert main(["doctor", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["ok"] is True
    assert TOKEN not in out


def test_redact_keeps_only_the_bot_id():
    assert redact(TOKEN) == "123456789:<redacted>"
    assert redact("no-colon-secret") == "<redacted>"
    assert redact("") == ""


STAFF = -1001234567890


def test_the_staff_group_is_checked_only_when_set(server, tmp_path):
    server.api.chat(STAFF, "supergroup")
    bot_id = server.api.bot_user["id"]
    env = _env(tmp_path, server.base_url, STAFF_CHAT_ID=str(STAFF))
    code, checks = _checks(env)
    assert code == 0 and checks["staff"]["status"] == "ok", checks["staff"]
    assert [c.params.get("user_id") for c in server.api.calls_to("getChatMember")] == [bot_id]

    server.api.set_member(STAFF, bot_id, "kicked")  # the clinic removed the bot
    code, checks = _checks(env)
    assert code == 2 and checks["staff"]["status"] == "problem"
    assert "not in the staff group" in checks["staff"]["summary"]

    wrong = _env(tmp_path, server.base_url, STAFF_CHAT_ID="-100999")  # no such group
    code, checks = _checks(wrong)
    assert code == 2 and "chat not found" in checks["staff"]["summary"].lower()

    code, checks = _checks(_env(tmp_path, server.base_url))
    assert code == 0 and "staff" not in checks


@pytest.mark.parametrize(
    ("voice", "status", "said"),
    [("off", "note", "voice notes off (VOICE=off)"), ("on", "ok", "voice notes on")],
)
def test_doctor_says_whether_voice_notes_are_on(
    server: FakeBotApiServer, tmp_path: Path, voice: str, status: str, said: str
):
    pytest.importorskip("faster_whisper")
    code, checks = _checks(_env(tmp_path, server.base_url, VOICE=voice))
    assert code == 0
    assert checks["voice"]["status"] == status
    assert checks["voice"]["summary"].startswith(said)


def test_a_value_cut_at_an_unquoted_hash_is_a_problem_and_named(
    server: FakeBotApiServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
):
    """python-dotenv reads ``Unit #4, 12 High Street`` as ``Unit``: doctor must not say
    "all well" about it, and start-up warns in one line."""
    env = _env(tmp_path, server.base_url)
    lines = [f"{key}={value}" for key, value in env.items() if key != "CLINIC_NAME"]
    lines += [
        "CLINIC_ADDRESS=Unit #4, 12 High Street",
        'CLINIC_HOURS="Mon-Fri 9-18 # Sat by appointment"',
        "CLINIC_NAME=Back in Balance",
    ]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n")
    for key in env:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["doctor", "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    settings = next(c for c in report["checks"] if c["name"] == "settings")
    assert settings["status"] == "problem"
    assert settings["summary"].endswith("cut at an unquoted ' #': CLINIC_ADDRESS")
    assert settings["details"]["set"]["CLINIC_ADDRESS"] == "Unit"  # what the bot would use
    assert settings["details"]["set"]["CLINIC_HOURS"] == "Mon-Fri 9-18 # Sat by appointment"
    assert [p.split(": ")[0] for p in settings["details"]["problems"]] == [
        f"{tmp_path / '.env'}:{len(lines) - 2}"
    ]

    caplog.clear()
    assert main(["check"]) == 0
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "CLINIC_ADDRESS has an unquoted ' #'" in warned[0]
    assert "12 High Street" not in warned[0]  # the value itself is never logged


def test_env_example_quotes_every_value_with_spaces():
    example = REPO / ".env.example"
    assert unquoted_hashes(example) == []
    assigned = 0
    for line in example.read_text().splitlines():
        match = re.match(r"^#? ?([A-Z_]+)=(.*)$", line)
        if match is None:
            continue
        assigned += 1
        value = match.group(2)
        if " " in value or "#" in value:
            assert value.startswith('"') and value.endswith('"'), line
    assert assigned >= 20


def test_unquoted_hashes_finds_only_values_a_reader_would_cut(tmp_path: Path):
    env_file = tmp_path / "env"
    env_file.write_text(
        "# a comment # with hashes\n"
        "CLINIC_ADDRESS=Unit #4, 12 High Street\n"
        'CLINIC_NAME="Back #1 in Balance"\n'
        "CLINIC_PHONE='+44 # 20'\n"
        "CLINIC_BOOKING_URL=https://example.org/book#today\n"
        "export CLINIC_HOURS=Mon-Fri\t# Sat by appointment\n"
    )
    assert unquoted_hashes(env_file) == [(2, "CLINIC_ADDRESS"), (6, "CLINIC_HOURS")]
    assert unquoted_hashes(tmp_path / "missing") == []


def test_doctor_says_what_the_open_file_limit_allows(monkeypatch):
    """``doctor`` reports the limit, what the bot raises it to at start and, for a webhook,
    the connection cap (a note when the hard limit keeps it low)."""
    from bot.doctor import check_files
    from bot.settings import Settings

    monkeypatch.setattr(resource, "getrlimit", lambda _which: (1024, 524288))
    check = check_files(Settings(webhook_url="https://example.org"))
    assert check.status == "ok"
    assert "soft limit 1024, raised to 4096 at start" in check.summary
    assert "at most 1000 webhook connections" in check.summary
    monkeypatch.setattr(resource, "getrlimit", lambda _which: (256, 256))
    check = check_files(Settings(webhook_url="https://example.org"))
    assert check.status == "note" and "at most 192 webhook connections" in check.summary
