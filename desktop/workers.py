"""THE module that owns background work in the GUI.

A ``TaskManager`` runs jobs on lanes: ``"general"`` (two at a time: analysis, store queries,
downloads), ``"translator"`` (one at a time, so requests never race over a loaded model) and
``"io"`` (one at a time: autosave writes, so they land in the order they were taken and the GUI
thread never waits for an fsync).
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
import os
import sys
import threading
import traceback
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from models.errors import Cancelled, NordbriefError

log = logging.getLogger(__name__)

LANES: dict[str, int] = {"general": 2, "translator": 1, "io": 1}


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
        self.delivered = False  # ``done`` reached the GUI thread (set by the TaskManager)

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


# How much nicer than the GUI thread background work runs. On two cores CTranslate2's threads
# otherwise compete as equals with the GUI thread, which then misses paints; niceness only matters
# while the GUI wants the CPU, so throughput with an idle window is unchanged.
BACKGROUND_NICENESS = 5


def lower_thread_priority() -> None:
    """Lower the calling thread's scheduling priority (Linux: per-thread nice, inherited by the
    threads it starts, e.g. CTranslate2's worker and its OpenMP pool when a model loads here).
    Elsewhere a no-op: the app works the same, only with less headroom for painting."""
    if sys.platform != "linux":
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICENESS)
    except (OSError, AttributeError):
        pass  # not permitted in some sandboxes: keep the default priority


class _Lane:
    def __init__(self, name: str, max_threads: int, on_finished: Callable[[], None]) -> None:
        self.name = name
        self.on_finished = on_finished
        self.max_threads = max_threads
        self.queue: collections.deque[Job] = collections.deque()
        self.threads: list[threading.Thread] = []
        self.running: set[Job] = set()
        # Jobs the worker has finished with. The worker must never drop the last reference to a
        # Job: that would destroy a GUI-thread QObject from the worker thread, racing the queued
        # delivery of its signals (a segfault seen under load). The TaskManager empties this list
        # in the GUI thread once the job's ``done`` has been delivered there.
        self.finished: list[Job] = []
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
        lower_thread_priority()
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
                    self.finished.append(job)
                del job  # the lane's list holds it now; released in the GUI thread
                self.on_finished()

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

    _worker_finished = Signal()  # emitted by a worker thread, handled (queued) in the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker_finished.connect(self._reap)
        self._lanes = {name: _Lane(name, n, self._worker_finished.emit) for name, n in LANES.items()}
        self._jobs: set[Job] = set()  # keep Python references until done
        self._closed = False

    def submit(self, job: Job) -> Job:
        if self._closed:
            raise RuntimeError("task manager is shut down")
        self._jobs.add(job)
        job.done.connect(self._job_done)
        self._lanes[job.lane].submit(job)
        return job

    def _job_done(self) -> None:
        """In the GUI thread: forget finished jobs, after every slot of this ``done`` has run."""
        job = self.sender()
        if isinstance(job, Job):
            job.delivered = True
            self._jobs.discard(job)
        QTimer.singleShot(0, self, self._reap)

    def _reap(self) -> None:
        """Release (in this, the GUI thread) jobs whose worker is through and ``done`` delivered."""
        released: list[Job] = []
        for lane in self._lanes.values():
            with lane.lock:
                keep = [j for j in lane.finished if not j.delivered]
                released.extend(j for j in lane.finished if j.delivered)
                lane.finished = keep
        released.clear()  # the last references go here, outside the locks

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

    def undelivered(self) -> list[Job]:
        """Jobs whose end has not reached the GUI thread yet: a job is ``finished`` in its worker
        thread before its queued result signal runs here, so "idle" must wait for delivery."""
        return [j for j in self._jobs if not j.delivered]

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


# --- Job bodies: the engine calls the window runs in the background --------------------------
# They call ``models`` through the same API the CLI uses and touch no widget.


@dataclass
class TranslationProgress:
    """What one translated batch adds: new (index, English) pairs in document order, and totals."""

    new: list[tuple[int, str]]
    done: int
    total: int
    words: int  # source words translated so far, for the words/s figure


def analyse(text: str, file: str | None, bullets: int) -> Callable[[CancelToken], Any]:
    """Segment and summarize (Norwegian bullets work without any model)."""

    def job(token: CancelToken) -> Any:
        from models import pipeline

        article = pipeline.article_from_text(text, file=file)
        token.raise_if_cancelled()
        _summarize(article, bullets)
        return article

    return job


def warm_up() -> Callable[[CancelToken], Any]:
    """Load the language identifier in small steps after the first paint (it holds the GIL while
    loading; in one piece that froze the window for 0.2-3 s on the first article)."""

    def job(token: CancelToken) -> Any:
        from models import langid

        yield from langid.warm_up_steps()

    return job


def open_file(path: str, bullets: int) -> Callable[[CancelToken], Any]:
    """Read (any format the engine's loader accepts), segment and summarize a file."""

    def job(token: CancelToken) -> Any:
        from models import pipeline

        article = pipeline.load_article(path)
        token.raise_if_cancelled()
        _summarize(article, bullets)
        return article

    return job


def paste_page(html: str, text: str, bullets: int | None) -> Callable[[CancelToken], Any]:
    """Extract the article from a pasted whole web page (trafilatura: ~0.1 s on a big page).

    The clipboard's plain text is the fallback when the page yields no article text; an
    ``InputError`` (neither holds text) reaches the window's failure path. ``bullets=None``
    skips the summary: the text will be inserted into the editor and analysed like typing.
    """

    def job(token: CancelToken) -> Any:
        from models import pipeline

        article = pipeline.article_from_clipboard(html, text)
        token.raise_if_cancelled()
        if bullets is not None:
            _summarize(article, bullets)
        return article

    return job


def _summarize(article: Any, bullets: int) -> None:
    from models import pipeline

    summarize = getattr(pipeline, "summarize_article", None)
    if summarize is not None and article.sentences:
        summarize(article, bullets=bullets)


def load_translator(model: str | None) -> Callable[[CancelToken], Any]:
    """Resolve the (default) model and load it: seconds of work that must never block paint."""

    def job(token: CancelToken) -> Any:
        from models.store import resolve_model

        installed = resolve_model(model)
        token.raise_if_cancelled()
        try:
            from models.translate import Translator
        except ImportError as exc:
            from models.errors import ModelError

            raise ModelError(f"the translation engine is not available ({exc})") from None
        return installed, Translator(installed.path)

    return job


def translate(article: Any, translator: Any, installed: Any) -> Callable[[CancelToken], Any]:
    """Translate sentence batches in document order, then run the fact check.

    The generator yields a ``TranslationProgress`` per batch; the window streams those into the
    pane. The engine's translation memory makes re-translating an edited article cheap.
    """

    def job(token: CancelToken) -> Generator[TranslationProgress, None, Any]:
        from models import pipeline
        from models.article import ModelInfo

        if article.model is None and installed is not None:
            article.model = ModelInfo(
                name=installed.name,
                path=str(installed.path),
                revision=installed.revision,
                license=installed.license,
                attribution=installed.attribution,
            )
        total = len(article.sentences)
        reported: set[int] = set()
        words = 0
        for _batch in _translate_batches(article, translator, token):
            new: list[tuple[int, str]] = []
            for s in article.sentences:
                if s.index not in reported and s.translation is not None:
                    reported.add(s.index)
                    new.append((s.index, s.translation))
                    words += len(s.text.split())
            yield TranslationProgress(new, len(reported), total, words)
            token.raise_if_cancelled()
        check = getattr(pipeline, "check_article", None)
        if check is not None:
            check(article)
        return article

    return job


def _translate_batches(article: Any, translator: Any, token: CancelToken) -> Any:
    """The engine's ``translate_article``; until it lands, the translator's own stream."""
    from models import pipeline

    engine = getattr(pipeline, "translate_article", None)
    if engine is not None:
        yield from engine(article, translator, cancel=token)
        return
    texts = [s.text for s in article.sentences]
    for batch in translator.stream(texts, cancel=token):
        for i, english in batch:
            article.sentences[i].translation = english
        yield batch


def download(name: str | None) -> Callable[[CancelToken], Any]:
    """Download and install a model with the store; progress arrives as (done, total, label)."""

    def call(store: Any, progress: Callable[..., None], token: CancelToken) -> Any:
        return store.download_model(name, progress=progress, cancel=token)

    return _store_job(call, "nordbrief-download")


def import_model(path: str) -> Callable[[CancelToken], Any]:
    """Install a model folder (Hugging Face checkpoint or CTranslate2) or an ``.argosmodel`` with
    the store, as ``nordbrief models import PATH`` does; converting a checkpoint takes a while,
    so progress arrives like a download's."""

    def call(store: Any, progress: Callable[..., None], token: CancelToken) -> Any:
        return store.import_model(path, progress=progress, cancel=token)

    return _store_job(call, "nordbrief-import")


def _store_job(
    call: Callable[[Any, Callable[..., None], CancelToken], Any], thread_name: str
) -> Callable[[CancelToken], Any]:
    """A job running one blocking store call that reports through a progress callback."""

    def job(token: CancelToken) -> Generator[Any, None, Any]:
        import queue

        from models import store

        updates: queue.Queue[Any] = queue.Queue()
        outcome: dict[str, Any] = {}

        def progress(*args: Any) -> None:
            updates.put(args)

        def work() -> None:
            try:
                outcome["result"] = call(store, progress, token)
            except BaseException as exc:  # handed back to the job thread below
                outcome["error"] = exc
            finally:
                updates.put(None)

        # The store's call blocks; run it in a helper thread joined before we return, and
        # turn its callback calls into yields so progress flows through the usual signal.
        helper = threading.Thread(target=work, name=thread_name, daemon=True)
        helper.start()
        try:
            while True:
                item = updates.get()
                if item is None:
                    break
                yield item
        finally:
            if not outcome:  # closed early (cancelled): tell the store to stop, then wait
                token.cancel()
            helper.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")

    return job


def autosave(data: str) -> Callable[[CancelToken], Any]:
    """Write a session snapshot (``desktop.session.snapshot``) atomically, off the GUI thread."""

    def job(token: CancelToken) -> Any:
        from desktop import session

        return session.save_text(data)

    return job
