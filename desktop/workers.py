"""THE module that owns background work in the GUI.

A ``TaskManager`` runs jobs on lanes: ``"general"`` (two at a time: analysis, store queries,
downloads) and ``"translator"`` (one at a time, so requests never race over a loaded model).
A job is a function taking a ``CancelToken``; if it returns a generator, the generator runs in the
worker, every yielded item is delivered as progress and cancel is checked between yields. Results,
progress and errors reach the GUI thread only through Qt signals (queued across threads).

Lanes use plain Python threads that exit when their queue is empty: on quit ``shutdown`` cancels
everything and joins them, so no thread outlives the window (the test suite checks that). Threads
are never killed: a job stops at its next yield.
"""

from __future__ import annotations

import collections
import inspect
import logging
import threading
import traceback
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from models.errors import Cancelled, NordbriefError

log = logging.getLogger(__name__)

LANES: dict[str, int] = {"general": 2, "translator": 1}


class CancelToken:
    """A flag the job checks between batches (``raise_if_cancelled``) — never a thread kill."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:  # engine APIs accept ``cancel=callable``
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass
class JobError:
    """A failure as the GUI shows it: one friendly line, plus the traceback for real bugs."""

    message: str
    user_error: bool
    details: str = ""


class Job(QObject):
    """One unit of background work; connect to its signals before ``TaskManager.submit``."""

    progress = Signal(object)  # each item the job's generator yields
    succeeded = Signal(object)  # the return value
    failed = Signal(object)  # a JobError
    cancelled = Signal()
    done = Signal()  # always last, after exactly one of succeeded/failed/cancelled

    def __init__(self, name: str, fn: Callable[[CancelToken], Any], lane: str = "general") -> None:
        super().__init__()
        if lane not in LANES:
            raise ValueError(f"unknown lane {lane!r}")
        self.name = name
        self.fn = fn
        self.lane = lane
        self.token = CancelToken()
        self.finished = False

    def cancel(self) -> None:
        self.token.cancel()

    def _run(self) -> None:
        """Runs in a worker thread: everything leaves it through signals."""
        try:
            self.token.raise_if_cancelled()
            result = self.fn(self.token)
            if inspect.isgenerator(result):
                result = self._drain(result)
            self.token.raise_if_cancelled()
        except Cancelled:
            self.cancelled.emit()
        except NordbriefError as exc:
            self.failed.emit(JobError(exc.message, True))
        except Exception as exc:  # a bug: keep the traceback for the details pane
            log.error("job %s failed: %s", self.name, type(exc).__name__)
            self.failed.emit(JobError(f"{type(exc).__name__}: {exc}", False, traceback.format_exc()))
        else:
            self.succeeded.emit(result)
        finally:
            self.finished = True
            self.done.emit()

    def _drain(self, gen: Generator[Any, None, Any]) -> Any:
        try:
            while True:
                item = next(gen)
                self.progress.emit(item)
                if self.token.cancelled:
                    gen.close()
                    raise Cancelled()
        except StopIteration as stop:
            return stop.value


class _Lane:
    def __init__(self, name: str, max_threads: int) -> None:
        self.name = name
        self.max_threads = max_threads
        self.queue: collections.deque[Job] = collections.deque()
        self.threads: list[threading.Thread] = []
        self.running: set[Job] = set()
        self.lock = threading.Lock()

    def submit(self, job: Job) -> None:
        with self.lock:
            self.queue.append(job)
            self.threads = [t for t in self.threads if t.is_alive()]
            if len(self.threads) < self.max_threads:
                t = threading.Thread(target=self._loop, name=f"nordbrief-{self.name}", daemon=True)
                self.threads.append(t)
                t.start()

    def _loop(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    return
                job = self.queue.popleft()
                self.running.add(job)
            try:
                job._run()
            finally:
                with self.lock:
                    self.running.discard(job)

    def cancel_all(self) -> None:
        with self.lock:
            pending = list(self.queue)
            self.queue.clear()
            running = list(self.running)
        for job in running:
            job.cancel()
        for job in pending:
            job.cancel()
            job.cancelled.emit()
            job.finished = True
            job.done.emit()

    def join(self, timeout: float) -> bool:
        with self.lock:
            threads = list(self.threads)
        for t in threads:
            t.join(timeout)
        return not any(t.is_alive() for t in threads)


class TaskManager(QObject):
    """Owns the lanes; the window holds one and calls ``shutdown`` when it closes."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lanes = {name: _Lane(name, n) for name, n in LANES.items()}
        self._jobs: set[Job] = set()  # keep Python references until done
        self._closed = False

    def submit(self, job: Job) -> Job:
        if self._closed:
            raise RuntimeError("task manager is shut down")
        self._jobs.add(job)
        job.done.connect(lambda j=job: self._jobs.discard(j))
        self._lanes[job.lane].submit(job)
        return job

    def run(
        self,
        name: str,
        fn: Callable[[CancelToken], Any],
        *,
        lane: str = "general",
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[JobError], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> Job:
        """Create, wire and submit a job in one call (callbacks run in the GUI thread)."""
        job = Job(name, fn, lane)
        if on_progress:
            job.progress.connect(on_progress)
        if on_success:
            job.succeeded.connect(on_success)
        if on_error:
            job.failed.connect(on_error)
        if on_cancel:
            job.cancelled.connect(on_cancel)
        if on_done:
            job.done.connect(on_done)
        return self.submit(job)

    def active(self) -> list[Job]:
        return [j for j in self._jobs if not j.finished]

    def cancel_all(self) -> None:
        for lane in self._lanes.values():
            lane.cancel_all()

    def wait(self, timeout: float = 30.0) -> bool:
        """Join every lane's threads; True if all stopped in time."""
        return all(lane.join(timeout) for lane in self._lanes.values())

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Cancel everything and wait for the workers to reach their next yield and exit."""
        self._closed = True
        self.cancel_all()
        ok = self.wait(timeout)
        if not ok:
            log.warning("background work did not stop within %.0f s", timeout)
        return ok
