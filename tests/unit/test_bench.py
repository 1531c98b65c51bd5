"""The benchmark script keeps working: a smoke run with tiny sizes (nothing about time)."""

from __future__ import annotations

import sys

from locations import REPO

ROOT = REPO
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.__main__ import run  # noqa: E402


def _percent(cell: str) -> float:
    return float(cell.rstrip("%"))


def test_smoke_run_prints_tables_and_writes_the_summary(tmp_path, capsys):
    out = tmp_path / "RESULTS.md"
    tables, written = run(["--smoke", "--out", str(out)])

    assert written == out
    titles = [t.title for t in tables]
    assert len(titles) == 8
    assert titles[0] == "Accuracy on tests/data/questions.yml"
    assert titles[1] == "Accuracy on tests/data/conversations.yml"
    assert titles[2].startswith("Matcher latency")
    assert titles[3].startswith("Screen + matcher latency by message length")
    assert titles[4].startswith("Pipeline")
    assert titles[5].startswith("Throughput under a 429 storm")
    assert titles[6].startswith("Cold start of the bot")
    assert titles[7].startswith("Flood guard")

    printed = capsys.readouterr().out
    for title in titles:
        assert title in printed

    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("# Benchmark results")
    for key in ("cpu", "cores", "python", "rapidfuzz", "python-telegram-bot"):
        assert f"| {key} |" in markdown
    for title in titles:
        assert f"### {title}" in markdown

    accuracy, conversations, latency, lengths, pipeline, storm, cold, flood = tables
    rows = {row[0]: row for row in accuracy.rows}
    project = rows["project (safety screen + matcher)"]
    wratio = rows["rapidfuzz WRatio extractOne"]
    for row in (project, wratio):
        for cell in row[1:5]:
            assert 0.0 <= _percent(cell) <= 100.0
    assert _percent(project[1]) > _percent(wratio[1])
    assert _percent(project[4]) == 100.0  # red-flag recall
    assert "TF-IDF + logistic regression" in rows  # measured or "skipped: ..."
    stories = {row[0]: row for row in conversations.rows}
    assert _percent(stories["project (safety screen + matcher)"][1]) > _percent(
        stories["rapidfuzz WRatio extractOne"][1]
    )
    assert [row[0] for row in lengths.rows][-1] == "1,501-4,096 chars"
    assert all(int(row[1]) > 0 for row in lengths.rows)  # every length measured

    assert [row[0] for row in latency.rows] == ["1x"]
    assert int(latency.rows[0][2]) > 0  # examples indexed

    assert len(pipeline.rows) == 3
    for row in pipeline.rows:
        answered, sent = row[3].split("/")
        assert answered == sent == "6"
        assert float(row[4]) > 0  # messages per second
    assert len(storm.rows) == 2
    for row in storm.rows:
        assert int(row[2]) >= 1  # some chats were refused
        answered, sent = row[3].split("/")
        assert answered == sent
    assert cold.rows[0][:2] == ["off", "1"] and float(cold.rows[0][2]) > 0  # one run, timed
    assert [row[0] for row in cold.rows] in (["off"], ["off", "on"])  # "on" with the extra
    assert [row[0] for row in flood.rows] == ["1,000", "10,000"]
    assert [row[2] for row in flood.rows] == ["1,000", "10,000"]  # every chat in the window
    assert all(float(row[1]) > 0 for row in flood.rows)
