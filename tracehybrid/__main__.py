"""`python -m tracehybrid` runs the command line."""

from __future__ import annotations

import sys

from tracehybrid.cli import main

sys.exit(main())
