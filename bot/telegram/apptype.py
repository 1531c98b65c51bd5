"""The type of the bot's python-telegram-bot application, named once for every module."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

BotApplication: TypeAlias = Application[
    ExtBot[int],  # its rate limiter (RetryingRateLimiter) takes int arguments
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],  # user_data, chat_data, bot_data: python-telegram-bot's defaults
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]
"""The application :func:`bot.telegram.app.build_application` builds."""
