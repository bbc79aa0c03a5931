"""Interview protocols: phases, prompts, the rating instrument, codebook and suggestions.

Pure domain code (no UI imports) so the CLI, the TUI and the tests share one engine.
"""

from companion.protocol.loader import Problem, ProtocolError, check_protocol, load_protocol
from companion.protocol.model import (
    TARGETS,
    Code,
    Instrument,
    Item,
    Phase,
    Prompt,
    Protocol,
    Reference,
    RefStat,
    Rule,
)
from companion.protocol.registry import (
    DEFAULT_PROTOCOL_ID,
    available_protocols,
    get_protocol,
    packaged_protocols_dir,
)
from companion.protocol.scoring import Placement, Score, format_number, place, score_rating
from companion.protocol.stats import median_iqr, quantile
from companion.protocol.suggestions import SIGNALS, RatingInput, Suggestion, suggest

__all__ = [
    "DEFAULT_PROTOCOL_ID",
    "SIGNALS",
    "TARGETS",
    "Code",
    "Instrument",
    "Item",
    "Phase",
    "Placement",
    "Problem",
    "Prompt",
    "Protocol",
    "ProtocolError",
    "RatingInput",
    "RefStat",
    "Reference",
    "Rule",
    "Score",
    "Suggestion",
    "available_protocols",
    "check_protocol",
    "format_number",
    "get_protocol",
    "load_protocol",
    "median_iqr",
    "packaged_protocols_dir",
    "place",
    "quantile",
    "score_rating",
    "suggest",
]
