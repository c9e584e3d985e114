"""What the pipeline waits with: the per-host politeness delay and retry back-off. Tests
hand in a clock that records the waits instead of sleeping through them."""

from __future__ import annotations

import time


class Clock:
    def time(self) -> float:
        """Seconds since the epoch (shared with other processes through slot files)."""
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = Clock()
