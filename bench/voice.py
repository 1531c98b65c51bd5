"""Voice notes: seconds per note, memory with voice on and off, cold start with voice on.

Each memory and cold-start figure comes from a fresh Python process, so nothing loaded by an
earlier measurement counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from statistics import median

from bench.common import ROOT
from bench.report import Table
from bot.evaluation.labelled import percent

CLIPS = ROOT / "tests" / "data" / "voice" / "clips.yml"

_PROBE = """
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
from bot.content import load_content
from bot.dialogue import Dialogue
from bot.service import ChatService
from bot.store import Store
root = Path(sys.argv[2])
content = load_content(root / "intents", root / "responses")
service = ChatService(Dialogue(content), Store())
service.message("bench", "what is sciatica")
out = {"bot_s": time.perf_counter() - t0}
if sys.argv[1] == "on":
    from bot import voice
    t1 = time.perf_counter()
    engine = voice.engine_for(content)
    engine.load()
    out["load_s"] = time.perf_counter() - t1
    clip = (root / "tests/data/voice/00-espeak-us.ogg").read_bytes()
    t2 = time.perf_counter()
    heard = engine.transcribe(clip)
    out["first_note_s"] = time.perf_counter() - t2
    service.voice("bench", heard)
status = Path("/proc/self/status").read_text()
rss = {k: int(v.split()[0]) / 1024 for k, v in
       (line.split(":", 1) for line in status.splitlines()) if k in ("VmRSS", "VmHWM")}
out["rss_mb"] = rss.get("VmRSS", 0.0)
out["peak_mb"] = rss.get("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
"""


def _probe(mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_voice(runs: int = 3) -> list[Table]:
    """Seconds per note on every fixture clip, and the fresh-process figures."""
    from bot import voice

    if not voice.available():
        table = Table("Voice notes", ["measure", "value"])
        table.add("skipped", "the voice extra is not installed")
        return [table]
    from bot.content import load_content
    from bot.dialogue import Dialogue

    content = load_content(ROOT / "intents", ROOT / "responses")
    dialogue = Dialogue(content)
    engine = voice.engine_for(content)
    report = voice.evaluate_voice(engine, dialogue, voice.load_clips(CLIPS))
    secs = sorted(report.seconds)
    p90 = secs[min(len(secs) - 1, int(len(secs) * 0.9))]
    speed = Table(
        f"Voice notes: {engine.name} on {len(secs)} fixture clips (one note at a time)",
        ["measure", "value"],
    )
    speed.add("seconds per note, median", f"{median(secs):.2f}")
    speed.add("seconds per note, p90", f"{p90:.2f}")
    speed.add("WER clean / noisy", f"{report.wer(False):.1%} / {report.wer(True):.1%}")
    speed.add(
        "intent accuracy clean / noisy",
        f"{report.accuracy(False):.1%} / {report.accuracy(True):.1%}",
    )
    speed.add("red-flag recall (all urgent clips)", percent(report.red_flag_recall()))

    memory = Table(
        f"Voice notes: memory and cold start (fresh process, median of {runs})",
        ["voice", "RSS MB", "peak RSS MB", "bot ready s", "model load s", "first note s"],
    )
    for mode in ("off", "on"):
        probes = [_probe(mode) for _ in range(runs)]

        def mid(key: str, probes: list[dict[str, float]] = probes) -> str:
            values = [p[key] for p in probes if key in p]
            return f"{median(values):.2f}" if values else "-"

        memory.add(
            mode,
            mid("rss_mb").split(".")[0],
            mid("peak_mb").split(".")[0],
            mid("bot_s"),
            mid("load_s"),
            mid("first_note_s"),
        )
    memory.notes.append(
        "model load: sha256 of model.bin, then faster-whisper loads it (int8); "
        "first note: the first transcription after loading."
    )
    return [speed, memory]


_HOSTILE = """
import io, json, sys, time
from pathlib import Path
import numpy as np, soundfile
from bot import voice
from bot.content import load_content
root = Path(sys.argv[1])
engine = voice.engine_for(load_content(root / "intents", root / "responses"))
engine.load()

def encoded(fmt, subtype, seconds, rate, dtype="float32"):
    out = io.BytesIO()
    soundfile.write(out, np.zeros(int(seconds * rate), dtype=dtype), rate, format=fmt,
                    subtype=subtype)
    return out.getvalue()

def rss(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

notes = {
    "WAV at 100 Hz, declares 3 s, holds 600 s": encoded("WAV", "PCM_16", 600, 100, "int16"),
    "FLAC of one value, holds 3,600 s": encoded("FLAC", "PCM_16", 3600, 8000, "int16"),
    "OGG/Opus, declares 3 s, holds 200 s": encoded("OGG", "OPUS", 200, 48000),
}
lying = notes["OGG/Opus, declares 3 s, holds 200 s"]
out = []
for name, data in [*notes.items(), ("the same, its header forged to say 3 s", lying)]:
    if name.startswith("the same"):
        voice.ogg_opus_seconds = lambda _data: 3.0
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS from here
    before = rss("VmRSS")
    started = time.perf_counter()
    try:
        engine.transcribe(data)
        verdict = "transcribed"
    except voice.TooLong:
        verdict = "too long"
    except voice.AudioError:
        verdict = "not accepted"
    out.append([name, len(data), verdict, time.perf_counter() - started,
                rss("VmHWM") - before])
print(json.dumps(out))
"""


def run_voice_hostile() -> Table:
    """Peak memory and time of the voice worker on notes that lie about their length
    (fresh process with the model loaded; peak RSS above the RSS before each note)."""
    from bot import voice

    table = Table(
        "Voice notes: hostile notes (fresh process, model loaded)",
        ["note", "bytes", "outcome", "seconds", "peak RSS above before MB"],
    )
    if not voice.available():
        table.add("skipped", "-", "the voice extra is not installed", "-", "-")
        return table
    done = subprocess.run(
        [sys.executable, "-c", _HOSTILE, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    for name, size, verdict, seconds, peak in json.loads(done.stdout.strip().splitlines()[-1]):
        table.add(name, f"{size:,}", verdict, f"{seconds:.2f}", f"{peak:.1f}")
    table.notes.append(
        f"limits: OGG/Opus or MP4 only, {voice.MAX_SECONDS} s by the container's header, then "
        "decoding a second at a time stops past that."
    )
    return table
