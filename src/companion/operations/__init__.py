"""Every action a user can take, once, for both fronts (the CLI and the TUI).

Each action is one function in the module of its subject (participants, sessions,
ratings, marks, notes, review, ...). It takes the :class:`~companion.study.folder.Study`
and typed arguments, checks them, makes its writes in one transaction with one audit
entry, and returns a plain frozen dataclass. It opens the study database itself, on the
calling thread (a connection belongs to the thread that opened it), so a front never holds
a database and never imports :mod:`companion.store`.

This package imports none of its modules here: the store loads sqlite-utils, which the
TUI's first frame must not wait for; a front imports the module it needs where it needs it.
"""
