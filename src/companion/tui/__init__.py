"""The terminal interface: sessions, set-up, live interview and summary screens.

Everything here is a thin front over :mod:`companion.operations` (and the recorder and
player of :mod:`companion.audio`): screens parse what was typed, call an operation and show
its result. No domain rule is decided here, and no screen touches :mod:`companion.store`.
"""
