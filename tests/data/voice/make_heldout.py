"""Make the held-out voice clips: every note in heldout/notes.yml spoken by two synthetic
voices that the first set (make_clips.py) never used, at 0.85x-1.2x speed, a third of them
with babble of other talkers, mains hum or street noise at 10 dB SNR.

Nothing in the bot is tuned on these clips; they measure how the voice path does on voices
and rooms it has never heard. Needs Debian's flite, festival, festvox-kdlpc16k,
festvox-us-slt-hts, espeak-ng, sox and opus-tools (``apt-get install -y flite festival
festvox-kdlpc16k festvox-us-slt-hts espeak-ng sox opus-tools``) and numpy + soundfile (the
``voice`` extra). The clips are committed, so tests and CI never run this. Each clip is
encoded as Telegram sends a voice note: OGG/Opus, 48 kHz, mono, 32 kbit/s.

Usage: python tests/data/voice/make_heldout.py
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
OUT = HERE / "heldout"
RATE = 16_000
VOICES = (
    "flite-slt",
    "festival-ked",
    "flite-awb",
    "festival-slt-hts",
    "flite-rms",
    "espeak-caribbean",
)
"""None of these is in make_clips.py's VOICES."""
SPEEDS = (0.85, 0.95, 1.0, 1.1, 1.2)
NOISES = ("babble", "hum", "street")
SNR_DB = 10.0
MAX_BYTES = 30_000
OPUSENC = ("opusenc", "--quiet", "--bitrate", "32", "--downmix-mono", "--serial", "24")
BABBLE = (
    "The meeting has moved to the second floor after lunch on Thursday.",
    "She said the garden needs watering twice a week in the summer.",
    "We could take the early bus and be home before the news starts.",
    "Put the blue folder on the shelf next to the printer, please.",
    "The bakery on the corner sells bread until six in the evening.",
    "He forgot his umbrella again and came back soaking wet.",
)
"""What the other talkers in the babble say (made-up small talk)."""
BABBLE_VOICES = (
    ["espeak-ng", "-v", "en-gb-x-rp+m4", "-s", "170"],
    ["espeak-ng", "-v", "en-us+f2", "-s", "180"],
    ["espeak-ng", "-v", "en-gb-x-gbclan+m6", "-s", "160"],
    ["flite", "-voice", "kal"],
)


def speak(voice: str, text: str, wav: Path) -> None:
    """Render ``text`` with one of VOICES into ``wav``."""
    if voice.startswith("flite-"):
        name = voice.removeprefix("flite-")
        subprocess.run(["flite", "-voice", name, "-t", text, "-o", str(wav)], check=True)
        return
    if voice.startswith("festival-"):
        name = {"festival-ked": "ked_diphone", "festival-slt-hts": "cmu_us_slt_arctic_hts"}[voice]
        subprocess.run(
            ["text2wave", "-eval", f"(voice_{name})", "-o", str(wav)],
            input=text.encode(),
            check=True,
            capture_output=True,
        )
        return
    args = {"espeak-caribbean": ["-v", "en-029+m2", "-s", "150"]}[voice]
    subprocess.run(["espeak-ng", *args, "-w", str(wav), text], check=True, capture_output=True)


def load(wav: Path, tmp: Path, speed: float = 1.0) -> np.ndarray:
    """``wav`` at 16 kHz mono, its tempo changed by ``speed`` (pitch kept), peak 0.8."""
    out = tmp / "norm.wav"
    effects = ["rate", str(RATE), "channels", "1"]
    if speed != 1.0:
        effects = ["tempo", "-s", str(speed), *effects]
    subprocess.run(["sox", "-D", str(wav), "-b", "16", str(out), *effects], check=True)
    audio, _ = sf.read(out, dtype="float64", always_2d=False)
    return audio / max(1e-9, float(np.max(np.abs(audio)))) * 0.8


def brown(n: int, rng: np.random.Generator) -> np.ndarray:
    """Brown (1/f^2) noise with unit RMS, its lowest rumble taken out."""
    noise = np.cumsum(rng.standard_normal(n))
    noise -= np.convolve(noise, np.ones(801) / 801, mode="same")
    return noise / np.sqrt(np.mean(noise**2))


def babble(n: int, rng: np.random.Generator, talkers: list[np.ndarray]) -> np.ndarray:
    """Three or four other talkers at once, each from a random point of their speech."""
    out = np.zeros(n)
    for voice in rng.choice(len(talkers), size=int(rng.integers(3, 5)), replace=False):
        talk = np.tile(talkers[voice], n // len(talkers[voice]) + 2)
        start = int(rng.integers(0, len(talkers[voice])))
        out += talk[start : start + n] * rng.uniform(0.6, 1.0)
    return out / np.sqrt(np.mean(out**2))


def hum(n: int, rng: np.random.Generator) -> np.ndarray:
    """Mains hum (50 Hz and its harmonics, slightly drifting) over brown noise."""
    t = np.arange(n) / RATE
    f0 = 50.0 + rng.uniform(-0.3, 0.3)
    tone = sum(
        a * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6.28))
        for k, a in ((1, 1.0), (2, 0.6), (3, 0.5), (5, 0.3), (7, 0.15))
    )
    tone = tone / np.sqrt(np.mean(tone**2))
    return (tone + 0.7 * brown(n, rng)) / np.sqrt(1 + 0.49)


def street(n: int, rng: np.random.Generator) -> np.ndarray:
    """Traffic: brown rumble swelling as cars pass, with bursts of tyre hiss."""
    t = np.arange(n) / RATE
    swell = np.ones(n) * 0.4
    for _ in range(int(rng.integers(2, 4))):
        centre, width = rng.uniform(0, t[-1] + 0.1), rng.uniform(0.6, 1.5)
        swell += np.exp(-(((t - centre) / width) ** 2))
    hiss = rng.standard_normal(n)
    hiss = np.convolve(hiss, np.ones(4) / 4, mode="same")
    noise = swell * (brown(n, rng) + 0.4 * hiss / np.sqrt(np.mean(hiss**2)))
    return noise / np.sqrt(np.mean(noise**2))


def mix(audio: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """``noise`` at SNR_DB below the speech (the louder half of its frames)."""
    frames = audio[: len(audio) // 160 * 160].reshape(-1, 160)
    energy = np.mean(frames**2, axis=1)
    speech_power = float(np.mean(energy[energy >= np.median(energy)]))
    mixed = audio + noise * np.sqrt(speech_power / 10 ** (SNR_DB / 10))
    return mixed / max(1.0, float(np.max(np.abs(mixed))) / 0.95)


def encode(audio: np.ndarray, out: Path, tmp: Path) -> None:
    """Encode as Telegram does (opusenc resamples to 48 kHz); a fixed stream serial number
    and no dither (sox ``-D``) make the files the same on every run."""
    wav = tmp / "mix.wav"
    sf.write(wav, audio, RATE, subtype="PCM_16")
    subprocess.run(
        [*OPUSENC, str(wav), str(out)],
        check=True,
    )


def main() -> int:
    notes = yaml.safe_load((OUT / "notes.yml").read_text(encoding="utf-8"))
    rng = np.random.default_rng(24)
    clips = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        talkers = []
        for i, command in enumerate(BABBLE_VOICES):
            wav = tmp / f"talker{i}.wav"
            text = " ".join(BABBLE[i:] + BABBLE[:i])
            if command[0] == "flite":
                subprocess.run([*command, "-t", text, "-o", str(wav)], check=True)
            else:
                subprocess.run([*command, "-w", str(wav), text], check=True)
            talkers.append(load(wav, tmp))
        for i, note in enumerate(notes):
            first = i % len(VOICES)
            second = (first + 1 + i // len(VOICES)) % len(VOICES)
            for j, voice in enumerate((VOICES[first], VOICES[second])):
                n = 2 * i + j
                noise = NOISES[(n // 3) % len(NOISES)] if n % 3 == 2 else ""
                speed = float(rng.choice(SPEEDS))
                file = f"h{n:02d}-{voice}{'-' + noise if noise else ''}.ogg"
                speak(voice, note["q"], tmp / "speech.wav")
                audio = load(tmp / "speech.wav", tmp, speed)
                audio = np.concatenate([np.zeros(RATE // 4), audio, np.zeros(RATE // 4)])
                if noise == "babble":
                    audio = mix(audio, babble(len(audio), rng, talkers))
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
                    {"file": file, **note, "voice": voice, "speed": speed, "noisy": bool(noise)}
                    | ({"noise": noise} if noise else {})
                )
    header = (
        "# Made by ../make_heldout.py from notes.yml; do not edit by hand. Held out: nothing\n"
        "# in the bot is tuned on these clips.\n"
        "# file = the clip, q = the words spoken, want/kind as in notes.yml, voice, speed,\n"
        "# noisy, noise (babble | hum | street).\n"
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
