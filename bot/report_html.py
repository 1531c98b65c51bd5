"""``sciatica-bot report --html FILE``: the report as one page a clinic owner can look at.

One self-contained HTML file: the style sheet inline, the charts inline SVG, no script and no
address outside the file, so it opens offline, on a phone and on paper alike. It shows what
:class:`~bot.report.UsageReport` holds and nothing more (no chat ids, no names; the unanswered
questions as the store keeps them, masked). Every figure a chart draws is also in its
element's ``data-*`` attributes and ``<title>``, for tests and screen readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape

from bot.report import Day, UsageReport

MAX_GROUPS = 30
"""Unanswered groups listed on the page (the rest are counted)."""

_WIDTH = 640
_HEIGHT = 180
_PAD_LEFT = 52
_PAD_BOTTOM = 28
_PAD_TOP = 10
_TOPIC_WIDTH = 420
"""The topic chart is drawn narrower, so that its labels stay readable on a phone."""

_STYLE = """
:root { color-scheme: light; --ink: #1d2733; --muted: #5b6673; --line: #d8dee6;
  --bar: #2f6f9f; --urgent: #b3261e; --rate: #c77700; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 760px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 8px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
p.note, .muted { color: var(--muted); font-size: 0.9rem; margin: 4px 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr));
  gap: 8px; margin: 16px 0 0; padding: 0; }
.tiles div { background: var(--bg); border-radius: 8px; padding: 10px 12px; }
.tiles dt { color: var(--muted); font-size: 0.85rem; }
.tiles dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
svg { width: 100%; height: auto; display: block; }
svg[data-chart="answers-by-topic"] { max-width: 560px; }
@media (max-width: 540px) { svg[data-chart$="-per-day"] text,
  svg[data-chart="fallback-rate"] text { font-size: 20px; } }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .axis { stroke: var(--line); }
svg .bar { fill: var(--bar); }
svg .urgent { fill: var(--urgent); }
svg .rate { fill: none; stroke: var(--rate); stroke-width: 2; }
svg .dot { fill: var(--rate); }
table { width: 100%; border-collapse: collapse; font-size: 0.95rem; }
th, td { text-align: left; padding: 6px 4px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td .also { color: var(--muted); font-size: 0.85rem; }
section { break-inside: avoid; page-break-inside: avoid; }
@media print {
  body { font-size: 12px; }
  main { max-width: none; padding: 0; }
  .tiles div { border: 1px solid var(--line); }
  svg .bar, svg .urgent, svg .dot { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def _every_day(report: UsageReport) -> list[Day]:
    """One row per day of the report, days without messages as zeros."""
    known = {d.day: d for d in report.days}
    days = []
    day = report.since
    while day <= report.until:
        days.append(known.get(day) or Day(day, 0, 0, 0, 0, 0, 0))
        day += dt.timedelta(days=1)
    return days


def _nice_top(value: float) -> float:
    """The axis top: ``value`` rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _frame(top: float, unit: str, days: Sequence[Day]) -> list[str]:
    """Axes: the baseline, the top value, the first and last day under the chart."""
    base = _HEIGHT - _PAD_BOTTOM
    label = f"{top:g}{unit}"
    parts = [
        f'<line class="axis" x1="{_PAD_LEFT}" y1="{base}" x2="{_WIDTH}" y2="{base}"/>',
        f'<line class="axis" x1="{_PAD_LEFT}" y1="{_PAD_TOP}" x2="{_WIDTH}" y2="{_PAD_TOP}" '
        'stroke-dasharray="3 3"/>',
        f'<text x="{_PAD_LEFT - 4}" y="{_PAD_TOP + 4}" text-anchor="end">{label}</text>',
        f'<text x="{_PAD_LEFT - 4}" y="{base + 4}" text-anchor="end">0</text>',
    ]
    if days:
        parts.append(f'<text x="{_PAD_LEFT}" y="{_HEIGHT - 6}">{days[0].day:%d %b}</text>')
        parts.append(
            f'<text x="{_WIDTH}" y="{_HEIGHT - 6}" text-anchor="end">{days[-1].day:%d %b}</text>'
        )
    return parts


def _svg(
    name: str, label: str, parts: Iterable[str], height: int = _HEIGHT, width: int = _WIDTH
) -> str:
    body = "\n".join(parts)
    return (
        f'<svg data-chart="{name}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">\n'
        f"<title>{escape(label)}</title>\n{body}\n</svg>"
    )


def day_bars(name: str, label: str, days: Sequence[Day], value: Callable[[Day], int]) -> str:
    """A bar per day (``data-day``, ``data-value``), zero days included."""
    top = _nice_top(max((value(d) for d in days), default=0))
    base = _HEIGHT - _PAD_BOTTOM
    span = (_WIDTH - _PAD_LEFT) / max(len(days), 1)
    css = "urgent" if name == "urgent-per-day" else "bar"
    parts = _frame(top, "", days)
    for index, day in enumerate(days):
        count = value(day)
        height = (base - _PAD_TOP) * count / top
        x = _PAD_LEFT + index * span + span * 0.15
        parts.append(
            f'<rect class="{css}" data-day="{day.day}" data-value="{count}" x="{x:.1f}" '
            f'y="{base - height:.1f}" width="{span * 0.7:.1f}" height="{height:.1f}">'
            f"<title>{day.day}: {count}</title></rect>"
        )
    return _svg(name, label, parts)


def rate_line(days: Sequence[Day]) -> str:
    """The fallback rate of each day with typed messages (``data-value`` in percent, one
    decimal, as in the JSON); days without typed messages have no rate and no point."""
    rated = [(i, d) for i, d in enumerate(days) if d.typed]
    top = _nice_top(max((d.fallback_rate for _, d in rated), default=0))
    top = min(top, 100.0)
    base = _HEIGHT - _PAD_BOTTOM
    span = (_WIDTH - _PAD_LEFT) / max(len(days), 1)
    parts = _frame(top, "%", days)
    radius = 3 if len(days) <= 62 else 1.2  # a year of days: small dots, the line shows
    points = []
    for index, day in rated:
        rate = round(day.fallback_rate, 1)
        x = _PAD_LEFT + (index + 0.5) * span
        y = base - (base - _PAD_TOP) * rate / top
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle class="dot" data-day="{day.day}" data-value="{rate}" cx="{x:.1f}" '
            f'cy="{y:.1f}" r="{radius}">'
            f"<title>{day.day}: {rate}% of {day.typed} typed</title></circle>"
        )
    if len(points) > 1:
        parts.insert(4, f'<polyline class="rate" points="{" ".join(points)}"/>')
    return _svg("fallback-rate", "Share of typed questions the bot could not answer", parts)


def topic_bars(per_intent: Sequence[tuple[str, int]], titles: Mapping[str, str]) -> str:
    """A horizontal bar per topic (``data-intent``, ``data-value``), most answered first."""
    row = 22
    height = max(row * len(per_intent), row) + 4
    width = _TOPIC_WIDTH
    label_width = 200
    top = max((count for _, count in per_intent), default=1)
    parts = []
    for index, (intent, count) in enumerate(per_intent):
        y = index * row + 2
        length = (width - label_width - 36) * count / top
        title = titles.get(intent) or intent
        shown = title if len(title) <= 32 else title[:31] + "…"
        parts.append(
            f'<g data-intent="{escape(intent)}" data-value="{count}">'
            f"<title>{escape(title)}: {count}</title>"
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(shown)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{length:.1f}" height="15"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + 15}">{count}</text></g>'
        )
    if not per_intent:
        parts.append('<text x="0" y="16">no answers in these days</text>')
    return _svg("answers-by-topic", "Answers by topic", parts, height, width)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _tile(key: str, label: str, shown: str, **data: object) -> str:
    extra = "".join(f' data-{k}="{escape(str(v))}"' for k, v in data.items())
    return f'<div data-total="{key}"{extra}><dt>{escape(label)}</dt><dd>{escape(shown)}</dd></div>'


def render_html(report: UsageReport, titles: Mapping[str, str] | None = None) -> str:
    """The report as one self-contained page.

    Args:
        report: What ``sciatica-bot report`` built.
        titles: Each intent's title (its response's), shown instead of the intent's name;
            the name stays in ``data-intent``.
    """
    titles = titles or {}
    t = report.totals
    days = _every_day(report)
    rate = f"{100.0 * t['fallbacks'] / t['typed']:.1f}%" if t["typed"] else "0.0%"
    html = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Bot report {report.since} to {report.until}</title>",
        f"<style>{_STYLE}</style></head><body><main>",
        "<h1>What people asked the bot</h1>",
        f'<p class="muted">{report.since:%d %B %Y} to {report.until:%d %B %Y} '
        f"({len(days)} days). No chat ids and no names are kept; questions are shown as "
        "stored, with numbers and contact details masked.</p>",
        '<dl class="tiles">',
        _tile("typed", "Questions typed", f"{t['typed']:,}", value=t["typed"]),
        _tile("buttons", "Buttons pressed", f"{t['buttons']:,}", value=t["buttons"]),
        _tile("fallbacks", "Not answered", f"{t['fallbacks']:,} ({rate})", value=t["fallbacks"]),
        _tile("red_flags", "Urgent messages", f"{t['red_flags']:,}", value=t["red_flags"]),
    ]
    handover = report.handover
    if handover is not None:
        html.append(_tile("sent", "To the clinic", f"{handover.sent:,}", value=handover.sent))
    html.append("</dl>")

    html += [
        "<section><h2>Questions per day</h2>",
        day_bars("questions-per-day", "Typed questions per day", days, lambda d: d.typed),
        '<p class="note">Typed messages; button presses are not counted here.</p></section>',
        "<section><h2>Answers by topic</h2>",
        topic_bars(report.per_intent, titles),
        "</section>",
        "<section><h2>How often the bot could not answer</h2>",
        rate_line(days),
        '<p class="note">Share of each day\'s typed questions that got the "I can answer '
        'these topics" reply. Lower is better; the questions are listed below.</p></section>',
        "<section><h2>Urgent messages per day</h2>",
        day_bars("urgent-per-day", "Typed messages describing urgent symptoms", days, _urgent),
        '<p class="note">Typed messages describing urgent symptoms; each got the urgent '
        "answer at once.</p></section>",
    ]
    html += _handover_section(report)
    html += _groups_section(report, titles)
    html += [
        f'<p class="muted">Made by <code>sciatica-bot report --html</code> on '
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>",
        "</main></body></html>",
    ]
    return "\n".join(html) + "\n"


def _urgent(day: Day) -> int:
    return day.red_flags


def _handover_section(report: UsageReport) -> list[str]:
    handover = report.handover
    if handover is None:
        return []
    return [
        "<section><h2>Questions to the clinic</h2>",
        '<dl class="tiles" data-section="handover">',
        _tile("handover_sent", "Sent to staff", f"{handover.sent:,}", value=handover.sent),
        _tile("handover_urgent", "Of them urgent", f"{handover.urgent:,}", value=handover.urgent),
        _tile("handover_answered", "Answered", f"{handover.answered:,}", value=handover.answered),
        _tile(
            "median_seconds",
            "First answer, median",
            _duration(handover.median_seconds),
            seconds=handover.median_seconds if handover.median_seconds is not None else "",
        ),
        _tile(
            "p90_seconds",
            "First answer, 9 in 10 within",
            _duration(handover.p90_seconds),
            seconds=handover.p90_seconds if handover.p90_seconds is not None else "",
        ),
        "</dl></section>",
    ]


def _groups_section(report: UsageReport, titles: Mapping[str, str]) -> list[str]:
    groups = report.groups
    html = [
        "<section><h2>Questions the bot could not answer</h2>",
        '<p class="note">Similar questions grouped, most asked first, with the topic each '
        "group came closest to: a to-do list for the content.</p>",
    ]
    if not groups:
        return [*html, '<p class="muted">None in these days.</p></section>']
    html.append(
        '<table data-section="unanswered"><thead><tr><th>Asked</th><th>Question</th>'
        "<th>Closest topic</th></tr></thead><tbody>"
    )
    for group in groups[:MAX_GROUPS]:
        near = group.suggested_intent
        topic = escape(titles.get(near) or near) if near else "<em>a new topic?</em>"
        also = "".join(
            f'<div class="also">also: {escape(other)}</div>' for other in group.questions[1:4]
        )
        if len(group.questions) > 4:
            also += f'<div class="also">and {len(group.questions) - 4} more</div>'
        html.append(
            f'<tr data-size="{group.size}" data-intent="{escape(near or "")}">'
            f'<td class="n">×{group.size}</td><td>{escape(group.example)}{also}</td>'
            f"<td>{topic}</td></tr>"
        )
    html.append("</tbody></table>")
    if len(groups) > MAX_GROUPS:
        html.append(
            f'<p class="muted">… and {len(groups) - MAX_GROUPS} more groups '
            "(<code>sciatica-bot report --json</code> lists them all).</p>"
        )
    html.append("</section>")
    return html
