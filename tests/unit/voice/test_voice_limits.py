"""Voice notes that lie: only OGG/Opus and MP4 are decoded, the container's own length is
checked before decoding, and decoding stops past ``MAX_SECONDS`` with bounded memory.

These need the ``voice`` extra (``make test`` installs it); without it they skip.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import pytest
from harness import RunningBot, start_bot

from bot import voice
from bot.service import ChatService
from bot.store import Store
from bot.telegram.render import escape
from bot.voice import engine

pytestmark = pytest.mark.skipif(
    not voice.available(), reason="the voice extra is not installed (make test installs it)"
)


def opus(seconds: float, rate: int = 48_000) -> bytes:
    """An OGG/Opus note of ``seconds`` of silence (it compresses to almost nothing: 200 s
    fit in ~50 KB, well under the size cap)."""
    import numpy as np
    import soundfile

    samples = np.zeros(int(seconds * rate), dtype="float32")
    out = io.BytesIO()
    soundfile.write(out, samples, rate, format="OGG", subtype="OPUS")
    return out.getvalue()


def mp4(seconds: float) -> bytes:
    """A round video note's container: MP4 with an AAC track (no picture needed)."""
    import av
    import numpy as np

    out = io.BytesIO()
    rng = np.random.default_rng(2)
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("aac", rate=16_000)
        stream.layout = "mono"
        for index in range(int(seconds * 16_000 / 1024)):
            block = (rng.random((1, 1024), dtype=np.float32) - 0.5) * 0.1
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 16_000, index * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def wav(seconds: float, rate: int) -> bytes:
    import numpy as np
    import soundfile

    out = io.BytesIO()
    soundfile.write(out, np.zeros(int(seconds * rate), dtype="int16"), rate, format="WAV")
    return out.getvalue()


def flac(seconds: float) -> bytes:
    import numpy as np
    import soundfile

    out = io.BytesIO()
    soundfile.write(out, np.zeros(int(seconds * 8_000), dtype="int16"), 8_000, format="FLAC")
    return out.getvalue()


def test_only_ogg_opus_and_mp4_are_decoded():
    """A WAV at 100 Hz or a FLAC of one value decoded to many minutes (GiBs) before."""
    for data in (wav(600, 100), wav(60, 1), flac(600)):
        assert len(data) < voice.MAX_BYTES
        started = time.perf_counter()
        with pytest.raises(voice.AudioError):
            voice.decode(data)
        assert time.perf_counter() - started < 0.5
    samples = voice.decode(mp4(5))
    assert abs(len(samples) / engine.SAMPLE_RATE - 5) < 0.3
    samples = voice.decode(opus(4))
    assert abs(len(samples) / engine.SAMPLE_RATE - 4) < 0.1


def test_the_real_length_is_read_from_the_container_before_decoding():
    long_note = opus(200)
    assert len(long_note) < voice.MAX_BYTES
    assert abs(engine.ogg_opus_seconds(long_note) - 200) < 0.1
    assert abs(engine.mp4_seconds(mp4(70)) - 70) < 0.5
    for data in (long_note, mp4(70)):
        tracemalloc.start()
        try:
            with pytest.raises(voice.TooLong):
                voice.decode(data)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 1024 * 1024  # refused before decoding


def test_a_header_that_lies_still_stops_decoding_past_the_limit(monkeypatch):
    """Should a header claim 3 s, decoding goes a second at a time and stops past
    ``MAX_SECONDS``: memory stays bounded whatever the note holds."""
    long_note = opus(200)
    monkeypatch.setattr(engine, "ogg_opus_seconds", lambda _data: 3.0)
    tracemalloc.start()
    try:
        with pytest.raises(voice.TooLong):
            voice.decode(long_note)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\npeak {peak / 2**20:.1f} MiB decoding a 200 s note that claims 3 s")
    # 60 s of mono float32 at 48 kHz is 11 MiB; 200 s decoded whole would be 37 MiB
    assert peak < 20 * 2**20


@pytest.fixture
async def voice_bot(dialogue) -> AsyncIterator[Any]:
    started: list[RunningBot] = []

    async def start() -> RunningBot:
        running = await start_bot(dialogue, service=ChatService(dialogue, Store()))
        running.app.bot_data["adapter"].voice = voice.VoiceQueue(voice.engine_for())
        started.append(running)
        return running

    yield start
    for running in started:
        running.app.bot_data["adapter"].voice.close()
        await running.stop()


async def test_a_note_longer_than_it_declares_gets_the_too_long_answer(voice_bot, content):
    """The message says 3 s, the note holds 200 s: "please send a shorter note"."""
    running = await voice_bot()
    running.api.push_voice(opus(200), duration=3)
    running.api.push_voice(wav(600, 100), duration=3)
    calls = await running.api.wait_for("sendMessage", 2, timeout=60)
    assert [c.params["text"] for c in calls] == [
        escape(content.messages["voice_too_long"]),
        escape(content.messages["voice_unreadable"]),
    ]
