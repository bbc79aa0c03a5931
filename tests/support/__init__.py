"""Helpers shared by the tests, imported as ``tests.support.<module>`` (no ``sys.path`` edits).

- :mod:`~tests.support.cli`: the CLI runner behind the ``run`` fixture, ``as_json``, ``dump``;
- :mod:`~tests.support.people`: a consented participant with a session;
- :mod:`~tests.support.audio`: known speech, the file microphone, the CLI in a subprocess;
- :mod:`~tests.support.interview`: a whole recorded, transcribed, annotated session;
- :mod:`~tests.support.speech`: espeak-ng interviews whose words and pauses are known;
- :mod:`~tests.support.speech_nl`: a short Dutch espeak-ng interview and its key words;
- :mod:`~tests.support.espeak`: espeak-ng speech (trimmed, resampled) for all of the above;
- :mod:`~tests.support.protocols`: a minimal protocol file of a test's own;
- :mod:`~tests.support.tui` and :mod:`~tests.support.fakes`: the app on a study, Pilot waits,
  the set-up screen filled in, stopping an interview, fixed recorders.
"""
