"""rc-sms-desktop: which of your RingCentral numbers can text, and why not."""

# The one place the version is written (pyproject.toml reads it from here): reading it back from
# the installed metadata costs ~25 ms of start-up for importlib.metadata.
__version__ = "0.1.0"

APP_NAME = "rc-sms-desktop"
