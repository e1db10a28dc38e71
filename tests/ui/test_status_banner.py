"""The status banner on its own: a quick load never flashes, a pause counts down, errors win."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPushButton

from rc_sms_desktop.ui.status_banner import PROGRESS_DELAY_MS, BannerState, StatusBanner


def make_banner(qtbot: Any) -> StatusBanner:
    banner = StatusBanner()  # top-level: shown and hidden by itself, as in the window
    qtbot.addWidget(banner)
    return banner


def test_a_load_that_ends_before_the_delay_never_shows(qtbot: Any) -> None:
    banner = make_banner(qtbot)
    banner.loading_started()
    assert banner.state is BannerState.LOADING and not banner.isVisible()
    banner.loading_finished()
    qtbot.wait(PROGRESS_DELAY_MS + 100)
    assert not banner.isVisible() and banner.state is BannerState.IDLE


def test_a_long_load_shows_its_progress_and_why_it_is_slow(qtbot: Any) -> None:
    banner = make_banner(qtbot)
    banner.loading_started()
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    banner.progress(3, 10)
    banner.set_pacing("RingCentral allows 50 of these requests a minute.")
    assert banner.message() == (
        "Checking SMS registration: 3 of 10 numbers done. RingCentral allows 50 of these requests a minute."
    )
    banner.set_pacing("")
    assert banner.message() == "Checking SMS registration: 3 of 10 numbers done."


def test_a_pause_counts_down_then_resumes_and_a_blip_is_not_shown(qtbot: Any) -> None:
    banner = make_banner(qtbot)
    banner.loading_started()
    banner.rate_limited(0.1)  # shorter than a message is worth
    assert banner.state is BannerState.LOADING and not banner.isVisible()
    banner.rate_limited(30, "Light")
    assert banner.isVisible() and banner.state is BannerState.RATE_LIMITED
    assert "slow down (Light)" in banner.message() and "Resuming in 30 seconds" in banner.message()
    banner.progress(4, 10)  # the countdown stays up while the bar moves
    assert "Resuming in" in banner.message()
    banner.rate_limited(0)  # resumed
    assert banner.state is BannerState.LOADING and banner.message() == "Resuming…"


def test_an_error_offers_retry_and_outranks_a_warning(qtbot: Any) -> None:
    banner = make_banner(qtbot)
    retried: list[bool] = []
    banner.retryRequested.connect(lambda: retried.append(True))
    banner.show_error("Could not reach RingCentral.", retry_text="Sign &in again…")
    retry = banner.findChild(QPushButton, "retryButton")
    assert retry is not None and retry.isVisible() and retry.accessibleName() == "Sign in again…"
    banner.show_warning("One number could not be checked.")
    assert banner.message() == "Could not reach RingCentral." and banner.state is BannerState.ERROR
    retry.click()
    assert retried == [True]
    dismiss = banner.findChild(QPushButton, "dismissButton")
    assert dismiss is not None
    dismiss.click()
    assert not banner.isVisible() and banner.state is BannerState.IDLE
