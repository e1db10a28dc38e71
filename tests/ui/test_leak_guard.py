"""The leak guard (tests/ui/leak_guard.py) catches a leaked timer and thread, and only those.

Each test here installs a guard of its own and calls `check()` directly; the last one runs pytest
on a few small tests to show the autouse fixture fails a leaking test and honours the marker.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer

from tests.ui.leak_guard import LeakGuard

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def guard() -> Iterator[LeakGuard]:
    guard = LeakGuard()
    guard.install()
    yield guard
    guard.remove()


def test_a_repeating_timer_left_running_is_a_leak_named_by_where_it_started(
    guard: LeakGuard, qapp: object
) -> None:
    owner = QObject()
    owner.setObjectName("statusBanner")
    timer = QTimer(owner)
    timer.setObjectName("countdown")
    timer.setInterval(1000)
    timer.start()

    leaks = guard.check()

    assert [leak.kind for leak in leaks] == ["QTimer"]
    text = str(leaks[0])
    assert "QObject 'statusBanner' > QTimer 'countdown'" in text
    assert "repeating, interval 1000 ms" in text
    assert f"{__file__}:" in text and "in test_a_repeating_timer_left_running" in text
    assert not timer.isActive()  # stopped, so it cannot fire into the next test


def test_a_stopped_timer_and_one_started_before_the_test_are_not_leaks(qapp: object) -> None:
    before = QTimer()
    before.start(1000)
    guard = LeakGuard()
    guard.install()
    try:
        stopped = QTimer()
        stopped.start(1000)
        stopped.stop()
        assert guard.check() == []
    finally:
        guard.remove()
        before.stop()


def test_a_single_shot_due_within_the_flush_fires_instead_of_leaking(
    guard: LeakGuard, qapp: object
) -> None:
    fired: list[str] = []
    QTimer.singleShot(20, lambda: fired.append("functor"))
    receiver = QObject()
    receiver.destroyed.connect(lambda: fired.append("deleteLater"))
    QTimer.singleShot(0, receiver, "1deleteLater()")  # the SLOT() form

    assert guard.check() == []
    assert "functor" in fired


def test_a_single_shot_far_off_is_a_leak(guard: LeakGuard, qapp: object) -> None:
    QTimer.singleShot(5000, lambda: None)

    leaks = guard.check()

    assert len(leaks) == 1
    assert "single shot, interval 5000 ms" in str(leaks[0])
    assert "QTimer.singleShot(…, test_a_single_shot_far_off_is_a_leak.<locals>.<lambda>)" in str(leaks[0])


def test_a_thread_still_running_is_a_leak_named_with_what_it_does(guard: LeakGuard) -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait, name="keyring-read", daemon=True)
    thread.start()
    try:
        leaks = guard.check()
    finally:
        release.set()
        thread.join()

    assert [leak.kind for leak in leaks] == ["thread"]
    assert "'keyring-read' (daemon=True, target Event.wait)" in str(leaks[0])


def test_a_thread_that_ends_within_the_flush_and_one_from_before_are_not_leaks() -> None:
    release = threading.Event()
    old = threading.Thread(target=release.wait, name="from-before", daemon=True)
    old.start()
    guard = LeakGuard()
    try:
        threading.Thread(target=time.sleep, args=(0.05,), name="almost-done").start()
        assert guard.check() == []
    finally:
        release.set()
        old.join()


async def test_an_idle_to_thread_worker_on_the_qasync_loop_is_not_a_leak(guard: LeakGuard) -> None:
    assert await asyncio.to_thread(lambda: 42) == 42
    # qasync runs to_thread on QThreads of its own executor; they wait for the next job until
    # the loop is closed (after the test): running, yet idle.
    workers = guard.qthreads_started
    assert workers and all(worker.isRunning() for worker in workers)

    assert guard.check() == []


async def test_a_to_thread_worker_still_running_its_job_is_a_leak(guard: LeakGuard) -> None:
    job = asyncio.ensure_future(asyncio.to_thread(time.sleep, 0.6))
    await asyncio.sleep(0.05)

    leaks = guard.check()  # waits for the worker to finish after reporting it

    assert [leak.kind for leak in leaks] == ["QThread"]
    assert "_QThreadWorker" in str(leaks[0]) and "job sleep" in str(leaks[0])
    await job


def test_an_idle_thread_pool_worker_is_not_a_leak_but_a_busy_one_is(guard: LeakGuard) -> None:
    loop = asyncio.new_event_loop()  # a plain asyncio loop: to_thread uses a ThreadPoolExecutor
    try:
        loop.run_until_complete(asyncio.to_thread(lambda: None))
        assert any(t.name.startswith("asyncio_") and t.is_alive() for t in threading.enumerate())
        assert guard.check() == []
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()

    release = threading.Event()
    with ThreadPoolExecutor(1, thread_name_prefix="pool") as pool:
        pool.submit(release.wait)
        try:
            leaks = guard.check()
        finally:
            release.set()
    assert [leak.kind for leak in leaks] == ["thread"]
    assert "'pool_0' (daemon=False, target _worker), job Event.wait" in str(leaks[0])


LEAKY_TESTS = '''
import threading
import pytest
from PySide6.QtCore import QTimer

kept = []

def test_leaks_a_timer(qapp):
    timer = QTimer()
    timer.setObjectName("leaky")
    timer.start(1000)
    kept.append(timer)

async def test_leaks_a_thread():
    threading.Thread(target=threading.Event().wait, name="forgotten", daemon=True).start()

@pytest.mark.leaks_allowed(reason="shows the marker")
def test_may_leak(qapp):
    timer = QTimer()
    timer.start(1000)
    kept.append(timer)

@pytest.mark.leaks_allowed
def test_marker_without_reason():
    pass

def test_clean(qapp):
    QTimer.singleShot(0, lambda: None)
'''


def test_the_autouse_fixture_fails_a_leaking_test_and_honours_the_marker(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nqt_api = pyside6\n"
        "markers =\n    leaks_allowed(reason): may leak\n"
    )
    (tmp_path / "conftest.py").write_text(
        "from tests.ui.conftest import leak_guard, pytest_asyncio_loop_factories  # noqa: F401\n"
    )
    (tmp_path / "test_leaky.py").write_text(LEAKY_TESTS)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    out = result.stdout
    assert result.returncode == 1, out
    assert "ERROR at teardown of test_leaks_a_timer" in out
    assert "QTimer: QTimer 'leaky', repeating, interval 1000 ms" in out
    assert "ERROR at teardown of test_leaks_a_thread" in out
    assert "thread: 'forgotten' (daemon=True, target Event.wait)" in out
    assert "ERROR at setup of test_marker_without_reason" in out
    assert "PASSED test_leaky.py::test_may_leak" in out
    assert "PASSED test_leaky.py::test_clean" in out
