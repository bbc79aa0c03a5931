"""Subtitle formats: SubRip (``srt``) and WebVTT (``vtt``), one cue per transcript segment.

The speaker is written in front of the text (``P05: ...``; in WebVTT as a voice tag
``<v P05>``). WebVTT also carries the notes, as one-line ``NOTE ...`` comments at their
place, which players ignore and scripts can read. An interruption of the recording (a
pause, a stop, a lost microphone) is a ``NOTE`` in WebVTT and a one-second cue of its own
in SubRip, which has no comments: ``[Interruption at 00:03:04: Microphone lost for 26 s]``.
Cue ids are numbers counting from 1: Taguette's subtitle reader takes a cue id for an
SRT-style number and a ``NOTE`` block only when its text is on the ``NOTE`` line itself.

Taguette shows a voice tag as literal text and leaves ``NOTE`` blocks out, so its variant
(``vtt --for taguette``) writes the speaker in the cue text (``P05: ...``), the notes,
bookmarks, prompts and interruptions as cues of their own at their moment
(``[Note at 00:12:03: ...]``, one second long), and the text unescaped (its reader shows
``&amp;`` as it stands).
"""

from __future__ import annotations

import dataclasses

from companion.session.document import Entry, SessionDocument, memo_text

NOTE_CUE_MS = 1000
"""How long a note's or an interruption's cue of its own lasts."""


def _clock(ms: int, sep: str) -> str:
    ms = max(0, int(ms))
    hours, minutes, seconds = ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{ms % 1000:03d}"


def _safe(text: str) -> str:
    # A cue's text may not contain the cue-timing arrow nor blank lines.
    return " ".join(text.replace("-->", "->").split())


def _whole(doc: SessionDocument, entry: Entry) -> Entry | None:
    """A segment as one cue: its first stretch stands for the segment (a note that cut it
    in the text comes after the cue), the others are left out."""
    if entry.kind != "segment" or entry.part:
        return entry if entry.kind != "segment" else None
    ends = {s.id: s.end_ms for s in doc.segments}
    return dataclasses.replace(entry, text=doc.rendered.get(entry.ref_id or 0, entry.text),
                               end_ms=ends.get(entry.ref_id or 0, entry.end_ms))


def _entries(doc: SessionDocument) -> list[Entry]:
    return [e for e in (_whole(doc, entry) for entry in doc.entries) if e is not None]


def _cues(doc: SessionDocument) -> list[tuple[int, int, str | None, str]]:
    """(start, end, speaker, text) of every SubRip cue: the segments and, with no speaker,
    the interruptions."""
    cues: list[tuple[int, int, str | None, str]] = []
    for entry in _entries(doc):
        if entry.kind == "segment" and entry.text.strip():
            end = max(entry.end_ms or entry.at_ms, entry.at_ms + 1)
            cues.append((entry.at_ms, end, entry.speaker, _safe(entry.text)))
        elif entry.kind == "interruption":
            cues.append((entry.at_ms, entry.at_ms + NOTE_CUE_MS, None,
                         _safe(memo_text(doc, entry))))
    return cues


def to_srt(doc: SessionDocument) -> bytes:
    blocks = []
    for number, (start, end, speaker, text) in enumerate(_cues(doc), start=1):
        label = doc.speaker_label(speaker) if speaker else ""
        body = f"{label}: {text}" if label else text
        blocks.append(f"{number}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{body}\n")
    return "\n".join(blocks).encode("utf-8")


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")



def to_vtt_taguette(doc: SessionDocument) -> bytes:
    """WebVTT as Taguette reads it: speakers and notes in the cue text, no voice tags."""
    out = ["WEBVTT", "", "NOTE " + _safe(" ".join(doc.header_lines())), ""]
    number = 0
    for entry in _entries(doc):
        if entry.kind in ("note", "prompt", "interruption"):
            body = _safe(memo_text(doc, entry))
            start, end = entry.at_ms, entry.at_ms + NOTE_CUE_MS
        elif entry.kind == "segment" and entry.text.strip():
            label = doc.speaker_label(entry.speaker)
            body = f"{label}: {_safe(entry.text)}" if label else _safe(entry.text)
            start, end = entry.at_ms, max(entry.end_ms or entry.at_ms, entry.at_ms + 1)
        else:
            continue
        number += 1
        out += [str(number), f"{_clock(start, '.')} --> {_clock(end, '.')}", body, ""]
    return "\n".join(out).encode("utf-8")


def to_vtt(doc: SessionDocument) -> bytes:
    out = ["WEBVTT", "", "NOTE " + _safe(" ".join(doc.header_lines())), ""]
    number = 0
    for entry in _entries(doc):
        if entry.kind in ("note", "prompt", "interruption"):
            out += ["NOTE " + _safe(memo_text(doc, entry)), ""]
        elif entry.kind == "segment" and entry.text.strip():
            number += 1
            end = max(entry.end_ms or entry.at_ms, entry.at_ms + 1)
            label = doc.speaker_label(entry.speaker)
            text = _vtt_escape(_safe(entry.text))
            body = f"<v {_vtt_escape(label)}>{text}" if label else text
            out += [str(number), f"{_clock(entry.at_ms, '.')} --> {_clock(end, '.')}",
                    body, ""]
    return "\n".join(out).encode("utf-8")
