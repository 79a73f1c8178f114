"""Write console/resources/sounds/alert.wav: the threshold alert's sound (two short tones,
880 Hz then 660 Hz, 16-bit mono 22.05 kHz, about 0.6 s). Deterministic: running it again
gives the same bytes.

    python tools/make_alert_sound.py
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
OUT = Path(__file__).resolve().parent.parent / "console" / "resources" / "sounds" / "alert.wav"


def tone(freq: float, seconds: float, volume: float = 0.5) -> list[int]:
    n = int(RATE * seconds)
    fade = int(RATE * 0.01)  # 10 ms in and out: no clicks
    samples = []
    for i in range(n):
        envelope = min(1.0, i / fade, (n - 1 - i) / fade)
        samples.append(int(32767 * volume * envelope * math.sin(2 * math.pi * freq * i / RATE)))
    return samples


def main() -> None:
    samples = tone(880, 0.22) + [0] * int(RATE * 0.08) + tone(660, 0.3)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    print(f"{OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
