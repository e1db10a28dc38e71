import sys

from rc_sms_desktop.cli.main import main

sys.exit(main())
