"""Small protocol files for tests that need one of their own."""

from __future__ import annotations


def minimal_protocol(top: str = "") -> str:
    """A valid protocol with one phase and one prompt; ``top`` adds top-level keys (more
    TOML tables can be appended to the result)."""
    return f"""
id = "mini"
title = "Mini"
language = "en"
{top}
[[phases]]
id = "first"
title = "First"
purpose = "Start."
target_minutes = 10

[[phases.prompts]]
id = "q1"
text = "How are you?"
"""
