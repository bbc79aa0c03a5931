"""The terminal interface: sessions, set-up, live interview and summary screens.

Everything here is a thin front over :mod:`companion.interview`, :mod:`companion.store`
and :mod:`companion.audio`; no domain rule is decided in this package.
"""
