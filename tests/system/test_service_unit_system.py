"""``deploy/sciatica-bot.service``: the settings it needs, and only settings systemd knows."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from locations import REPO

UNIT = REPO / "deploy" / "sciatica-bot.service"
DIRECTIVES_MAN_PAGE = Path("/usr/share/man/man7/systemd.directives.7.gz")
"""systemd.directives(7): the index of every directive of every systemd unit and
configuration file, installed with systemd's manual pages (Debian: ``systemd``)."""


def parse_unit(text: str) -> list[tuple[str, str, str]]:
    """``(section, key, value)`` for every setting, in order (keys may repeat)."""
    settings: list[tuple[str, str, str]] = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, equals, value = line.partition("=")
        assert equals, f"not a setting: {raw!r}"
        settings.append((section, key.strip(), value.strip()))
    return settings


def known_directives() -> set[str]:
    """Every directive named in systemd.directives(7)."""
    page = gzip.decompress(DIRECTIVES_MAN_PAGE.read_bytes()).decode("utf-8", "replace")
    return set(re.findall(r"\\fI([A-Za-z][A-Za-z0-9]*)=\\fR", page))


def test_the_unit_runs_the_bot_hardened_with_its_own_state_folder():
    settings = parse_unit(UNIT.read_text())
    values: dict[str, list[str]] = {}
    for _, key, value in settings:
        values.setdefault(key, []).append(value)
    one = {key: found[-1] for key, found in values.items()}
    assert one["ExecStart"].endswith("/sciatica-bot run")
    assert one["DynamicUser"] == "yes"
    state = one["StateDirectory"]
    database = [v for v in values["Environment"] if v.startswith("DATABASE_PATH=")]
    assert database == [f"DATABASE_PATH=/var/lib/{state}/sciatica-bot.sqlite3"]
    assert one["EnvironmentFile"] == "/etc/sciatica-bot/env"
    assert one["Restart"] == "on-failure"
    assert int(one["StartLimitBurst"]) >= 1 and int(one["StartLimitIntervalSec"]) > 0
    # exit 3 (Telegram unreachable) is worth a restart; 1, 2, 4 and 5 are not
    assert one["RestartPreventExitStatus"].split() == ["1", "2", "4", "5"]
    assert one["ExecReload"] == "/bin/kill -HUP $MAINPID"  # content reload (SIGHUP)
    # /etc/sciatica-bot readable by the throw-away user: the content lives there
    assert one["ConfigurationDirectory"] == "sciatica-bot"
    assert one["ConfigurationDirectoryMode"] == "0755"
    assert one["KillSignal"] == "SIGTERM"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "RestrictSUIDSGID": "yes",
        "CapabilityBoundingSet": "",
        "UMask": "0077",
    }.items():
        assert one[key] == value, key
    sections = {section for section, _, _ in settings}
    assert sections == {"Unit", "Service", "Install"}


@pytest.mark.skipif(
    not DIRECTIVES_MAN_PAGE.is_file(), reason="systemd.directives(7) is not installed here"
)
def test_every_setting_the_unit_names_is_a_systemd_directive():
    known = known_directives()
    assert {"ExecStart", "ProtectSystem", "StateDirectory", "StartLimitBurst"} <= known
    assert "ProtectEverything" not in known  # the list can say no
    unknown = sorted({key for _, key, _ in parse_unit(UNIT.read_text())} - known)
    assert unknown == []


def _verify(unit: Path) -> str:
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed (Debian: apt-get install systemd)",
)
def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    # verify insists that ExecStart exists: point it at this environment's sciatica-bot
    bot = Path(sys.executable).parent / "sciatica-bot"
    assert bot.is_file(), "sciatica-bot is not installed next to this Python"
    text = UNIT.read_text().replace("/opt/sciatica-bot/bin/sciatica-bot", str(bot))
    unit = tmp_path / "sciatica-bot.service"
    unit.write_text(text)
    complaints = re.compile(r"Unknown (key|section|lvalue)|Failed to parse|[Ii]nvalid")
    output = _verify(unit)
    assert not complaints.search(output), output

    # the same check catches a setting systemd does not know
    unit.write_text(text.replace("[Service]\n", "[Service]\nProtectEverything=yes\n"))
    assert complaints.search(_verify(unit))


def test_doctor_as_service_reads_the_unit_as_shipped():
    """``doctor --as-service`` falls back on the shipped unit's settings when none is
    installed: they must be the file's."""
    from bot.doctor import SHIPPED_UNIT, read_unit

    read = read_unit(UNIT.read_text(), "shipped")
    assert read == SHIPPED_UNIT
    assert read.user == "nobody"  # DynamicUser=yes: checked as a user that owns nothing
