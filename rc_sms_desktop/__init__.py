"""rc-sms-desktop: which of your RingCentral numbers can text, and why not."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rc-sms-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

APP_NAME = "rc-sms-desktop"
