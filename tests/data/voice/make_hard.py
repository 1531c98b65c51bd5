"""Make the harder tuning clips: every note in hard/notes.yml spoken twice by the first set's
voices (make_clips.py), faster than there, once clean and once with noise at 5 dB SNR.

These clips belong to the first set (tuned on): the first set's own urgent clips are all
answered, so there is nothing left to tune on in it. The noise is made here with numpy:
babble (other sentences of the first set's notes spoken by the same voices, four at a time),
mains hum (50 Hz and its harmonics over brown noise) or street noise (low rumble with passing
swells and a short horn). Needs what make_clips.py needs (espeak-ng, festival, opus-tools,
numpy + soundfile). The clips are committed, so tests and CI never run this.

Usage: python tests/data/voice/make_hard.py
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
OUT = HERE / "hard"
RATE = 16_000
VOICES = ("espeak-us", "espeak-gb-f", "festival-kal", "espeak-scot-slow")
"""The first set's voices (make_clips.py), here sped up (:data:`SPEED`)."""
SPEED = 1.25
"""How much faster than make_clips.py's rates each voice speaks."""
NOISES = ("babble", "hum", "street")
SNR_DB = 5.0
MAX_BYTES = 30_000


def speak(voice: str, text: str, wav: Path) -> None:
    """Render ``text`` with one of VOICES, :data:`SPEED` times its make_clips.py rate."""
    if voice == "festival-kal":
        subprocess.run(
            [
                "text2wave",
                "-eval",
                "(voice_kal_diphone)",
                "-eval",
                f"(Parameter.set 'Duration_Stretch {1 / SPEED:.2f})",
                "-o",
                str(wav),
            ],
            input=text.encode(),
            check=True,
            capture_output=True,
        )
        return
    voice_args, rate = {
        "espeak-us": (["-v", "en-us"], 165),
        "espeak-gb-f": (["-v", "en-gb+f3"], 160),
        "espeak-scot-slow": (["-v", "en-gb-scotland+m3", "-p", "35"], 140),
    }[voice]
    subprocess.run(
        ["espeak-ng", *voice_args, "-s", str(round(rate * SPEED)), "-w", str(wav), text],
        check=True,
        capture_output=True,
    )


def load(wav: Path) -> np.ndarray:
    """``wav`` as mono float64 at :data:`RATE`, peak 0.8."""
    audio, rate = sf.read(wav, dtype="float64", always_2d=True)
    audio = audio.mean(axis=1)
    if rate != RATE:
        import soxr

        audio = soxr.resample(audio, rate, RATE)
    return audio / max(1e-9, float(np.max(np.abs(audio)))) * 0.8


def brown(n: int, rng: np.random.Generator) -> np.ndarray:
    """Brown (1/f^2) noise of ``n`` samples with unit RMS."""
    noise = np.cumsum(rng.standard_normal(n))
    noise -= np.linspace(noise[0], noise[-1], n)
    return noise / max(1e-9, float(np.sqrt(np.mean(noise**2))))


def babble(n: int, talkers: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Four other talkers at once, each from a random point, looped to ``n`` samples."""
    out = np.zeros(n)
    for k in rng.choice(len(talkers), size=4, replace=False):
        talk = np.tile(talkers[k], n // len(talkers[k]) + 2)
        start = int(rng.integers(0, len(talkers[k])))
        out += talk[start : start + n] * rng.uniform(0.6, 1.0)
    return out / max(1e-9, float(np.sqrt(np.mean(out**2))))


def hum(n: int, rng: np.random.Generator) -> np.ndarray:
    """Mains hum (50 Hz and harmonics, slightly wandering) over brown noise."""
    t = np.arange(n) / RATE
    drift = 0.3 * np.sin(2 * np.pi * 0.2 * t)
    tone = sum(
        a * np.sin(2 * np.pi * f * (t + drift / 50) + rng.uniform(0, 2 * np.pi))
        for f, a in ((50, 1.0), (100, 0.6), (150, 0.5), (250, 0.3), (350, 0.15))
    )
    tone = tone / np.sqrt(np.mean(tone**2))
    out = tone + 0.7 * brown(n, rng)
    return out / np.sqrt(np.mean(out**2))


def street(n: int, rng: np.random.Generator) -> np.ndarray:
    """Traffic: rumble (brown noise), cars passing (swells of filtered white noise), a horn."""
    t = np.arange(n) / RATE
    rumble = brown(n, rng)
    hiss = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same")
    swell = np.zeros(n)
    for _ in range(max(1, n // (RATE * 2))):
        centre = rng.uniform(0, n / RATE)
        swell += np.exp(-(((t - centre) / rng.uniform(0.4, 1.0)) ** 2))
    out = rumble + 1.5 * hiss / np.sqrt(np.mean(hiss**2)) * (0.3 + swell)
    start = int(rng.integers(0, max(1, n - RATE // 3)))
    length = min(n - start, RATE // 3)
    horn = np.sin(2 * np.pi * 420 * t[:length]) + 0.5 * np.sin(2 * np.pi * 840 * t[:length])
    out[start : start + length] += 2.0 * horn
    return out / np.sqrt(np.mean(out**2))


def mix(audio: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """``noise`` at SNR_DB below the speech (its louder half of the frames), peak-limited."""
    frames = audio[: len(audio) // 160 * 160].reshape(-1, 160)
    energy = np.mean(frames**2, axis=1)
    speech_power = float(np.mean(energy[energy >= np.median(energy)]))
    mixed = audio + noise * np.sqrt(speech_power / 10 ** (SNR_DB / 10))
    return mixed / max(1.0, float(np.max(np.abs(mixed))) / 0.95)


def encode(audio: np.ndarray, out: Path, tmp: Path) -> None:
    """Encode as Telegram does (OGG/Opus, opusenc resamples to 48 kHz, 32 kbit/s)."""
    wav = tmp / "mix.wav"
    sf.write(wav, audio, RATE, subtype="PCM_16")
    subprocess.run(
        ["opusenc", "--quiet", "--bitrate", "32", "--downmix-mono", str(wav), str(out)],
        check=True,
    )


def main() -> int:
    notes = yaml.safe_load((OUT / "notes.yml").read_text(encoding="utf-8"))
    others = yaml.safe_load((HERE / "notes.yml").read_text(encoding="utf-8"))
    rng = np.random.default_rng(24)
    clips = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        talkers = []
        for k, note in enumerate(others[:12]):
            speak(VOICES[k % len(VOICES)], note["q"], tmp / "talker.wav")
            talkers.append(load(tmp / "talker.wav"))
        for i, note in enumerate(notes):
            for j in range(2):
                n = 2 * i + j
                voice = VOICES[(i + 3 * j) % len(VOICES)]
                noise = NOISES[i % len(NOISES)] if j == 1 else None
                file = f"{n:02d}-{voice}-fast{'-' + noise if noise else ''}.ogg"
                speak(voice, note["q"], tmp / "speech.wav")
                audio = load(tmp / "speech.wav")
                audio = np.concatenate([np.zeros(RATE // 4), audio, np.zeros(RATE // 4)])
                if noise == "babble":
                    audio = mix(audio, babble(len(audio), talkers, rng))
                elif noise == "hum":
                    audio = mix(audio, hum(len(audio), rng))
                elif noise == "street":
                    audio = mix(audio, street(len(audio), rng))
                encode(audio, OUT / file, tmp)
                size = (OUT / file).stat().st_size
                if size > MAX_BYTES:
                    print(f"{file}: {size} bytes, over {MAX_BYTES}", file=sys.stderr)
                    return 1
                clips.append(
                    {
                        "file": file,
                        **note,
                        "voice": voice,
                        "noisy": noise is not None,
                        "noise": noise or "none",
                        "speed": SPEED,
                    }
                )
    header = (
        "# Made by ../make_hard.py from notes.yml; do not edit by hand. Tuning clips (the first\n"
        "# set), harder: faster speech, noise at 5 dB SNR.\n"
        "# file = the clip, q = the words spoken, want/kind as in notes.yml, voice, noisy, noise,\n"
        "# speed (against make_clips.py's rates).\n"
    )
    body = "".join(
        "- " + yaml.safe_dump(c, default_flow_style=True, sort_keys=False, width=1000)
        for c in clips
    )
    (OUT / "clips.yml").write_text(header + body, encoding="utf-8")
    print(f"{len(clips)} clips, {sum(c['noisy'] for c in clips)} with noise")
    return 0


if __name__ == "__main__":
    sys.exit(main())
