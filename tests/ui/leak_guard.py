"""What a UI test left running: Qt timers, QThreads and Python threads it started.

The same idea as napari's `dangling_qtimers` / `dangling_qthreads` fixtures
(napari/utils/_testsupport.py): while a test runs, `QTimer.start`, `QTimer.singleShot` and
`QThread.start` are wrapped to remember what was started and where; at teardown whatever is
still active is a leak. A timer left running fires into a window the next test no longer
knows about (or one Qt has deleted), and a thread left running outlives the test that owns its
objects: both make later tests fail for reasons that are not theirs.

What counts, after up to `FLUSH_S` of processing Qt events (so that a single shot due within it,
`QTimer.singleShot(0, window.close)` say, runs the way it would have a moment later in the app,
and a thread in its last instructions ends; napari reports such a single shot at once instead):

* a `QTimer` started during the test that is still active (a repeating timer is never waited for);
* a `QThread` started during the test that is still running, except an idle worker of qasync's
  `QThreadExecutor` (what `asyncio.to_thread` uses on the qasync loop: its workers stay until the
  loop is closed, waiting for the next job);
* a `threading.Thread` that did not exist before the test and is still alive, except an idle
  `concurrent.futures.ThreadPoolExecutor` worker (`asyncio.to_thread` on a plain asyncio loop).
  A pool worker running a job does count.
"""

from __future__ import annotations

import concurrent.futures.thread
import functools
import os
import queue
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import qasync
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, SignalInstance

# How long teardown processes events for single shots about to fire and threads about to end.
FLUSH_S = 0.2

# A pool worker waiting for its next job is blocked in the queue's get(), called from its loop
# function; the local that holds a job is unbound then (both loops `del` it after each job).
_POOL_LOOPS = {
    (concurrent.futures.thread.__file__, "_worker"): "work_item",
    (qasync.__file__, "run"): "command",
}
_WAITING_FILES = {threading.__file__, queue.__file__}
_THIS_FILE = __file__
_PROJECT = str(Path(__file__).resolve().parents[2]) + os.sep


@dataclass(frozen=True)
class Leak:
    kind: str  # "QTimer", "QThread" or "thread"
    description: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.description}"


def idle_pool_worker(frame: FrameType | None) -> bool:
    """True when `frame` (a thread's innermost Python frame) is a pool worker waiting for a job."""
    while frame is not None and frame.f_code.co_filename in _WAITING_FILES:
        frame = frame.f_back
    if frame is None:
        return False
    job = _POOL_LOOPS.get((frame.f_code.co_filename, frame.f_code.co_name))
    return job is not None and job not in frame.f_locals


def _pool_job(frame: FrameType | None) -> str:
    """What a busy pool worker runs (`, job time.sleep`), or "" when `frame` is no pool's."""
    while frame is not None:
        code = frame.f_code
        if (code.co_filename, code.co_name) == (concurrent.futures.thread.__file__, "run"):
            job = getattr(frame.f_locals.get("self"), "fn", None)  # a _WorkItem
        elif (code.co_filename, code.co_name) == (qasync.__file__, "run"):
            command = frame.f_locals.get("command")
            job = command[1] if isinstance(command, tuple) and len(command) > 1 else None
        else:
            frame = frame.f_back
            continue
        return f", job {_callable_name(job)}" if job is not None else ""
    return ""


def _qthread_frame(qthread: QThread) -> FrameType | None:
    """The innermost Python frame of a QThread whose `run` is Python code, if any."""
    for frame in sys._current_frames().values():
        outer = frame
        while outer.f_back is not None:
            outer = outer.f_back
        if outer.f_code.co_name == "run" and outer.f_locals.get("self") is qthread:
            return frame
    return None


def _place(frame: FrameType) -> str:
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _caller() -> str:
    """Where the code that started a timer or thread is: the first frame outside this file and,
    when that is a library's (qasync's executor, say), the project's code that called it."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == _THIS_FILE:
        frame = frame.f_back
    if frame is None:
        return "?"
    where = _place(frame)
    ours = frame
    while ours is not None and not ours.f_code.co_filename.startswith(_PROJECT):
        ours = ours.f_back
    if ours is not None and ours is not frame:
        where += f" called from {_place(ours)}"
    return where


def _where_now(frame: FrameType | None) -> str:
    """Where a thread is: its innermost frame outside threading.py and queue.py (the code that
    waits, not the lock it waits on)."""
    while frame is not None and frame.f_code.co_filename in _WAITING_FILES and frame.f_back:
        frame = frame.f_back
    if frame is None:
        return "no Python frame"
    return f"now at {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _object_path(obj: QObject | None) -> str:
    """`MainWindow 'mainWindow' > StatusBanner` for a QObject and its parents."""
    parts: list[str] = []
    while obj is not None:
        name = obj.objectName()
        parts.append(type(obj).__name__ + (f" {name!r}" if name else ""))
        obj = obj.parent()
    return " > ".join(reversed(parts)) or "no parent"


def _alive(qobject: QObject) -> bool:
    try:
        qobject.objectName()
    except RuntimeError:  # "Internal C++ object (…) already deleted."
        return False
    return True


def _callable_name(target: object) -> str:
    # asyncio.to_thread(func, …) submits partial(Context.run, func, …): name func.
    while isinstance(target, functools.partial):
        run_in_context = getattr(target.func, "__name__", "") == "run" and target.args
        target = target.args[0] if run_in_context else target.func
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", None)
    return str(name) if name else repr(target)


class LeakGuard:
    """Install it before a test, `check()` after it; `remove()` restores Qt's own methods."""

    def __init__(self) -> None:
        self._threads_before = set(threading.enumerate())
        self._timers: weakref.WeakKeyDictionary[QTimer, str] = weakref.WeakKeyDictionary()
        # Single shots are QTimers made here (Qt's own single shots cannot be seen from Python);
        # a strong reference keeps one without a context alive until it fires, as Qt does.
        self._single_shots: list[tuple[QTimer, str, str]] = []
        self._qthreads: weakref.WeakKeyDictionary[QThread, str] = weakref.WeakKeyDictionary()
        self._originals: dict[tuple[type, str], Any] = {}

    @property
    def qthreads_started(self) -> list[QThread]:
        """The QThreads started since `install()` that still exist (running or not)."""
        return [qthread for qthread in list(self._qthreads) if _alive(qthread)]

    # --------------------------------------------------------------------------------- install

    def install(self) -> None:
        timer_start = QTimer.start
        thread_start = QThread.start
        single_shot = QTimer.singleShot
        guard = self

        def start_timer(timer: QTimer, *args: Any) -> None:
            guard._timers[timer] = _caller()
            timer_start(timer, *args)

        def start_thread(qthread: QThread, *args: Any) -> None:
            guard._qthreads[qthread] = _caller()
            thread_start(qthread, *args)

        def start_single_shot(*args: Any) -> None:
            if not guard._single_shot(timer_start, args):
                single_shot(*args)  # a form not handled here: Qt's own, untracked

        self._patch(QTimer, "start", start_timer)
        self._patch(QThread, "start", start_thread)
        self._patch(QTimer, "singleShot", staticmethod(start_single_shot))

    def remove(self) -> None:
        for (owner, name), original in self._originals.items():
            setattr(owner, name, original)
        self._originals.clear()

    def _patch(self, owner: type, name: str, replacement: object) -> None:
        self._originals[(owner, name)] = owner.__dict__[name]
        setattr(owner, name, replacement)

    def _single_shot(self, timer_start: Callable[..., None], args: tuple[Any, ...]) -> bool:
        """`QTimer.singleShot(msec, [timerType,] functor)`, `(msec, [timerType,] context,
        functor)` or `(msec, [timerType,] receiver, "member")` as a tracked QTimer."""
        if not args or not isinstance(args[0], int):
            return False
        msec, rest = args[0], list(args[1:])
        timer_type = rest.pop(0) if rest and isinstance(rest[0], Qt.TimerType) else None
        context: QObject | None = None
        if len(rest) == 2 and isinstance(rest[0], QObject):
            context, target = rest
            if isinstance(target, bytes):
                target = target.decode()
            if isinstance(target, str):  # SLOT("close()") is "1close()"
                target = getattr(context, target.lstrip("0123456789").split("(")[0])
        elif len(rest) == 1:
            target = rest[0]
        else:
            return False
        if not (callable(target) or isinstance(target, SignalInstance)):
            return False
        timer = QTimer(context) if context is not None else QTimer()
        timer.setSingleShot(True)
        if timer_type is not None:
            timer.setTimerType(timer_type)
        timer.timeout.connect(target)
        timer.timeout.connect(timer.deleteLater)
        self._single_shots.append((timer, _caller(), _callable_name(target)))
        timer_start(timer, msec)
        return True

    # ----------------------------------------------------------------------------------- check

    def check(self, flush_s: float = FLUSH_S) -> list[Leak]:
        """What is still running, after letting due single shots fire and threads end; stops
        the leaked timers and QThreads so that they do not reach the next test."""
        deadline = time.monotonic() + flush_s
        while time.monotonic() < deadline and (
            any(self._due(timer, deadline) for timer, _ in self._active_timers())
            or self._running_qthreads() or self._running_threads()
        ):
            if QCoreApplication.instance() is not None:
                QCoreApplication.processEvents()
            time.sleep(0.005)
        leaks: list[Leak] = []
        for timer, description in self._active_timers():
            timer.stop()
            leaks.append(Leak("QTimer", description))
        for qthread, where in self._running_qthreads():
            frame = _qthread_frame(qthread)
            leaks.append(Leak("QThread", (
                f"{_object_path(qthread)} started at {where}{_pool_job(frame)}, {_where_now(frame)}"
            )))
            # Qt aborts when a running QThread is destroyed: give it a chance to end first.
            qthread.quit()
            QThread.wait(qthread, 2000)  # the base method: qasync's worker overrides wait()
        for thread, frame in self._running_threads():
            target = getattr(thread, "_target", None)
            leaks.append(Leak("thread", (
                f"{thread.name!r} (daemon={thread.daemon}"
                + (f", target {_callable_name(target)}" if target is not None else "")
                + f"){_pool_job(frame)}, {_where_now(frame)}"
            )))
        self._single_shots.clear()
        return leaks

    @staticmethod
    def _due(timer: QTimer, deadline: float) -> bool:
        """A single shot that fires before the flush deadline (worth waiting for)."""
        left_ms = timer.remainingTime()
        return timer.isSingleShot() and 0 <= left_ms <= (deadline - time.monotonic()) * 1000

    def _active_timers(self) -> Iterable[tuple[QTimer, str]]:
        started = [
            (timer, f"started at {where}") for timer, where in list(self._timers.items())
        ] + [
            (timer, f"QTimer.singleShot(…, {target}) called at {where}")
            for timer, where, target in self._single_shots
        ]
        for timer, where in started:
            if _alive(timer) and timer.isActive():
                kind = "single shot" if timer.isSingleShot() else "repeating"
                yield timer, (
                    f"{_object_path(timer)}, {kind}, interval {timer.interval()} ms, "
                    f"{timer.remainingTime()} ms left, {where}"
                )

    def _running_qthreads(self) -> list[tuple[QThread, str]]:
        return [
            (qthread, where) for qthread, where in list(self._qthreads.items())
            if _alive(qthread) and qthread.isRunning()
            and not idle_pool_worker(_qthread_frame(qthread))
        ]

    def _running_threads(self) -> list[tuple[threading.Thread, FrameType | None]]:
        frames = sys._current_frames()
        running = []
        for thread in threading.enumerate():
            # A _DummyThread is a thread Python did not start (a QThread that asked
            # `threading.current_thread()`): it never reports itself dead; QThreads are above.
            if thread in self._threads_before or isinstance(thread, threading._DummyThread):
                continue
            frame = frames.get(thread.ident) if thread.ident is not None else None
            if thread.is_alive() and not idle_pool_worker(frame):
                running.append((thread, frame))
        return running


def leak_report(leaks: Iterable[Leak]) -> str:
    lines = [str(leak) for leak in leaks]
    return (
        "The test left running what it started (stop timers, join threads and close windows "
        "with `await window.shutdown()` before it ends; or mark it "
        "`@pytest.mark.leaks_allowed(reason=…)`):\n  " + "\n  ".join(lines)
    )
