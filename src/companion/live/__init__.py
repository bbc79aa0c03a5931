"""The live transcript: a separate, lower-priority process that turns the audio the
recorder writes into lines on screen while the interview goes on.

* :mod:`~companion.live.wire` frames the audio handed to the process and its replies;
* :mod:`~companion.live.segmenter` cuts the stream into phrases at pauses;
* :mod:`~companion.live.worker` is the process itself (``python -m companion.live.worker``);
* :mod:`~companion.live.client` starts it beside a recorder, feeds it and stores its lines;
* :mod:`~companion.live.speakers` names the speaker of a line (the hook for voices on mono);
* :mod:`~companion.live.mentions`, :mod:`~companion.live.quotes` and
  :mod:`~companion.live.talk` turn lines into cards, quotes and the talk-time balance.

The recorder never waits for any of it: its writer thread only puts each block on a queue.
"""
