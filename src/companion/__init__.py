"""companion: a terminal companion for qualitative research interviews."""

import os as _os

# Nothing leaves the machine. onnxruntime (loaded by faster-whisper for its voice filter)
# ships Microsoft's 1DS telemetry: it resolves and contacts a vendor host and keeps a
# local event queue and device identifier unless this is set before it initialises.
# Setting it here, on the package import every entry point passes through, comes before
# any import of onnxruntime. Forced, not defaulted: the README promises no telemetry.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
# The same promise for the Hugging Face hub client faster-whisper uses for model lookup.
_os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
_os.environ["DO_NOT_TRACK"] = "1"

__version__ = "0.1.0"
