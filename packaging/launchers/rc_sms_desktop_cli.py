"""PyInstaller entry script for the `rc-sms-desktop` command (CLI; no command opens the window)."""

import sys

from rc_sms_desktop.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
