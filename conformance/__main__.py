"""``python -m conformance``: the ``conformance`` command."""

import sys

from conformance.cli import main

sys.exit(main())
