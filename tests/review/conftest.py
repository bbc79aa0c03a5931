from __future__ import annotations

import sys
from pathlib import Path

# The session factory is shared with the export tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "export"))
