"""``sciatica-bot report --html FILE``: one self-contained page whose figures are those of
``report --json``, with the same privacy."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from harness import subprocess_env
from report_demo import CHAT_IDS, seed

from bot.report import build_report
from bot.report_html import MAX_GROUPS, render_html
from bot.store import Store


class Page(HTMLParser):
    """Every element with its attributes, the chart each sits in, and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], str | None]] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self._chart: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if tag == "svg":
            self._chart = found.get("data-chart")
        self.elements.append((tag, found, self._chart))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._chart = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def in_chart(self, chart: str, tag: str) -> list[dict[str, str]]:
        return [a for t, a, c in self.elements if c == chart and t == tag and "data-value" in a]

    def total(self, key: str) -> dict[str, str]:
        (found,) = [a for _, a, _ in self.elements if a.get("data-total") == key]
        return found


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "bot.sqlite3"
    seed(path, days=30)
    return path


def _cli(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", "--days", "30", *args],
        capture_output=True,
        text=True,
        cwd=database.parent,
        env=subprocess_env(database.parent, DATABASE_PATH=str(database)),
        timeout=120,
    )


def test_the_page_shows_the_figures_of_report_json(month: Path):
    data = json.loads(_cli(month, "--json").stdout)
    page_file = month.parent / "report.html"
    result = _cli(month, "--html", str(page_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {page_file}")
    page = Page()
    page.feed(page_file.read_text(encoding="utf-8"))

    days = {d["day"]: d for d in data["days"]}
    assert len(days) >= 20  # a month with some quiet days
    questions = page.in_chart("questions-per-day", "rect")
    assert len(questions) == 30  # one bar per day, quiet days at zero
    assert {q["data-day"]: int(q["data-value"]) for q in questions if q["data-value"] != "0"} == {
        day: d["typed"] for day, d in days.items() if d["typed"]
    }
    urgent = page.in_chart("urgent-per-day", "rect")
    assert {u["data-day"]: int(u["data-value"]) for u in urgent} == {
        q["data-day"]: days.get(q["data-day"], {}).get("red_flags", 0) for q in questions
    }
    assert sum(int(u["data-value"]) for u in urgent) == data["totals"]["red_flags"] > 0
    rates = page.in_chart("fallback-rate", "circle")
    assert {r["data-day"]: float(r["data-value"]) for r in rates} == {
        day: d["fallback_rate"] for day, d in days.items() if d["typed"]
    }
    topics = page.in_chart("answers-by-topic", "g")
    assert [(t["data-intent"], int(t["data-value"])) for t in topics] == list(
        data["answers_per_intent"].items()
    )
    for key in ("typed", "buttons", "fallbacks", "red_flags"):
        assert int(page.total(key)["data-value"]) == data["totals"][key], key

    handover = data["questions_to_the_clinic"]
    assert handover["sent"] > 0 and handover["answered"] > 0
    for key in ("sent", "urgent", "answered"):
        assert int(page.total(f"handover_{key}")["data-value"]) == handover[key], key
    for key in ("median_seconds", "p90_seconds"):
        assert float(page.total(key)["data-seconds"]) == handover[key], key

    rows = [a for t, a, _ in page.elements if t == "tr" and "data-size" in a]
    groups = data["unanswered_groups"]
    assert len(groups) >= 3
    assert [(int(r["data-size"]), r["data-intent"]) for r in rows] == [
        (g["size"], g["suggested_intent"] or "") for g in groups[:MAX_GROUPS]
    ]
    text = " ".join(page.text)
    for group in groups[:MAX_GROUPS]:
        assert group["example"] in text


def test_the_page_is_self_contained_phone_readable_printable_and_private(month: Path):
    store = Store(month, read_only=True)
    try:
        report = build_report(store, 30)
    finally:
        store.close()
    html = render_html(report)
    page = Page()
    page.feed(html)
    assert page.tags.isdisjoint({"script", "link", "img", "iframe", "object", "embed"})
    lowered = html.lower()
    for remote in ("http:", "https:", "//", "url(", "@import", "src="):
        assert remote not in lowered.replace("<!--", ""), remote
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html
    assert sum(t == "svg" for t, _, _ in page.elements) == 4

    # no chat id, not even its number; the phone number typed in a question is masked
    for chat in CHAT_IDS:
        assert chat.split(":")[1] not in html
    assert "07700" not in html and "900123" not in html
    assert "text me on [number] about yoga" in html


def test_an_empty_database_gives_a_page_not_an_error(tmp_path: Path):
    Store(tmp_path / "bot.sqlite3").close()
    result = _cli(tmp_path / "bot.sqlite3", "--html", str(tmp_path / "r.html"))
    assert result.returncode == 0, result.stderr
    page = Page()
    page.feed((tmp_path / "r.html").read_text())
    assert len(page.in_chart("questions-per-day", "rect")) == 30
    assert page.in_chart("fallback-rate", "circle") == []
    assert "None in these days." in " ".join(page.text)


def test_a_page_that_cannot_be_written_is_one_line(month: Path, tmp_path: Path):
    result = _cli(month, "--html", str(tmp_path / "no" / "such" / "folder" / "r.html"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot write" in result.stderr
