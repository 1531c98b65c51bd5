"""The voice-note queue: one note transcribed at a time, off the event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures

from bot.voice.engine import Engine, Heard
from bot.voice.readings import normalised

QUEUE_LIMIT = 3
"""Notes waiting behind the one being transcribed; more get "busy, please type"
(``voice_busy`` in ``messages.yml``)."""


class Busy(RuntimeError):
    """Too many voice notes are waiting already."""


class VoiceQueue:
    """Transcribes one note at a time on its own thread; at most ``limit`` wait behind it.

    Text messages never wait on it: they run on other threads.
    """

    def __init__(self, engine: Engine, limit: int = QUEUE_LIMIT) -> None:
        self.engine = engine
        self.limit = limit
        self._pending = 0
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="voice")
        load = getattr(engine, "load", None)
        if load is not None:  # in the background: the first note waits behind it
            self._executor.submit(load)

    @property
    def pending(self) -> int:
        """Notes being transcribed or waiting."""
        return self._pending

    async def transcribe(self, audio: bytes) -> Heard:
        """Transcribe ``audio`` off the event loop; what was heard comes back
        :func:`normalised`.

        Raises:
            Busy: ``limit`` notes wait already besides the one being transcribed.
            AudioError: the bytes are not audio.
        """
        if self._pending > self.limit:
            raise Busy
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            heard = await loop.run_in_executor(self._executor, self.engine.transcribe, audio)
            return normalised(heard)
        finally:
            self._pending -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
