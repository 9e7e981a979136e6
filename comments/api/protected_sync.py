"""Keeps the running pipeline's protected list in step with the database.

A change made through this app applies at once (`refresh(force=True)` after the write);
one made elsewhere (`comments protected add`, another replica) is seen by a poll of a cheap
version, the count and newest creation time of the list, every `POLL_SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from comments.store import repo

log = logging.getLogger("comments.api")
POLL_SECONDS = 5.0


def protected_signal(pipeline):
    """The pipeline's protected-identity signal, or None (a stub pipeline, or none loaded)."""
    return getattr(getattr(pipeline, "engine", None), "protected", None)


class ProtectedSync:
    """Reloads the protected digests into the pipeline when the stored list changes."""

    def __init__(self, url: str, poll_seconds: float = POLL_SECONDS) -> None:
        self.url, self.poll_seconds = url, poll_seconds
        self.version: tuple | None = None
        self._lock = threading.Lock()

    def refresh(self, pipeline, force: bool = False) -> bool:
        """Reload when the version moved (or `force`); True when the digests were replaced."""
        signal = protected_signal(pipeline)
        if signal is None:
            return False
        from comments.store import protected

        with self._lock:
            # Version first, digests second: a change in between is picked up by the next poll.
            version = repo.protected_version(self.url)
            if version == self.version and not force:
                return False
            signal.digests = protected.all_digests(self.url)  # one reference swap: scoring threads see old or new
            self.version = version
        return True

    async def poll(self, runtime) -> None:
        """Refresh every `poll_seconds` until cancelled; a failed poll is logged and retried."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                await loop.run_in_executor(None, self.refresh, runtime.pipeline)
            except Exception as exc:  # noqa: BLE001 - the database may be briefly away; keep the old list
                log.warning("protected list not refreshed: %s", type(exc).__name__)
