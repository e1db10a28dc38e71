"""PyInstaller entry script for the windowed `rc-sms-desktop-gui` (Windows and macOS app bundle)."""

import sys

from rc_sms_desktop.cli.main import gui_main

if __name__ == "__main__":
    sys.exit(gui_main())
