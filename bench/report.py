"""Plain-text and Markdown tables, the machine's description and the summary file."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

LIBRARIES = ("python-telegram-bot", "rapidfuzz", "PyYAML", "snowballstemmer", "scikit-learn")


@dataclass
class Table:
    """A titled table of strings, rendered as text or Markdown.

    Attributes:
        title: Heading of the table.
        headers: Column names.
        rows: Cells, one list per row, already formatted.
        notes: Lines printed under the table.
    """

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        """Append a row; cells are converted with ``str``."""
        self.rows.append([str(c) for c in cells])

    def text(self) -> str:
        """Aligned plain text: first column left-aligned, the others right-aligned."""
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

        def line(cells: list[str]) -> str:
            parts = [
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        out = [self.title, "=" * len(self.title), line(self.headers)]
        out.append("  ".join("-" * w for w in widths))
        out += [line(r) for r in self.rows]
        out += self.notes
        return "\n".join(out)

    def markdown(self) -> str:
        """A GitHub-flavoured Markdown table under a ``###`` heading."""
        out = [f"### {self.title}", ""]
        out.append("| " + " | ".join(self.headers) + " |")
        out.append("|" + "|".join(["---"] + ["---:"] * (len(self.headers) - 1)) + "|")
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in self.rows]
        if self.notes:
            out.append("")
            out += self.notes
        return "\n".join(out)


def cpu_model() -> str:
    """The CPU model name from ``/proc/cpuinfo`` (``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    """What the numbers were measured on: CPU, cores, OS, Python, libraries, date."""
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    info = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": f"{usable} usable ({cores} online)",
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }
    info.update({lib: _version(lib) for lib in LIBRARIES})
    return info


def render_markdown(
    tables: list[Table], info: dict[str, str], command: str, preface: list[str]
) -> str:
    """The whole summary: machine, command, then every table."""
    out = ["# Benchmark results", ""]
    out += preface
    out += ["", f"Reproduce with `{command}`.", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    for table in tables:
        out += ["", table.markdown()]
    return "\n".join(out) + "\n"


def write_markdown(path: Path, text: str) -> None:
    """Write the summary, creating the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
