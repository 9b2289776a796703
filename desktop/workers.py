"""THE module that owns background work in the GUI.

A ``TaskManager`` runs jobs on lanes, each a ``concurrent.futures.ThreadPoolExecutor``:
``"general"`` (two at a time: analysis, store queries, downloads), ``"translator"`` (one at a
time, so requests never race over a loaded model) and ``"io"`` (one at a time: autosave writes,
so they land in the order they were taken and the GUI thread never waits for an fsync).

A job is a function taking a ``CancelToken``. If it returns a generator, the generator runs in
the worker and every yielded item is delivered as progress (a blocking engine call can report
through ``token.report`` instead); cancel is checked between items, threads are never killed.
Everything a worker has to say (progress, result, error, cancelled) reaches the GUI thread
through ONE queued signal that runs the job's callbacks there (Anki's ``taskman`` pattern). The
worker never holds the ``Job`` or its callbacks, so whatever those capture (widgets, text
cursors) is created, used and released on the GUI thread only. On quit ``shutdown`` cancels
everything and joins the threads, so none outlives the window (the test suite checks that).
"""

from __future__ import annotations

import copy
import inspect
import itertools
import logging
import os
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from PySide6.QtCore import QObject, Signal

from models import pipeline, store
from models.article import Article, FlagDetail, ModelInfo
from models.errors import Cancelled, NoModelInstalled, NordbriefError
from models.settings import EngineSettings
from models.store.progress import DownloadProgress

if TYPE_CHECKING:
    from models.pipeline import Translator

log = logging.getLogger(__name__)

LANES: dict[str, int] = {"general": 2, "translator": 1, "io": 1}
T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P")


class CancelToken:
    """A flag the job checks between batches (``raise_if_cancelled``), never a thread kill; and,
    for an engine call that reports through a callback, ``report`` to send progress."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._report: Callable[[object], None] = lambda item: None
        self._wakers: list[Callable[[], None]] = []
        self._wakers_lock = threading.Lock()

    def cancel(self) -> None:
        with self._wakers_lock:
            self._event.set()
            wakers = list(self._wakers)
        for wake in wakers:
            wake()

    def wake_on_cancel(self, wake: Callable[[], None]) -> Callable[[], None]:
        """``models.translation.engine.WakingCancel``: the engine waits for a CTranslate2 call
        without a polling timer, woken by the Stop itself."""
        with self._wakers_lock:
            if self._event.is_set():
                wake()
                return lambda: None
            self._wakers.append(wake)

        def unregister() -> None:
            with self._wakers_lock:
                if wake in self._wakers:
                    self._wakers.remove(wake)

        return unregister

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:  # engine APIs accept ``cancel=callable``
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def report(self, item: object) -> None:
        """Deliver ``item`` to the job's ``on_progress`` on the GUI thread (from the worker)."""
        self._report(item)


@dataclass
class JobError:
    """A failure as the GUI shows it: one friendly line, plus the traceback for real bugs."""

    message: str
    user_error: bool
    details: str = ""
    error: BaseException | None = field(default=None, repr=False)

    @property
    def no_model(self) -> bool:
        """No translation model is installed at all (the window offers the download)."""
        return isinstance(self.error, NoModelInstalled)


JobFn = Callable[[CancelToken], Any]


_job_ids = itertools.count(1)


@dataclass(eq=False)
class Job(Generic[T]):
    """One unit of background work and what the GUI thread does with its outcome."""

    name: str
    fn: JobFn
    lane: str = "general"
    _: KW_ONLY
    on_success: Callable[[T], None] | None = None
    on_error: Callable[[JobError], None] | None = None
    on_progress: Callable[[Any], None] | None = None
    on_cancel: Callable[[], None] | None = None
    on_done: Callable[[], None] | None = None
    token: CancelToken = field(default_factory=CancelToken)
    finished: bool = False  # its outcome was delivered (GUI thread)
    future: Future[None] | None = None
    id: int = field(default_factory=lambda: next(_job_ids))

    def __post_init__(self) -> None:
        if self.lane not in LANES:
            raise ValueError(f"unknown lane {self.lane!r}")

    def cancel(self) -> None:
        self.token.cancel()


# What a worker posts to the GUI thread: (job id, kind, payload).
_Message = tuple[int, str, Any]


def _work(job_id: int, name: str, fn: JobFn, token: CancelToken, post: Callable[[_Message], None]) -> None:
    """Runs in a worker thread: everything leaves it through ``post``. Deliberately given the
    job's parts, not the ``Job``: its callbacks must never be released here."""
    try:
        token.raise_if_cancelled()
        result = fn(token)
        if inspect.isgenerator(result):
            result = _drain(result, token, lambda item: post((job_id, "progress", item)))
        token.raise_if_cancelled()
    except Cancelled:
        post((job_id, "cancelled", None))
    except NordbriefError as exc:
        post((job_id, "failed", JobError(exc.message, True, error=exc)))
    except Exception as exc:  # a bug: keep the traceback for the details pane
        log.error("job %s failed: %s", name, type(exc).__name__)
        post((job_id, "failed", JobError(f"{type(exc).__name__}: {exc}", False, traceback.format_exc(), exc)))
    else:
        post((job_id, "succeeded", result))


def _drain(gen: Generator[Any, Any, Any], token: CancelToken, progress: Callable[[Any], None]) -> Any:
    try:
        while True:
            item = next(gen)
            progress(item)
            if token.cancelled:
                gen.close()
                raise Cancelled()
    except StopIteration as stop:
        return stop.value


# Background threads used to run at nice +5. On a busy machine that made the window translate
# 10x slower than the CLI (the translator lost the cores to every busy process, a browser), and a
# niced thread holding the GIL (the language identifier loading, the fact check) got so little
# CPU that the GUI thread waited ~1 s for the GIL: priority inversion. So every lane runs at the
# GUI's priority; the GUI stays responsive by design instead (little work per batch on the GUI
# thread, throttled progress). ``lower_thread_priority`` is kept for lanes that need it.
BACKGROUND_NICENESS = 5
NORMAL_PRIORITY_LANES = frozenset(LANES)


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


class TaskManager(QObject):
    """Owns the lanes; the window holds one and calls ``shutdown`` when it closes."""

    _messages_pending = Signal()  # emitted by workers; its slot runs (queued) in the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._messages_pending.connect(self._deliver)
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._jobs: dict[int, Job[Any]] = {}  # submitted, outcome not delivered yet
        self._inbox: deque[_Message] = deque()
        self._lock = threading.Lock()
        self._closed = False

    def _lane(self, name: str) -> ThreadPoolExecutor:
        if name not in self._lanes:
            self._lanes[name] = ThreadPoolExecutor(
                max_workers=LANES[name],
                thread_name_prefix=f"nordbrief-{name}",
                initializer=None if name in NORMAL_PRIORITY_LANES else lower_thread_priority,
            )
        return self._lanes[name]

    def _post(self, message: _Message) -> None:
        """Any thread: queue a message and wake the GUI thread."""
        with self._lock:
            self._inbox.append(message)
        self._messages_pending.emit()

    def _deliver(self) -> None:
        """GUI thread: run the callbacks of every message that arrived."""
        while True:
            with self._lock:
                if not self._inbox:
                    return
                job_id, kind, payload = self._inbox.popleft()
            job = self._jobs.get(job_id)
            if job is None:
                continue  # delivered already (cancelled before it started)
            if kind == "progress":
                if job.on_progress is not None:
                    job.on_progress(payload)
                continue
            self._finish(job, kind, payload)

    def _finish(self, job: Job[Any], kind: str, payload: Any) -> None:
        self._jobs.pop(job.id, None)
        job.finished = True
        try:
            if kind == "succeeded" and job.on_success is not None:
                job.on_success(payload)
            elif kind == "failed" and job.on_error is not None:
                job.on_error(payload)
            elif kind == "cancelled" and job.on_cancel is not None:
                job.on_cancel()
        finally:
            if job.on_done is not None:
                job.on_done()

    def submit(self, job: Job[T]) -> Job[T]:
        if self._closed:
            raise RuntimeError("task manager is shut down")
        self._jobs[job.id] = job
        post, job_id = self._post, job.id

        def report(item: object) -> None:
            post((job_id, "progress", item))

        job.token._report = report
        job.future = self._lane(job.lane).submit(_work, job.id, job.name, job.fn, job.token, post)
        return job

    @overload
    def run(
        self,
        name: str,
        fn: Callable[[CancelToken], Generator[P, None, R]],
        *,
        lane: str = "general",
        on_success: Callable[[R], None] | None = None,
        on_error: Callable[[JobError], None] | None = None,
        on_progress: Callable[[P], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> Job[R]: ...

    @overload
    def run(
        self,
        name: str,
        fn: Callable[[CancelToken], R],
        *,
        lane: str = "general",
        on_success: Callable[[R], None] | None = None,
        on_error: Callable[[JobError], None] | None = None,
        on_progress: Callable[[DownloadProgress], None] | None = None,  # via ``token.report``
        on_cancel: Callable[[], None] | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> Job[R]: ...

    def run(
        self,
        name: str,
        fn: JobFn,
        *,
        lane: str = "general",
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[JobError], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> Job[Any]:
        """Create and submit a job in one call (callbacks run in the GUI thread). A generator job's
        yielded items and a plain job's ``token.report`` items are its progress; the types of
        ``on_success``/``on_progress`` are checked against the job's."""
        job: Job[Any] = Job(
            name,
            fn,
            lane,
            on_success=on_success,
            on_error=on_error,
            on_progress=on_progress,
            on_cancel=on_cancel,
            on_done=on_done,
        )
        return self.submit(job)

    def active(self) -> list[Job[Any]]:
        """Jobs whose outcome has not been delivered on the GUI thread yet (running, queued, or
        finished in a worker with the message still on its way): "idle" means none."""
        return list(self._jobs.values())

    def cancel_all(self) -> None:
        """Cancel every job: a queued one is reported cancelled at once, a running one stops at
        its next yield (or cancel check) and reports then."""
        for job in list(self._jobs.values()):
            job.cancel()
            if job.future is not None and job.future.cancel():
                self._finish(job, "cancelled", None)

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait for every submitted job's worker to return; True if all did in time."""
        futures = [j.future for j in self._jobs.values() if j.future is not None]
        _done, not_done = wait_futures(futures, timeout=timeout)
        return not not_done

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Cancel everything, wait for the workers to reach their next yield, join the threads."""
        self._closed = True
        self.cancel_all()
        ok = self.wait(timeout)
        for executor in self._lanes.values():
            executor.shutdown(wait=ok, cancel_futures=True)
        if not ok:
            log.warning("background work did not stop within %.0f s", timeout)
        self._deliver()  # the outcomes that arrived meanwhile (windows close their state cleanly)
        return ok


# --- Job bodies: the engine calls the window runs in the background ---------------------------
# They call the engine through ``models.pipeline`` (and the model store's API, ``models.store``)
# like the CLI does, touch no widget, and never write into an article the window shows.


@dataclass
class TranslationProgress:
    """What one translated batch adds: new results (sentences in document order, then the
    compressed bullets' own English), and the totals in sentences."""

    new: list[pipeline.Translated]
    done: int
    total: int
    words: int  # source words translated so far, for the words/s figure


def analyse(
    text: str, file: str | None, bullets: int, order: str = "article"
) -> Callable[[CancelToken], Article]:
    """Segment and summarize (Norwegian bullets work without any model)."""

    def job(token: CancelToken) -> Article:
        article = pipeline.article_from_text(text, file=file)
        token.raise_if_cancelled()
        return _summarized(article, bullets, order)

    return job


def warm_up() -> Callable[[CancelToken], Iterator[int]]:
    """Load the language identifier in small steps after the first paint (it holds the GIL while
    loading; in one piece that froze the window for 0.2-3 s on the first article)."""

    def job(token: CancelToken) -> Iterator[int]:
        yield from pipeline.warm_up_steps()

    return job


def open_file(path: str, bullets: int, order: str = "article") -> Callable[[CancelToken], Article]:
    """Read (any format the engine's loader accepts), segment and summarize a file."""

    def job(token: CancelToken) -> Article:
        article = pipeline.load_article(path)
        token.raise_if_cancelled()
        return _summarized(article, bullets, order)

    return job


def open_url(url: str, bullets: int, order: str = "article") -> Callable[[CancelToken], Article]:
    """Fetch a link (deadline, size cap), extract its article, segment and summarize it."""

    def job(token: CancelToken) -> Article:
        article = pipeline.load_url(url)
        token.raise_if_cancelled()
        return _summarized(article, bullets, order)

    return job


def paste_page(
    html: str, text: str, bullets: int | None, order: str = "article"
) -> Callable[[CancelToken], Article]:
    """Extract the article from a pasted whole web page (trafilatura: ~0.1 s on a big page).

    The clipboard's plain text is the fallback when the page yields no article text; an
    ``InputError`` (neither holds text) reaches the window's failure path. ``bullets=None``
    skips the summary: the text will be inserted into the editor and analysed like typing.
    """

    def job(token: CancelToken) -> Article:
        article = pipeline.article_from_clipboard(html, text)
        token.raise_if_cancelled()
        return _summarized(article, bullets, order) if bullets is not None else article

    return job


def check(article: Article) -> Callable[[CancelToken], pipeline.ArticleCheck]:
    """Fact-check what is translated (a stopped run's prefix) on a copy taken here."""
    own = copy.deepcopy(article)

    def job(token: CancelToken) -> pipeline.ArticleCheck:
        return pipeline.check_article(own)

    return job


def check_sentence(article: Article, index: int, english: str) -> Callable[[CancelToken], list[FlagDetail]]:
    """Fact-check one sentence's English as the journalist types it (debounced by the caller)."""
    own = copy.deepcopy(article)
    pipeline.edit_translation(own, index, english)

    def job(token: CancelToken) -> list[FlagDetail]:
        return pipeline.check_sentence(own, index)

    return job


def _summarized(article: Article, bullets: int, order: str = "article") -> Article:
    if article.sentences:
        pipeline.summarize_article(article, bullets=bullets, order=order)
    return article


def resummarize(article: Article, bullets: int, order: str) -> Callable[[CancelToken], Article]:
    """New key facts for the shown article (count or order changed), on a copy taken here."""
    own = copy.deepcopy(article)

    def job(token: CancelToken) -> Article:
        return _summarized(own, bullets, order)

    return job


LoadedModel = tuple["Translator", ModelInfo]


def load_translator(settings: EngineSettings) -> Callable[[CancelToken], LoadedModel]:
    """Resolve the (default) model and load it: seconds of work that must never block paint."""

    def job(token: CancelToken) -> LoadedModel:
        return pipeline.open_translator(settings)

    return job


def translate(
    article: Article, translator: Translator
) -> Callable[[CancelToken], Generator[TranslationProgress, None, pipeline.ArticleCheck]]:
    """Translate sentence batches in document order, then run the fact check.

    The job works on its own copy of the article, taken here on the GUI thread: the window's
    article is only ever changed by the window, which applies each ``TranslationProgress`` as it
    arrives and the returned ``ArticleCheck`` at the end. The engine's translation memory makes
    re-translating an edited article cheap.
    """
    own = copy.deepcopy(article)

    def job(token: CancelToken) -> Generator[TranslationProgress, None, pipeline.ArticleCheck]:
        total = len(own.sentences)
        done = words = 0
        for batch in pipeline.translate_article(own, translator, cancel=token):
            pipeline.apply_translations(own, batch)
            sentences = [t.index for t in batch if not t.bullet]
            done += len(sentences)
            words += sum(len(own.sentences[i].text.split()) for i in sentences)
            yield TranslationProgress(batch, done, total, words)
            token.raise_if_cancelled()
        return pipeline.check_article(own)

    return job


def download(name: str | None) -> Callable[[CancelToken], store.InstalledModel]:
    """Download and install a model with the store; progress arrives as ``DownloadProgress``."""

    def job(token: CancelToken) -> store.InstalledModel:
        def progress(p: DownloadProgress) -> None:
            token.report(p)

        return store.download_model(name, progress=progress, cancel=token)

    return job


def import_model(path: str) -> Callable[[CancelToken], store.InstalledModel]:
    """Install a model folder (Hugging Face checkpoint or CTranslate2) or an ``.argosmodel`` with
    the store, as ``nordbrief models import PATH`` does; converting a checkpoint takes a while,
    so progress arrives like a download's."""

    def job(token: CancelToken) -> store.InstalledModel:
        def progress(p: DownloadProgress) -> None:
            token.report(p)

        return store.import_model(path, progress=progress, cancel=token)

    return job


def list_models() -> Callable[[CancelToken], list[store.ModelStatus]]:
    """The models dialog's rows (sizes on disk: walks every installed folder)."""

    def job(token: CancelToken) -> list[store.ModelStatus]:
        return store.list_models()

    return job


def remove_model(name: str) -> Callable[[CancelToken], None]:
    """Delete an installed model (hundreds of MB: never on the GUI thread)."""

    def job(token: CancelToken) -> None:
        store.remove_model(name)

    return job


def set_default_model(name: str) -> Callable[[CancelToken], None]:
    def job(token: CancelToken) -> None:
        store.set_default_model(name)

    return job


def autosave(data: str) -> Callable[[CancelToken], Path]:
    """Write a session snapshot (``desktop.session.snapshot``) atomically, off the GUI thread."""

    def job(token: CancelToken) -> Path:
        from desktop import session

        return session.save_text(data)

    return job
