"""Command line: ``sciatica-bot run | chat | ask | check | eval | eval-dialogues | eval-voice |
report | backup | doctor``.

Also ``python -m bot``. Every failure is one line on stderr: exit code 1 for content
problems (each listed as file:line), 2 for settings, a missing token or an unusable database
(and for ``doctor`` when anything needs attention), 3 when ``run`` cannot reach Telegram
within ``STARTUP_TIMEOUT``, 4 when a content file or folder cannot be read by this user, 5
when ``run`` or ``chat`` cannot write the database's file or folder.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bot.content import ContentError, ContentUnreadable, load_content
from bot.dialogue import Dialogue
from bot.replies import ChatState
from bot.service import ChatService
from bot.settings import (
    Settings,
    SettingsError,
    hash_warning,
    load_settings,
    missing,
    unquoted_hashes,
)
from bot.store import Store, StoreError

if TYPE_CHECKING:
    from bot.report import UsageReport

logger = logging.getLogger(__name__)

EXIT_CONTENT = 1
EXIT_SETTINGS = 2
EXIT_UNREADABLE = 4
"""A content file or folder (or another file the bot reads) cannot be read by this user."""
EXIT_UNWRITABLE = 5
"""The database's file or folder cannot be written by this user (``run``, ``chat``)."""

LARGE_DATABASE = 32 * 1024 * 1024
"""From this size on, ``backup`` on a terminal copies in steps and shows its progress."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sciatica-bot",
        description="A clinic's bot answering questions about sciatica, piriformis "
        "syndrome and massage.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    run = sub.add_parser("run", help="run the Telegram bot (TELEGRAM_BOT_TOKEN)")
    run.add_argument(
        "--chat-without-token",
        action="store_true",
        help="start the terminal chat when no token is configured",
    )
    sub.add_parser("chat", help="talk to the bot in the terminal")
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("text", nargs="+", help="the question")
    ask.add_argument("--json", action="store_true", help="print JSON")
    sub.add_parser("check", help="validate intents/ and responses/")
    ev = sub.add_parser(
        "eval",
        help="measure accuracy on a file of labelled questions (or conversations: eval-dialogues)",
    )
    ev.add_argument("file", type=Path, help="YAML list of {q: question, want: [intent, ...]}")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.add_argument(
        "--misses",
        choices=("tuning", "held-out", "all"),
        default="tuning",
        help="whose misses to list (default: the tuning part's; every 5th item is held out)",
    )
    ev_dia = sub.add_parser(
        "eval-dialogues",
        help="measure accuracy on labelled conversations (turns read in context)",
    )
    ev_dia.add_argument(
        "file",
        type=Path,
        nargs="?",
        default=Path("tests/data/dialogues.yml"),
        help="YAML list of {turns: [{say: text | press: payload, want: [...], ctx: bool}]}",
    )
    ev_dia.add_argument("--json", action="store_true", help="print JSON")
    ev_dia.add_argument(
        "--cost",
        action="store_true",
        help="also time what reading each typed turn in its context adds (milliseconds)",
    )
    ev_dia.add_argument(
        "--misses",
        choices=("tuning", "held-out", "all"),
        default="tuning",
        help="whose misses to list (default: the tuning part's; every 5th conversation held out)",
    )
    ev_voice = sub.add_parser(
        "eval-voice",
        help="voice notes: word error rate, intent accuracy and red-flag recall (voice extra)",
    )
    ev_voice.add_argument(
        "file",
        type=Path,
        nargs="?",
        default=Path("tests/data/voice/clips.yml"),
        help="YAML list of {file: clip.ogg, q: words said, want: [...], kind, voice, noisy} "
        "(default: tests/data/voice/clips.yml)",
    )
    report = sub.add_parser(
        "report", help="what people asked, and what the bot could not answer (DATABASE_PATH)"
    )
    report.add_argument(
        "--days", type=_positive, default=30, help="days to cover, today included (30)"
    )
    report.add_argument("--json", action="store_true", help="print JSON")
    report.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="write the report as one self-contained page (charts inline, no network)",
    )
    backup = sub.add_parser(
        "backup", help="a consistent copy of the database (DATABASE_PATH), safe while the bot runs"
    )
    backup.add_argument("path", type=Path, help="where the copy goes")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    doctor = sub.add_parser(
        "doctor", help="check settings, content, database and Telegram; exit 0 when all is well"
    )
    doctor.add_argument("--json", action="store_true", help="print JSON")
    doctor.add_argument(
        "--as-service",
        nargs="?",
        const=True,
        default=None,
        metavar="UNIT",
        help="check as the systemd unit runs the bot: its settings (EnvironmentFile=, "
        "Environment=) and, as root, read and write access as its user (UNIT: the unit "
        "file, default /etc/systemd/system/sciatica-bot.service, else the shipped settings)",
    )
    return parser


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if not 1 <= value <= 36500:
        raise argparse.ArgumentTypeError(f"must be between 1 and 36500, got {raw!r}")
    return value


def _fail(message: str, code: int) -> int:
    print(f"sciatica-bot: {message}", file=sys.stderr)
    return code


def _report_content(exc: ContentError) -> int:
    if isinstance(exc, ContentUnreadable):  # one line: the first path is where to look
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        return _fail(
            f"{exc.problems[0]}{more}: the content must be readable by the bot's user; "
            "nothing started",
            EXIT_UNREADABLE,
        )
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    return _fail(f"{len(exc.problems)} content problem(s); nothing started", EXIT_CONTENT)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "doctor":  # reports malformed settings itself, among the rest
        from bot.doctor import doctor, service_unit

        unit = None
        if args.as_service is not None:
            unit = service_unit(None if args.as_service is True else Path(args.as_service))
        return doctor(as_json=args.json, unit=unit)
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_SETTINGS)
    logging.basicConfig(
        level=getattr(logging, settings.log_level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    env_file = Path.cwd() / ".env"
    for line, key in unquoted_hashes(env_file):
        logger.warning("%s", hash_warning(env_file, line, key))
    try:
        return _dispatch(args, settings)
    except ContentError as exc:
        return _report_content(exc)
    except StoreError as exc:
        return _fail(str(exc), EXIT_SETTINGS)
    except PermissionError as exc:  # a file the bot reads, other than the content
        return _fail(
            f"{exc.filename or 'a file'} cannot be read: permission denied", EXIT_UNREADABLE
        )
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


def _is_conversations(path: Path) -> bool:
    """Whether ``path`` holds labelled conversations (``{turns: [...]}``) rather than
    messages; a file that cannot be read is left to the messages' reader to report."""
    from bot.evaluation.labelled import EvalFileError, read_yaml_list

    try:
        data = read_yaml_list(path, "{q: ..., want: [...]}")
    except EvalFileError:
        return False
    return bool(data) and isinstance(data[0], dict) and "turns" in data[0]


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "check":
        content = load_content(settings.intents_dir, settings.responses_dir)
        examples = sum(len(i.examples) for i in content.intents.values())
        print(
            f"content OK: {len(content.intents)} intents, {examples} examples, "
            f"{len(content.responses)} responses, {len(content.screen)} red-flag rules"
        )
        return 0
    if args.command == "eval" and _is_conversations(args.file):
        args.cost = False
        args.command = "eval-dialogues"  # a file of conversations is played turn by turn
    if args.command == "eval":
        from bot.evaluation.labelled import EvalFileError, evaluate, load_items

        try:
            items = load_items(args.file)
        except EvalFileError as exc:
            return _fail(str(exc), 1)
        report = evaluate(Dialogue.from_settings(settings), items)
        if args.json:
            print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
        else:
            print(report.to_text(args.misses))
        return 0
    if args.command == "eval-dialogues":
        from bot.evaluation.dialogues import context_cost, evaluate_dialogues, load_dialogues
        from bot.evaluation.labelled import EvalFileError

        dialogue = Dialogue.from_settings(settings)
        try:
            conversations = load_dialogues(args.file, frozenset(dialogue.content.responses))
        except EvalFileError as exc:
            return _fail(str(exc), 1)
        dia_report = evaluate_dialogues(dialogue, conversations)
        cost = context_cost(dialogue, conversations) if args.cost else None
        if args.json:
            data = dia_report.to_json()
            if cost is not None:
                data["context_cost"] = cost
            print(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            print(dia_report.to_text(args.misses))
            if cost is not None:
                print(
                    "\ncontext cost per typed turn: "
                    + ", ".join(f"{k} {v}" for k, v in cost.items())
                )
        return 0
    if args.command == "eval-voice":
        return _eval_voice(args.file, settings)
    if args.command == "ask":
        reply, _ = Dialogue.from_settings(settings).handle(ChatState(), " ".join(args.text))
        if args.json:
            print(
                json.dumps(
                    {
                        "intent": reply.intent,
                        "score": reply.score,
                        "red_flag": reply.red_flag,
                        "text": reply.text,
                        "buttons": [
                            {"label": b.label, "payload": b.payload or b.url} for b in reply.buttons
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            from bot.terminal import render

            print(render(reply))
        return 0
    if args.command == "report":
        from bot.progress import bar
        from bot.report import build_report

        store = Store.from_settings(settings, read_only=True)
        try:
            with bar(0, "grouping questions", unit="question") as shown:

                def grouped(done: int, total: int) -> None:
                    shown.total = total
                    shown.update(done - shown.n)

                result = build_report(store, args.days, progress=grouped)
        finally:
            store.close()
        if args.html is not None:
            return _write_html(result, args.html, settings)
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        else:
            print(result.to_text())
        return 0
    if args.command == "backup":
        from bot.progress import bar, on_terminal
        from bot.store import backup

        database = Path(settings.database_path)
        large = database.is_file() and database.stat().st_size >= LARGE_DATABASE
        if large and on_terminal():
            with bar(0, "backup", unit="page") as shown:

                def step(done: int, total: int) -> None:
                    shown.total = total
                    shown.n = done
                    shown.refresh()

                size = backup(settings.database_path, args.path, force=args.force, progress=step)
        else:
            size = backup(settings.database_path, args.path, force=args.force)
        print(f"backed up {settings.database_path} to {args.path} ({size:,} bytes, integrity ok)")
        return 0
    if args.command == "chat":
        return _start(settings, _chat)
    # run
    if not settings.telegram_token:
        if not args.chat_without_token:
            return _fail(f"{missing('TELEGRAM_BOT_TOKEN')}; see .env.example", 2)
        service = ChatService.from_settings(settings)
        print(
            "No TELEGRAM_BOT_TOKEN configured: starting the terminal chat with the bundled "
            "content. Set the token in .env to run on Telegram.",
            file=sys.stderr,
        )
        return _chat(service)
    from bot.telegram import run

    return _start(settings, lambda service: run(settings, service))


def _write_html(report: UsageReport, path: Path, settings: Settings) -> int:
    """``report --html FILE``: the page, with each topic's title when the content loads."""
    from bot.report_html import render_html

    try:
        content = load_content(settings.intents_dir, settings.responses_dir)
        titles = {name: response.title for name, response in content.responses.items()}
    except ContentError:
        titles = {}  # the intents' names do
    page = render_html(report, titles)
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot write {path}: {exc.strerror or type(exc).__name__}", 2)
    print(f"wrote {path} ({len(page.encode()):,} bytes)")
    return 0


def _start(settings: Settings, serve: Callable[[ChatService], int]) -> int:
    """Content first (every problem is listed, or :class:`ContentError`), then whether this
    user can write the database (else one line, :data:`EXIT_UNWRITABLE`), then ``serve``."""
    from bot.doctor import database_unwritable

    dialogue = Dialogue.from_settings(settings)
    why = database_unwritable(settings.database_path)
    if why:
        return _fail(why, EXIT_UNWRITABLE)
    return serve(ChatService.from_settings(settings, dialogue))


def _eval_voice(path: Path, settings: Settings) -> int:
    """Transcribe every clip of ``path`` and answer it as a voice note would be answered."""
    from bot import voice
    from bot.evaluation.clips import evaluate_voice, load_clips
    from bot.evaluation.labelled import EvalFileError

    try:
        clips = load_clips(path)
    except (EvalFileError, KeyError, TypeError) as exc:
        return _fail(f"{path}: {exc}", 1)
    missing_clips = [c.file.name for c in clips if not c.file.is_file()]
    if missing_clips:
        return _fail(f"{path}: {len(missing_clips)} clip(s) missing, e.g. {missing_clips[0]}", 1)
    dialogue = Dialogue.from_settings(settings)
    try:
        engine = voice.engine_for()
    except voice.VoiceUnavailable as exc:
        return _fail(str(exc), 2)
    print(evaluate_voice(engine, dialogue, clips).to_text())
    return 0


def _chat(service: ChatService) -> int:
    from bot.terminal import chat

    try:
        return chat(service)
    finally:
        service.store.close()
