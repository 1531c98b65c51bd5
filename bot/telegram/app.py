"""Application wiring: handlers registered in one place, start-up, polling or webhook, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import signal
import sys
from typing import TYPE_CHECKING

from telegram import (
    BotCommand,
)
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.content import ContentError
from bot.dialogue import Dialogue
from bot.service import ChatService
from bot.store import StoreError
from bot.telegram.apptype import BotApplication
from bot.telegram.handlers import (
    ADDRESSED,
    ALLOWED_UPDATES,
    COMMANDS,
    NEW_MESSAGE,
    NOT_TEXT,
    CommandForUs,
    ServiceLike,
    TelegramAdapter,
)
from bot.telegram.handover import register as register_handover
from bot.telegram.logs import configure_logging
from bot.telegram.startup import (
    EXIT_TELEGRAM_UNREACHABLE,
    StartupTimeout,
    initialize_with_retry,
)
from bot.telegram.traffic import FloodGuard, RetryingRateLimiter
from bot.telegram.updates import (
    WEBHOOK_CONNECTIONS,
    AckingUpdater,
    ChatOrderProcessor,
    WebhookRefused,
)
from bot.telegram.webhook import raise_file_limit
from bot.voice import VoiceQueue, VoiceUnavailable, engine_for, wanted

if TYPE_CHECKING:
    from telegram.ext import BaseRateLimiter
    from telegram.request import BaseRequest

    from bot.settings import Settings

logger = logging.getLogger(__name__)


def file_base_url(base_url: str) -> str:
    """Derive the file download base from the API base (``…/bot`` -> ``…/file/bot``).

    Args:
        base_url: The Bot API base URL, e.g. ``http://127.0.0.1:8081/bot``.

    Returns:
        The matching file base URL.
    """
    prefix, _, last = base_url.rstrip("/").rpartition("/")
    return f"{prefix}/file/{last}"


HOUSEKEEPING_SECONDS = 3600.0
"""How often a running bot checks whether stored data has passed its retention period."""


async def _housekeeping(service: ServiceLike) -> None:
    """Tidy the store every :data:`HOUSEKEEPING_SECONDS` until cancelled."""
    while True:
        await asyncio.sleep(HOUSEKEEPING_SECONDS)
        try:
            await asyncio.to_thread(service.tidy)  # a locked database waits off the loop
        except Exception:  # never let housekeeping end the loop
            logger.exception("housekeeping failed")


async def _register_commands(application: BotApplication) -> None:
    """Register the command menus (one per audience when the hand-over is on); failure only
    costs the menu, so it is logged, not fatal."""
    scopes = application.bot_data.get("command_scopes", ((None, COMMANDS),))
    try:
        for scope, commands in scopes:
            await application.bot.set_my_commands(
                [BotCommand(c, d) for c, d in commands], scope=scope
            )
    except TelegramError as exc:
        logger.warning("could not register the command menu: %s", type(exc).__name__)


async def _post_init(application: BotApplication) -> None:
    """Start the background tasks: the command menu (so polling need not wait for another
    round trip to Telegram) and housekeeping."""
    adapter: TelegramAdapter = application.bot_data["adapter"]
    application.bot_data["tasks"] = [
        asyncio.create_task(_register_commands(application)),
        asyncio.create_task(_housekeeping(adapter.service)),
    ]


async def _post_stop(application: BotApplication) -> None:
    """Every update received is handled now: confirm them all to Telegram."""
    if isinstance(application.updater, AckingUpdater):
        await application.updater.finish()


def voice_queue(settings: Settings) -> VoiceQueue | None:
    """The voice-note transcriber when ``VOICE`` is on and the model loads, else None (one
    log line says why voice stays off). ``VOICE=auto`` is on when the extra is installed.
    The engine's prompt is the fixed vocabulary, whatever the content."""
    if not wanted(settings.voice):
        return None
    try:
        engine = engine_for()
    except VoiceUnavailable as exc:
        logger.error("voice notes off: %s", exc)
        return None
    logger.debug("voice notes on (%s)", engine.name)
    return VoiceQueue(engine)


async def _post_shutdown(application: BotApplication) -> None:
    """Stop the background tasks and the voice transcriber."""
    adapter: TelegramAdapter | None = application.bot_data.get("adapter")
    if adapter is not None and adapter.voice is not None:
        adapter.voice.close()
    for task in application.bot_data.pop("tasks", []):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def build_application(
    settings: Settings,
    service: ServiceLike,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    flood_guard: FloodGuard | None = None,
    rate_limiter: BaseRateLimiter[int] | None = None,
) -> BotApplication:
    """Build the Telegram application with every handler registered.

    Args:
        settings: Token, API base URL and the rest.
        service: Produces every reply and remembers the chats.
        request: Transport for ordinary API calls (tests pass a fake).
        get_updates_request: Transport for ``getUpdates`` (tests pass a fake).
        flood_guard: Per-chat budget; a default :class:`FloodGuard` when omitted.
        rate_limiter: Outgoing rate limiter; :class:`~telegram.ext.AIORateLimiter` when omitted.

    Returns:
        The application, not yet initialised.
    """
    processor = ChatOrderProcessor()
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .rate_limiter(rate_limiter or RetryingRateLimiter(max_retries=2))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .concurrent_updates(processor)
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url
        builder = builder.base_url(base).base_file_url(file_base_url(base))
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.updater = AckingUpdater(application.bot, application.update_queue, processor)

    adapter = TelegramAdapter(service, flood_guard, voice_queue(settings))
    application.bot_data["adapter"] = adapter
    new_for_us = NEW_MESSAGE & ADDRESSED
    application.add_handlers(
        [
            CommandHandler([name for name, _ in COMMANDS], adapter.command, filters=NEW_MESSAGE),
            MessageHandler(NEW_MESSAGE & filters.COMMAND & CommandForUs(), adapter.command),
            MessageHandler(new_for_us & filters.TEXT & ~filters.COMMAND, adapter.text),
            MessageHandler(new_for_us & (filters.VOICE | filters.VIDEO_NOTE), adapter.voice_note),
            MessageHandler(new_for_us & NOT_TEXT, adapter.not_text),
            MessageHandler(filters.StatusUpdate.MIGRATE, adapter.migrate),
            CallbackQueryHandler(adapter.button),
            InlineQueryHandler(adapter.inline),
        ]
    )
    register_handover(application, settings, adapter)
    application.add_error_handler(adapter.on_error)
    return application


def reload_content(settings: Settings, service: ChatService) -> bool:
    """Re-read the content (``systemctl reload``, SIGHUP) and answer with it from now on if it
    passes ``sciatica-bot check``; otherwise keep the content in use. Logs one line either way.

    Returns:
        True when the new content is in use.
    """
    try:
        dialogue = Dialogue.from_settings(settings)
    except ContentError as exc:
        logger.error(
            "content not reloaded, %d problem(s), the first: %s; still answering with the "
            "content loaded before (`sciatica-bot check` lists them all)",
            len(exc.problems),
            exc.problems[0],
        )
        return False
    service.dialogue = dialogue
    if service.handover is not None:
        service.handover.dialogue = dialogue
    content = dialogue.content
    examples = sum(len(intent.examples) for intent in content.intents.values())
    logger.info(
        "content reloaded from %s: %d intents, %d examples",
        settings.intents_dir.parent,
        len(content.intents),
        examples,
    )
    return True


def _reload_on_hangup(
    loop: asyncio.AbstractEventLoop, settings: Settings, service: ChatService
) -> None:
    """SIGHUP reloads the content, off the event loop, one reload at a time."""
    running: list[asyncio.Future[bool]] = []

    def hangup() -> None:
        if running and not running[-1].done():
            logger.info("content reload already under way")
            return
        running[:] = [loop.run_in_executor(None, reload_content, settings, service)]

    loop.add_signal_handler(signal.SIGHUP, hangup)


def _fail(message: str, code: int) -> int:
    """Print one line for the person running the bot and return ``code``."""
    print(f"sciatica-bot: {message}", file=sys.stderr)
    return code


def run(settings: Settings, service: ChatService | None = None) -> int:
    """Run the bot until SIGINT/SIGTERM: long polling, or a webhook when configured; SIGHUP
    reloads the content (:func:`reload_content`).

    Args:
        settings: Loaded settings.
        service: The conversation to serve (built from ``settings`` when omitted).

    Returns:
        0 after a clean shutdown, 2 when the token is missing or rejected or the database
        cannot be used, 3 (:data:`EXIT_TELEGRAM_UNREACHABLE`) when the Bot API cannot be
        reached within ``STARTUP_TIMEOUT``, 1 when the webhook port cannot be opened.

    Raises:
        bot.content.ContentError: the intents or responses are invalid (the CLI reports it).
    """
    if not settings.telegram_token:
        return _fail(
            "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the environment "
            "or in .env.",
            2,
        )
    if settings.webhook_url and not settings.webhook_secret:
        # Without a secret anyone could post updates as any chat: use a random one,
        # registered with Telegram, for this run.
        settings = dataclasses.replace(settings, webhook_secret=secrets.token_urlsafe(32))
        generated_secret = True
    else:
        generated_secret = False
    configure_logging(settings)
    before, after = raise_file_limit()
    if after != before:
        logger.info("open-file limit raised from %d to %d", before, after)
    try:
        service = service or ChatService.from_settings(settings)
    except StoreError as exc:
        return _fail(str(exc), 2)
    application = build_application(settings, service)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        # Initialise here rather than inside run_polling so that a rejected token or an
        # unreachable API ends with one clear line instead of a logged traceback.
        loop.run_until_complete(initialize_with_retry(application, settings.startup_timeout))
    except InvalidToken:
        loop.run_until_complete(_quiet_shutdown(application))
        loop.close()
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN: check the token with @BotFather.", 2)
    except StartupTimeout as exc:
        loop.run_until_complete(_quiet_shutdown(application))
        loop.close()
        return _fail(str(exc), EXIT_TELEGRAM_UNREACHABLE)

    me = application.bot.username
    _reload_on_hangup(loop, settings, service)
    try:
        if settings.webhook_url:
            path = settings.webhook_path
            if generated_secret:
                logger.info("WEBHOOK_SECRET is not set: registering a random secret for this run")
            logger.info(
                "@%s listening for webhooks on %s:%s/%s",
                me,
                settings.webhook_listen,
                settings.webhook_port,
                path,
            )
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=path,
                webhook_url=f"{settings.webhook_url.rstrip('/')}/{path}",
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=-1,  # Telegram down at start-up: wait for it, with backoff
                max_connections=WEBHOOK_CONNECTIONS,
            )
        else:
            logger.info("@%s polling for updates", me)
            application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
    except OSError as exc:
        return _fail(f"Could not start the bot: {exc.strerror or type(exc).__name__}.", 1)
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN: check the token with @BotFather.", 2)
    except WebhookRefused as exc:
        return _fail(f"Telegram refused the webhook ({exc}): check WEBHOOK_URL.", 2)
    except TelegramError as exc:
        return _fail(f"Telegram Bot API error at start-up ({type(exc).__name__}).", 1)
    finally:
        service.store.close()
    logger.info("stopped")
    return 0


async def _quiet_shutdown(application: BotApplication) -> None:
    """Release the HTTP client after a failed start, ignoring further errors.

    ``Bot.shutdown`` does nothing for a bot whose initialisation failed, so the request
    object (which ``getMe`` used) is shut down directly.
    """
    try:
        await application.bot.request.shutdown()
    except Exception:
        logger.debug("shutdown after a failed start also failed", exc_info=True)
