"""Progress bars for long work (``eval``, ``eval-voice``, ``backup``, ``report --html``,
``python -m bench``), on a terminal only.

The bar goes to stderr and only when stderr is a terminal: piped, redirected to a file or
run under systemd (whose journal is no terminal) nothing is drawn, so logs and the
commands' output stay clean. tqdm draws it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import NoReturn, TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def on_terminal(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (default: stderr) is a terminal a bar can be drawn on."""
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or fake stream
        return False


def bar(total: int, description: str, unit: str = "it") -> tqdm[NoReturn]:
    """A bar of ``total`` steps (advance it with ``update(n)``, end it with ``close()``);
    drawn on a terminal only."""
    shown = on_terminal()
    try:  # a terminal that does not tell its size (0 x 0, as a fresh pty) gets 80 x 24
        size = os.get_terminal_size(sys.stderr.fileno()) if shown else None
    except (OSError, ValueError):
        size = None
    columns = size.columns if size and size.lines else 0
    # A bar over no iterable: tqdm types its items as Never.
    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        leave=False,
        file=sys.stderr,
        disable=not shown,
        dynamic_ncols=columns > 0,
        ncols=None if columns > 0 else 80,
        nrows=None if columns > 0 else 24,
    )


def each(
    items: Iterable[T], description: str, total: int | None = None, unit: str = "it"
) -> Iterator[T]:
    """Yield ``items``, drawing a bar on a terminal."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with bar(total or 0, description, unit) as shown:
        for item in items:
            yield item
            shown.update(1)
