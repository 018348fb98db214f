"""``python -m monasca_osc.sandbox``."""

import sys

from monasca_osc.sandbox.cli import main

sys.exit(main())
