"""Shared fixtures: the bundled content, its dialogue and its safety screen, loaded once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.content import Content, load_content
from bot.dialogue import Dialogue
from bot.safety import SafetyScreen

ROOT = Path(__file__).resolve().parent.parent

# Bots the fault and start-up tests start as separate processes leave voice notes off (the
# speech model would load in each); the system tests (tests/system) start `run` with a clean
# environment, so voice is on there as it is for a clinic with the extra installed.
os.environ.setdefault("VOICE", "off")


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(ROOT / "intents", ROOT / "responses")


@pytest.fixture(scope="session")
def dialogue(content: Content) -> Dialogue:
    return Dialogue(content)


@pytest.fixture(scope="session")
def screen(content: Content) -> SafetyScreen:
    return SafetyScreen.from_content(content)


@pytest.fixture()
def content_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the content folders, for tests that break it on purpose."""
    intents = tmp_path / "intents"
    responses = tmp_path / "responses"
    shutil.copytree(ROOT / "intents", intents)
    shutil.copytree(ROOT / "responses", responses)
    return intents, responses
