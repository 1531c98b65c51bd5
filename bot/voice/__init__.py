"""Voice notes: the engine that hears them, the prompt that steers it, the queue that runs it
off the event loop, and the readings of a transcript the safety screen goes through.

The running bot imports these names from here; the clip evaluation lives in
:mod:`bot.evaluation.clips`.
"""

from bot.voice.engine import (
    MAX_BYTES,
    MAX_SECONDS,
    AudioError,
    Engine,
    Heard,
    TooLong,
    VoiceUnavailable,
    WhisperEngine,
    available,
    decode,
    model_dir,
    wanted,
)
from bot.voice.prompt import domain_prompt, engine_for
from bot.voice.queue import (
    QUEUE_LIMIT,
    Busy,
    VoiceQueue,
)
from bot.voice.readings import (
    IN_PLACE_OF_PULLED,
    MIN_CONFIDENCE,
    NOT_HEARD,
    answer_heard,
    hypotheses,
    normalised,
    supported,
    unsure,
    urgent_reading,
    variants,
)

__all__ = [
    "IN_PLACE_OF_PULLED",
    "MAX_BYTES",
    "MAX_SECONDS",
    "MIN_CONFIDENCE",
    "NOT_HEARD",
    "QUEUE_LIMIT",
    "AudioError",
    "Busy",
    "Engine",
    "Heard",
    "TooLong",
    "VoiceQueue",
    "VoiceUnavailable",
    "WhisperEngine",
    "answer_heard",
    "available",
    "decode",
    "domain_prompt",
    "engine_for",
    "hypotheses",
    "model_dir",
    "normalised",
    "supported",
    "unsure",
    "urgent_reading",
    "variants",
    "wanted",
]
