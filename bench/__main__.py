"""``python -m bench``: run the benchmarks, print tables, write a Markdown summary."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import (
    CONVERSATIONS,
    ROOT,
    SAFETY,
    bundled_content,
    ensure_tests_on_path,
    load_questions,
)
from bench.report import Table, machine, render_markdown, write_markdown
from bot.progress import bar

SECTIONS = ("accuracy", "latency", "pipeline", "limits", "voice")
DEFAULT_OUT = ROOT / "bench" / "RESULTS.md"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI (seconds)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown summary path")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help="comma-separated: " + ",".join(SECTIONS)
    )
    parser.add_argument("--scales", default="1,10,100", help="content multipliers")
    parser.add_argument("--chats", type=int, default=50, help="pipeline: chats at once")
    parser.add_argument("--messages", type=int, default=40, help="pipeline: messages per chat")
    parser.add_argument(
        "--repeat", type=int, default=3, help="pipeline: runs per row, the median is shown"
    )
    parser.add_argument("--no-sklearn", action="store_true", help="skip TF-IDF + LR")
    parser.add_argument("--no-http", action="store_true", help="skip the loopback HTTP run")
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    args.scales = [int(s) for s in args.scales.split(",") if s.strip()]
    if args.smoke:
        args.scales, args.chats, args.messages = [1], 2, 3
        args.no_sklearn = True
        args.only = [s for s in args.only if s != "voice"]  # loads a speech model
    return args


def run(argv: Sequence[str] | None = None) -> tuple[list[Table], Path]:
    """Run the chosen benchmarks; returns the tables and where the summary went."""
    args = parse_args(argv)
    ensure_tests_on_path()
    content = bundled_content()
    questions = load_questions()
    conversations_all = load_questions(CONVERSATIONS)
    tables: list[Table] = []
    started = time.perf_counter()
    stages = bar(len(args.only), "bench", unit="stage")  # on a terminal only

    def show(table: Table) -> None:
        tables.append(table)
        stages.clear()
        print(table.text(), end="\n\n", flush=True)

    if "accuracy" in args.only:
        from bench.accuracy import run_accuracy

        show(run_accuracy(content, questions, with_sklearn=not args.no_sklearn)[0])
        show(
            run_accuracy(
                content,
                conversations_all,
                with_sklearn=not args.no_sklearn,
                name="tests/data/conversations.yml",
            )[0]
        )
        stages.update(1)
    if "latency" in args.only:
        from bench.latency import run_latency

        show(run_latency(content, [q.q for q in questions], args.scales)[0])
        from bench.latency import long_messages, run_length_latency

        texts = [q.q for q in questions + conversations_all + load_questions(SAFETY)]
        sample = texts + long_messages(texts, count=8 if args.smoke else 40)
        show(run_length_latency(content, sample))
        stages.update(1)
    if "pipeline" in args.only:
        from bench.pipeline import PipelineConfig, run_pipeline

        warmup = 4 if args.smoke else 40
        configs = [
            PipelineConfig(args.chats, args.messages, "inproc", "memory", warmup),
            PipelineConfig(args.chats, args.messages, "inproc", "file", warmup),
        ]
        if not args.no_http:
            configs.append(PipelineConfig(args.chats, args.messages, "http", "memory", warmup))
        show(run_pipeline(configs, repeat=1 if args.smoke else args.repeat)[0])
        from bench.pipeline import run_storm

        show(
            run_storm(
                args.chats,
                2 if args.smoke else 10,
                repeat=1 if args.smoke else args.repeat,
                warmup=warmup,
            )
        )
        from bench.pipeline import bot_cold_start

        show(bot_cold_start(runs=1 if args.smoke else 5))

        stages.update(1)
    if "limits" in args.only:
        from bench.limits import run_flood_guard

        show(run_flood_guard([1_000, 10_000] if args.smoke else [1_000, 12_000, 20_000, 50_000]))
        stages.update(1)

    if "voice" in args.only:
        from bench.voice import run_voice, run_voice_hostile

        for table in run_voice():
            show(table)
        show(run_voice_hostile())
        stages.update(1)
    stages.close()

    command = "python -m bench" + (" --smoke" if args.smoke else "")
    preface = [
        "Measured by `bench/` in one run"
        + (" (smoke sizes: not representative)" if args.smoke else "")
        + f", {time.perf_counter() - started:.0f} s.",
    ]
    write_markdown(args.out, render_markdown(tables, machine(), command, preface))
    print(f"summary written to {args.out}")
    return tables, args.out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; 0 on success."""
    run(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
