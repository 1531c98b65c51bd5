"""Settings (``bot/settings.py``): what is read, from where, and what a bad value says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from locations import REPO

from bot import settings as settings_module
from bot import voice
from bot.settings import (
    PROJECT_ROOT,
    SETTING_NAMES,
    Settings,
    SettingsError,
    bundled_content_dir,
    default_database_path,
    load_settings,
    read_environment,
)

FAKE_TOKEN = "123456:AAFakeTokenForTheSettingsTest_abcdefghij"


def test_a_checkout_reads_its_own_content_and_keeps_data_in_it():
    assert settings_module.from_checkout()
    assert bundled_content_dir() == PROJECT_ROOT == REPO
    loaded = load_settings({})
    assert loaded.intents_dir == REPO / "intents"
    assert loaded.responses_dir == REPO / "responses"
    assert loaded.database_path == str(REPO / "data" / "sciatica-bot.sqlite3")
    assert Settings().intents_dir == loaded.intents_dir


def test_content_dir_holds_both_folders_and_the_two_settings_still_win(tmp_path):
    loaded = load_settings({"CONTENT_DIR": str(tmp_path)})
    assert (loaded.intents_dir, loaded.responses_dir) == (
        tmp_path / "intents",
        tmp_path / "responses",
    )
    own = load_settings({"CONTENT_DIR": str(tmp_path), "INTENTS_DIR": "/srv/intents"})
    assert own.intents_dir == Path("/srv/intents")
    assert own.responses_dir == tmp_path / "responses"
    only = load_settings({"RESPONSES_DIR": "/srv/responses"})
    assert only.intents_dir == REPO / "intents"
    assert only.responses_dir == Path("/srv/responses")


def test_installed_database_goes_to_the_state_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(settings_module, "from_checkout", lambda: False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    state = tmp_path / "state"
    expected = state / "sciatica-bot" / "sciatica-bot.sqlite3"
    assert default_database_path({"XDG_STATE_HOME": str(state)}) == expected
    home_default = tmp_path / "home" / ".local" / "state" / "sciatica-bot" / "sciatica-bot.sqlite3"
    assert default_database_path({}) == home_default
    # the XDG rules: a relative XDG_STATE_HOME is ignored
    assert default_database_path({"XDG_STATE_HOME": "relative/state"}) == home_default
    assert load_settings({"XDG_STATE_HOME": str(state)}).database_path == str(expected)
    assert load_settings({"DATABASE_PATH": "/srv/bot.db"}).database_path == "/srv/bot.db"


def test_every_setting_is_listed_in_env_example_and_the_readme():
    source = (REPO / "bot" / "settings.py").read_text()
    read = set(re.findall(r'(?:text|_float|_int|_url|env\.get)\((?:env, )?"([A-Z_]+)"', source))
    read.discard("XDG_STATE_HOME")  # where the database goes by default, not a setting
    assert read == set(SETTING_NAMES)
    example = (REPO / ".env.example").read_text()
    readme = (REPO / "README.md").read_text()
    settings_table = readme[readme.index("## Settings") : readme.index("## Putting it on Telegram")]
    for name in SETTING_NAMES:
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), name
        assert f"`{name}`" in settings_table, name


def test_startup_timeout_setting():
    assert load_settings({}).startup_timeout == 60
    assert load_settings({"STARTUP_TIMEOUT": "2.5"}).startup_timeout == 2.5
    with pytest.raises(SettingsError, match="STARTUP_TIMEOUT"):
        load_settings({"STARTUP_TIMEOUT": "soon"})
    with pytest.raises(SettingsError, match="STARTUP_TIMEOUT"):
        load_settings({"STARTUP_TIMEOUT": "-1"})


def test_voice_setting():
    assert load_settings({"VOICE": "off"}).voice == "off"
    assert load_settings({"VOICE": "on"}).voice == "on"
    assert load_settings({}).voice == "auto"  # decided where the bot starts, not here
    assert load_settings({"VOICE": "Auto"}).voice == "auto"
    assert voice.wanted("auto") is voice.available()
    assert voice.wanted("on") and not voice.wanted("off")
    with pytest.raises(SettingsError, match="VOICE"):
        load_settings({"VOICE": "maybe"})


def test_staff_chat_id_is_read_and_checked():
    assert load_settings({}).staff_chat_id is None
    assert load_settings({"STAFF_CHAT_ID": " -1001234567890 "}).staff_chat_id == -1001234567890
    with pytest.raises(SettingsError, match="whole number such as -1001234567890"):
        load_settings({"STAFF_CHAT_ID": "@clinic_staff"})
    with pytest.raises(SettingsError, match="starts with a minus sign"):
        load_settings({"STAFF_CHAT_ID": "1234"})


def test_an_empty_token_in_the_environment_does_not_hide_the_one_in_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={FAKE_TOKEN}\nCLINIC_NAME=From dotenv\n")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("CLINIC_NAME", "From the environment")
    settings = load_settings(read_environment(env_file))
    assert settings.telegram_token == FAKE_TOKEN
    assert settings.clinic.name == "From the environment"  # a real value still wins


@pytest.mark.parametrize(
    ("env_value", "dotenv", "said"),
    [("", "", "is empty"), (None, "", "is not set"), (" ", "TELEGRAM_BOT_TOKEN=\n", "is empty")],
)
def test_the_missing_token_message_says_empty_or_not_set_truthfully(
    tmp_path: Path, env_value: str | None, dotenv: str, said: str
):
    (tmp_path / ".env").write_text(dotenv)
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    if env_value is not None:
        env["TELEGRAM_BOT_TOKEN"] = env_value
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "DATABASE_PATH": ":memory:"},
        timeout=60,
    )
    assert result.returncode == 2
    assert f"TELEGRAM_BOT_TOKEN {said}" in result.stderr
    assert result.stderr.count("\n") == 1
