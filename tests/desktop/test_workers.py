"""The background-work module: callbacks in order on the GUI thread, cancel between yields,
failures, clean shutdown."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

import pytest

from desktop import workers
from desktop.workers import CancelToken, Job, JobError, TaskManager
from models.errors import InputError, NoModelInstalled


@pytest.fixture
def tasks(qtbot: Any):
    tm = TaskManager()
    yield tm
    tm.shutdown(10)


def test_generator_job_reports_progress_then_result_in_the_gui_thread(qtbot: Any, tasks: TaskManager) -> None:
    main = threading.get_ident()
    seen: list[Any] = []
    results: list[tuple[Any, bool]] = []

    def job(token: CancelToken):
        yield from range(5)
        return "done"

    tasks.run(
        "gen",
        job,
        on_progress=lambda p: seen.append((p, threading.get_ident() == main)),
        on_success=lambda r: results.append((r, threading.get_ident() == main)),
    )
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == [("done", True)]
    assert seen == [(i, True) for i in range(5)]  # all of them, in order, before the result


def test_a_blocking_call_reports_progress_through_the_token(qtbot: Any, tasks: TaskManager) -> None:
    """What ``download`` needs: progress from a callback, no helper thread."""
    seen: list[int] = []
    done: list[str] = []

    def job(token: CancelToken) -> str:
        for i in range(3):
            token.report(i)
        return "ok"

    before = threading.active_count()
    tasks.run("blocking", job, on_progress=seen.append, on_success=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert seen == [0, 1, 2] and done == ["ok"]
    assert threading.active_count() <= before + 1  # the lane's one worker, nothing else


def test_cancel_stops_between_yields(qtbot: Any, tasks: TaskManager) -> None:
    produced: list[int] = []
    started = threading.Event()
    cancelled: list[bool] = []

    def job(token: CancelToken):
        for i in range(1000):
            produced.append(i)
            started.set()
            time.sleep(0.005)
            yield i
        return "finished"

    j = tasks.run("long", job, on_cancel=lambda: cancelled.append(True))
    assert started.wait(5)
    j.cancel()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert j.finished and len(produced) < 1000


def test_a_queued_job_cancelled_before_it_starts_never_runs(qtbot: Any, tasks: TaskManager) -> None:
    release = threading.Event()
    ran: list[str] = []
    outcome: list[str] = []
    first = tasks.run("busy", lambda token: release.wait(5), lane="translator")
    second = tasks.run(
        "queued",
        lambda token: ran.append("ran"),
        lane="translator",
        on_cancel=lambda: outcome.append("cancelled"),
        on_done=lambda: outcome.append("done"),
    )
    tasks.cancel_all()
    assert outcome == ["cancelled", "done"] and second.finished
    release.set()
    qtbot.waitUntil(lambda: first.finished, timeout=5000)
    assert ran == []


@pytest.mark.parametrize(("exc", "user"), [(InputError("bad file"), True), (ValueError("bug"), False)])
def test_failures_reach_the_gui_as_job_errors(
    qtbot: Any, tasks: TaskManager, exc: Exception, user: bool
) -> None:
    def job(token: CancelToken):
        raise exc

    errors: list[JobError] = []
    tasks.run("fail", job, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    err = errors[0]
    assert isinstance(err, JobError) and err.user_error is user
    assert ("bad file" in err.message) if user else ("Traceback" in err.details)
    assert err.error is exc and not err.no_model


def test_no_model_installed_is_told_by_type_not_by_message(qtbot: Any, tasks: TaskManager) -> None:
    errors: list[JobError] = []

    def job(token: CancelToken):
        raise NoModelInstalled("whatever the wording")

    tasks.run("load", job, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors[0].no_model and errors[0].user_error


def test_translator_lane_runs_one_job_at_a_time(qtbot: Any, tasks: TaskManager) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def job(token: CancelToken) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1

    jobs = [tasks.run(f"t{i}", job, lane="translator") for i in range(4)]
    qtbot.waitUntil(lambda: all(j.finished for j in jobs), timeout=5000)
    assert peak == 1


def test_shutdown_cancels_and_joins_every_thread(qtbot: Any) -> None:
    tm = TaskManager()

    def job(token: CancelToken):
        while True:
            time.sleep(0.01)
            yield None

    jobs = [tm.run("a", job), tm.run("b", job), tm.run("c", job, lane="translator")]
    qtbot.waitUntil(
        lambda: len(tm.active()) == 3 and any(t.name.startswith("nordbrief") for t in threading.enumerate())
    )
    assert tm.shutdown(10)
    assert not [t for t in threading.enumerate() if t.name.startswith("nordbrief-")]
    assert all(j.token.cancelled for j in jobs)
    assert all(j.finished for j in jobs)  # every outcome was delivered before shutdown returned


def test_callbacks_and_what_they_hold_are_released_in_the_gui_thread(
    qtbot: Any, tasks: TaskManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Callbacks capture GUI objects (a window, a text cursor): released by a worker they would
    be destroyed there, racing the GUI thread. Keep the worker busy after its job has finished
    (while the GUI thread handles the outcome and drops its references) and check where what a
    callback held is actually released."""
    import weakref

    real_work = workers._work

    def slow_tail(*args: Any) -> None:
        real_work(*args)
        time.sleep(0.3)  # the GUI thread delivers the outcome and drops the job meanwhile

    monkeypatch.setattr(workers, "_work", slow_tail)

    class Held:
        pass

    held = Held()
    released_in: list[str] = []
    weakref.finalize(held, lambda: released_in.append(threading.current_thread().name))
    done = threading.Event()
    tasks.run("short", lambda token: 42, on_success=lambda r, h=held: None, on_done=done.set)
    del held
    qtbot.waitUntil(done.is_set, timeout=5000)
    qtbot.waitUntil(lambda: bool(released_in), timeout=5000)
    assert released_in == [threading.main_thread().name]


def test_language_warm_up_runs_in_steps_and_leaves_the_detector_loaded(
    qtbot: Any, tasks: TaskManager
) -> None:
    from models.text import langid

    steps: list[int] = []
    j = tasks.run("warm-up", workers.warm_up(), on_progress=steps.append)
    qtbot.waitUntil(lambda: j.finished, timeout=60_000)
    assert steps == [0, 1, 2, 3]  # three two-language loads, then the real detector
    assert langid._detector is not None


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread niceness is Linux-only")
@pytest.mark.parametrize("lane", ["translator", "general", "io"])
def test_background_threads_run_at_the_gui_priority(qtbot: Any, tasks: TaskManager, lane: str) -> None:
    """Every lane (and the threads it starts, like CTranslate2's) runs at the GUI's own
    priority: niced, the translator lost the cores to any busy process, and a niced thread
    holding the GIL starved the GUI thread (priority inversion)."""

    def own_nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def job(token: CancelToken) -> tuple[int, int]:
        seen: list[int] = []
        child = threading.Thread(target=lambda: seen.append(own_nice()))
        child.start()
        child.join()
        return own_nice(), seen[0]

    results: list[tuple[int, int]] = []
    tasks.submit(Job("nice", job, lane, on_success=results.append))
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    worker, child = results[0]
    assert worker == own_nice()
    assert child == worker


def test_translate_job_never_writes_into_the_shown_article(
    qtbot: Any, tasks: TaskManager, tiny_model
) -> None:
    """The window's article is changed only by the window (on the GUI thread): the job
    translates its own copy and hands back batches and the fact check."""
    from models import pipeline

    article = pipeline.article_from_text("Det var kaldt i Oslo i går. Sentralbanken hevet renten torsdag.")
    translator, _info = pipeline.open_translator(pipeline.EngineSettings(model=str(tiny_model)))
    batches: list[workers.TranslationProgress] = []
    checks: list[pipeline.ArticleCheck] = []
    tasks.run(
        "translate",
        workers.translate(article, translator),
        on_progress=batches.append,
        on_success=checks.append,
    )
    qtbot.waitUntil(lambda: bool(checks), timeout=30_000)
    assert all(s.translation is None for s in article.sentences)
    assert [t.index for b in batches for t in b.new] == [s.index for s in article.sentences]
    for b in batches:
        pipeline.apply_translations(article, b.new)
    pipeline.apply_check(article, checks[0])
    assert all(s.translation for s in article.sentences)


def test_the_cancel_token_wakes_a_waiting_engine_call() -> None:
    """The engine waits for a CTranslate2 call without a polling timer (each wake-up can
    pre-empt CTranslate2 on a busy machine); the token is what wakes it on a Stop."""
    from models.translation.engine import WakingCancel

    token = CancelToken()
    assert isinstance(token, WakingCancel)
    woken: list[str] = []
    unregister = token.wake_on_cancel(lambda: woken.append("a"))
    gone = token.wake_on_cancel(lambda: woken.append("b"))
    gone()
    assert woken == []
    token.cancel()
    assert woken == ["a"]
    unregister()
    token.wake_on_cancel(lambda: woken.append("late"))()  # cancelled already: woken at once
    assert woken == ["a", "late"]
