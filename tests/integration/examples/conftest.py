"""Make the example plugin importable without installing it (``make test`` needs nothing).

A worker started as a subprocess would need the same folder on its ``PYTHONPATH``.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLE_SRC = Path(__file__).resolve().parents[3] / "examples" / "custom_connector" / "src"

if str(EXAMPLE_SRC) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_SRC))
