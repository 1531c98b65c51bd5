"""A conversation in the terminal: the same dialogue as on Telegram, buttons as numbers."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from typing import TextIO

from bot.dialogue import Dialogue
from bot.replies import ChatState, Reply

QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})


def render(reply: Reply, width: int = 78) -> str:
    """Plain-text rendering of a reply: wrapped text, then numbered buttons."""
    paragraphs = reply.text.split("\n")
    lines = [textwrap.fill(p, width) if p else "" for p in paragraphs]
    for number, button in enumerate(reply.buttons, 1):
        target = f" -> {button.url}" if button.url else ""
        lines.append(f"  [{number}] {button.label}{target}")
    return "\n".join(lines)


def chat(
    dialogue: Dialogue,
    read: Callable[[str], str] = input,
    out: TextIO = sys.stdout,
) -> int:
    """Hold a conversation until the person quits or input ends.

    Typing a button's number presses it; ``/start`` and ``/menu`` show the topics,
    ``/quit`` (or Ctrl-D) ends the chat.
    """
    state = ChatState()
    reply = dialogue.welcome()
    print(render(reply), file=out)
    print("(type a question, a button's number, /menu, or /quit)", file=out)
    while True:
        try:
            line = read("\nyou> ")
        except (EOFError, KeyboardInterrupt):
            print("\nGoodbye, and take care.", file=out)
            return 0
        text = line.strip()
        if text.lower() in QUIT_WORDS:
            print("Goodbye, and take care.", file=out)
            return 0
        if text in ("/start", "/menu", "/topics"):
            reply = dialogue.welcome() if text == "/start" else dialogue.menu()
        elif text in ("/help", "/about"):
            reply = dialogue.help()
        elif text == "/book":
            reply = dialogue.book()
        elif text == "/privacy":
            reply = dialogue.privacy()
        elif text.isdigit() and 1 <= int(text) <= len(reply.buttons):
            button = reply.buttons[int(text) - 1]
            if button.url:
                print(f"bot> Open {button.url} in your browser.", file=out)
                continue
            reply, state = dialogue.handle(state, payload=button.payload)
        else:
            reply, state = dialogue.handle(state, line)
        print("bot> " + render(reply), file=out)
