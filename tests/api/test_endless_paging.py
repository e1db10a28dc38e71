"""An endless paging server: the walk is bounded, and `check` shows it is alive (#15, point 10)."""

from __future__ import annotations

import io

from rc_sms_desktop.api.paging import NextRequest, PageInfo, PageWalker
from rc_sms_desktop.cli.sign_in import ProgressLine

LIST = "/restapi/v1.0/account/~/extension/~/phone-number"


def test_a_list_that_keeps_growing_is_walked_no_further_than_first_announced() -> None:
    walker = PageWalker("https://rc.test", LIST, max_pages=200)
    request: NextRequest | None = walker.first
    pages = 0
    while request is not None and pages < 1000:
        pages += 1
        # Every page claims two more pages than the last: a server that never ends.
        page = PageInfo(records=(object(),), page=pages, per_page=1, total_pages=pages + 2,
                        total_elements=None, next_page_uri=None)
        request = walker.after(request, page)
    assert pages == 2 * 3 + 2  # twice the 3 pages first announced (+2), then it stops
    assert len(walker.warnings) == 1 and "kept adding pages" in walker.warnings[0]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_goes_to_a_log_now_and_then_when_stderr_is_not_a_terminal() -> None:
    log = io.StringIO()  # not a terminal
    clock = Clock()
    progress = ProgressLine(log, every_s=30, clock=clock)
    for second in range(0, 125):
        clock.now = float(second)
        progress.show(f"Checking: page {second}")
    lines = log.getvalue().splitlines()
    assert lines == ["Checking: page 30", "Checking: page 60", "Checking: page 90", "Checking: page 120"]
    assert "\r" not in log.getvalue()
