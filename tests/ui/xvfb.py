"""A private Xvfb server on a free display (`-displayfd`: never a hard-coded display number)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator


@contextlib.contextmanager
def private_display(screen: str = "1280x800x24") -> Iterator[str]:
    """Start Xvfb with one screen of `screen` (WxHxDepth); yields its DISPLAY value."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as announced:
            number = announced.readline().strip()
        assert number, "Xvfb did not announce a display"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)
