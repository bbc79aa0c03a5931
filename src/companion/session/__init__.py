"""One session as the views after it read it: its timeline and its document.

:mod:`~companion.session.timeline` puts phases, pauses, speech and notes on the session's
one clock; :mod:`~companion.session.document` reads the whole session in that order, its
text as it was typed and transcribed. Review, the summary, the report and every export
read a session through them; an export pseudonymises its copy of the document
(:mod:`companion.export.pseudonymise`).
"""
