"""Make the voice-note fixtures: every note in notes.yml spoken by two synthetic voices.

Needs Debian's espeak-ng, festival and opus-tools (``apt-get install -y espeak-ng festival
opus-tools``) and numpy + soundfile (the ``voice`` extra). The clips are committed, so tests
and CI never run this. Every third clip gets pink noise at 10 dB SNR. Each clip is encoded
as Telegram sends a voice note: OGG/Opus, 48 kHz, mono, 32 kbit/s.

Usage: python tests/data/voice/make_clips.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

HERE = Path(__file__).resolve().parent
VOICES = ("espeak-us", "espeak-gb-f", "festival-kal", "espeak-scot-slow")
SNR_DB = 10.0
MAX_BYTES = 30_000


def speak(voice: str, text: str, wav: Path) -> None:
    """Render ``text`` with one of VOICES into ``wav``."""
    if voice == "festival-kal":
        subprocess.run(
            ["text2wave", "-eval", "(voice_kal_diphone)", "-o", str(wav)],
            input=text.encode(),
            check=True,
            capture_output=True,
        )
        return
    args = {
        "espeak-us": ["-v", "en-us", "-s", "165"],
        "espeak-gb-f": ["-v", "en-gb+f3", "-s", "160"],
        "espeak-scot-slow": ["-v", "en-gb-scotland+m3", "-s", "140", "-p", "35"],
    }[voice]
    subprocess.run(["espeak-ng", *args, "-w", str(wav), text], check=True, capture_output=True)


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f) noise of ``n`` samples with unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.arange(len(spectrum), dtype=float)
    freqs[0] = 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(freqs), n)
    return noise / np.sqrt(np.mean(noise**2))


def add_noise(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mix in pink noise at SNR_DB relative to the speech (the louder half of the frames)."""
    frames = audio[: len(audio) // 160 * 160].reshape(-1, 160)
    energy = np.mean(frames**2, axis=1)
    speech_power = float(np.mean(energy[energy >= np.median(energy)]))
    noise = pink_noise(len(audio), rng) * np.sqrt(speech_power / 10 ** (SNR_DB / 10))
    mixed = audio + noise
    return mixed / max(1.0, float(np.max(np.abs(mixed))) / 0.95)


def encode(audio: np.ndarray, rate: int, out: Path, tmp: Path) -> None:
    """Encode as Telegram does (opusenc resamples to 48 kHz)."""
    wav = tmp / "mix.wav"
    sf.write(wav, audio, rate, subtype="PCM_16")
    subprocess.run(
        ["opusenc", "--quiet", "--bitrate", "32", "--downmix-mono", str(wav), str(out)],
        check=True,
    )


def main() -> int:
    notes = yaml.safe_load((HERE / "notes.yml").read_text(encoding="utf-8"))
    rng = np.random.default_rng(15)
    clips = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for i, note in enumerate(notes):
            for j in range(2):
                n = 2 * i + j
                voice = VOICES[(i + j * 2 + (i // len(VOICES))) % len(VOICES)]
                noisy = n % 3 == 2
                file = f"{n:02d}-{voice}{'-noisy' if noisy else ''}.ogg"
                speak(voice, note["q"], tmp / "speech.wav")
                audio, rate = sf.read(tmp / "speech.wav", dtype="float64", always_2d=False)
                audio = audio / max(1e-9, float(np.max(np.abs(audio)))) * 0.8
                audio = np.concatenate([np.zeros(rate // 4), audio, np.zeros(rate // 4)])
                if noisy:
                    audio = add_noise(audio, rng)
                encode(audio, rate, HERE / file, tmp)
                size = (HERE / file).stat().st_size
                if size > MAX_BYTES:
                    print(f"{file}: {size} bytes, over {MAX_BYTES}", file=sys.stderr)
                    return 1
                clips.append({"file": file, **note, "voice": voice, "noisy": noisy})
        # A silent note (just room hiss far below speech) for the "nothing heard" answer.
        silence = rng.standard_normal(16000 * 3) * 1e-4
        encode(silence, 16000, HERE / "silence.ogg", tmp)
    header = (
        "# Made by make_clips.py from notes.yml; do not edit by hand.\n"
        "# file = the clip, q = the words spoken, want/kind as in notes.yml, voice, noisy.\n"
    )
    body = "".join(
        "- " + yaml.safe_dump(c, default_flow_style=True, sort_keys=False, width=1000)
        for c in clips
    )
    (HERE / "clips.yml").write_text(header + body, encoding="utf-8")
    print(f"{len(clips)} clips, {sum(c['noisy'] for c in clips)} with noise")
    return 0


if __name__ == "__main__":
    sys.exit(main())
