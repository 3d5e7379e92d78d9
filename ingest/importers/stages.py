"""
A stage of the importer's background pipeline: a thread with its own database connection that works on
one batch at a time, in order, with at most one batch waiting in line (so memory stays bounded). An
error in the work is kept and raised in the caller's thread at its next submit() or close().
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


class Stage(threading.Thread):
    """One stage of the importer's pipeline: runs `work` on each batch in order, on its own connection."""

    def __init__(self, name: str, work: Callable[[Any], None]):
        super().__init__(name=name, daemon=True)
        self.work = work
        self.batches: queue.Queue[Any] = queue.Queue(maxsize=1)  # a batch; None: the end
        self.error: BaseException | None = None
        self.abandoned = False
        self.start()

    def run(self) -> None:
        try:
            while (items := self.batches.get()) is not None:
                if self.error is None and not self.abandoned:
                    try:
                        self.work(items)
                    except BaseException as error:  # re-raised in the caller's thread
                        self.error = error
        finally:
            connections.close_all()  # this thread's connections only

    def submit(self, batch) -> None:
        self._reraise()
        self.batches.put(batch)  # waits while a batch is already in line

    def close(self) -> None:
        self.batches.put(None)
        self.join()
        self._reraise()

    def stop(self) -> None:
        """After `abandoned` is set: drop the batches in line and wait for the one being worked on."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.batches.get_nowait()
        self.batches.put(None)
        self.join()

    def _reraise(self) -> None:
        if self.error is not None:
            raise self.error
