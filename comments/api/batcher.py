"""Coalesces concurrent single-score requests into one `score_batch` call.

Scoring a batch costs far less per comment than scoring one at a time (the model runs
once per batch), so while a batch is being scored, new requests wait and go together
in the next one. Nothing waits on purpose: an idle server scores a lone request at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial


class ScoreBatcher:
    """Runs `score(requests) -> results` on its own threads, at most `workers` batches at a time; a
    result may be an exception, raised to that request alone. When a whole batch fails, each request
    is tried again alone.

    The threads are a plain executor (one queue put and one loop callback per batch), cheaper
    per hand-off than anyio's worker threads; `run` puts other scoring work on the same threads.
    """

    def __init__(self, score: Callable[[list], list], workers: int = 2, max_batch: int = 64) -> None:
        self.score, self.workers, self.max_batch = score, workers, max_batch
        self.executor = ThreadPoolExecutor(workers, thread_name_prefix="comments-score")
        self._pending: list[tuple[object, asyncio.Future]] = []
        self._tasks: set[asyncio.Task] = set()

    async def run(self, fn: Callable, *args):
        """`fn(*args)` on a scoring thread (for work that is already a batch)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, partial(fn, *args))

    async def submit(self, request):
        """Score one request, batched with whatever else is waiting."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if len(self._tasks) < self.workers:
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    def close(self) -> None:
        """Stop the threads once queued work is done."""
        self.executor.shutdown(wait=False)

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            requests = [r for r, _ in batch]
            try:
                results = await self.run(self.score, requests)
            except Exception:  # noqa: BLE001 - one bad request must not fail its neighbours: retry alone
                for request, future in batch:
                    await self._one(request, future)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    _settle(future, result)

    async def _one(self, request, future: asyncio.Future) -> None:
        try:
            result = (await self.run(self.score, [request]))[0]
        except Exception as exc:  # noqa: BLE001 - handed to the waiting request's handler
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                _settle(future, result)


def _settle(future: asyncio.Future, result) -> None:
    """A result that is an exception is that request's error (`score` may fail one request of a batch)."""
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
