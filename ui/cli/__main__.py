"""``python -m ui.cli``: the ``warta`` command without its installed entry point."""

import sys

from ui.cli.main import main

sys.exit(main())
