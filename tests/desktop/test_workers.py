"""The background-work module: signals in order, cancel between yields, failures, clean shutdown."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

import pytest

from desktop.workers import BACKGROUND_NICENESS, CancelToken, Job, JobError, TaskManager
from models.errors import InputError


@pytest.fixture
def tasks(qtbot: Any):
    tm = TaskManager()
    yield tm
    tm.shutdown(10)


def test_generator_job_reports_progress_then_result_in_the_gui_thread(qtbot: Any, tasks: TaskManager) -> None:
    main = threading.get_ident()
    seen: list[Any] = []

    def job(token: CancelToken):
        yield from range(5)
        return "done"

    j = Job("gen", job)
    j.progress.connect(lambda p: seen.append((p, threading.get_ident() == main)))
    with qtbot.waitSignal(j.succeeded, timeout=5000) as blocker:
        tasks.submit(j)  # connect first: a fast job may finish before we would listen
    assert blocker.args == ["done"]
    qtbot.waitUntil(lambda: len(seen) == 5)
    assert seen == [(i, True) for i in range(5)]


def test_cancel_stops_between_yields(qtbot: Any, tasks: TaskManager) -> None:
    produced: list[int] = []
    started = threading.Event()

    def job(token: CancelToken):
        for i in range(1000):
            produced.append(i)
            started.set()
            time.sleep(0.005)
            yield i
        return "finished"

    j = tasks.run("long", job)
    assert started.wait(5)
    with qtbot.waitSignal(j.cancelled, timeout=5000):
        j.cancel()
    assert j.finished and len(produced) < 1000


@pytest.mark.parametrize(("exc", "user"), [(InputError("bad file"), True), (ValueError("bug"), False)])
def test_failures_reach_the_gui_as_job_errors(
    qtbot: Any, tasks: TaskManager, exc: Exception, user: bool
) -> None:
    def job(token: CancelToken):
        raise exc

    j = Job("fail", job)
    with qtbot.waitSignal(j.failed, timeout=5000) as blocker:
        tasks.submit(j)
    err = blocker.args[0]
    assert isinstance(err, JobError) and err.user_error is user
    assert ("bad file" in err.message) if user else ("Traceback" in err.details)


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


def test_finished_jobs_are_released_in_the_gui_thread(qtbot: Any, tasks: TaskManager, monkeypatch) -> None:
    """A Job is a GUI-thread QObject: destroying it from the worker (its last reference dropped
    there) races the queued delivery of its signals. Force the worker to finish after the GUI
    thread has handled ``done`` and check where the object is actually released."""
    import weakref

    real_run = Job._run

    def slow_tail(self: Job) -> None:
        real_run(self)
        time.sleep(0.3)  # the GUI thread handles ``done`` and drops its references meanwhile

    monkeypatch.setattr(Job, "_run", slow_tail)
    released_in: list[str] = []
    done = threading.Event()
    job = Job("short", lambda token: 42)
    job.done.connect(done.set)
    weakref.finalize(job, lambda: released_in.append(threading.current_thread().name))
    tasks.submit(job)
    del job
    qtbot.waitUntil(done.is_set, timeout=5000)
    qtbot.waitUntil(lambda: bool(released_in), timeout=5000)
    assert released_in == [threading.main_thread().name]


def test_language_warm_up_runs_in_steps_and_leaves_the_detector_loaded(
    qtbot: Any, tasks: TaskManager
) -> None:
    from desktop import workers
    from models import langid

    steps: list[int] = []
    j = Job("warm-up", workers.warm_up())
    j.progress.connect(steps.append)
    with qtbot.waitSignal(j.done, timeout=60_000):
        tasks.submit(j)
    qtbot.waitUntil(lambda: len(steps) == 4)
    assert steps == [0, 1, 2, 3]  # three two-language loads, then the real detector
    assert langid._detector is not None


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread niceness is Linux-only")
@pytest.mark.parametrize("lane", ["translator", "general", "io"])
def test_background_threads_yield_the_cpu_to_the_gui(qtbot: Any, tasks: TaskManager, lane: str) -> None:
    """Work threads (and threads they start, like CTranslate2's) run nicer than the GUI thread,
    so two busy cores still leave the window room to paint."""

    def own_nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def job(token: CancelToken) -> tuple[int, int]:
        seen: list[int] = []
        child = threading.Thread(target=lambda: seen.append(own_nice()))
        child.start()
        child.join()
        return own_nice(), seen[0]

    j = Job("nice", job, lane)
    with qtbot.waitSignal(j.succeeded, timeout=10_000) as blocker:
        tasks.submit(j)
    worker, child = blocker.args[0]
    assert worker == own_nice() + BACKGROUND_NICENESS or worker == 19  # 19: the ceiling
    assert child == worker
