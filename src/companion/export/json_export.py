"""``json``: everything about a session in one document, for scripts.

The shape is stable and versioned (``format``); times are session milliseconds, and the
free text is pseudonymised like every other export.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from companion.export.layout import layout
from companion.export.pseudonymise import applied
from companion.session.document import SessionDocument
from companion.speakers.talktime import talk_time_data

FORMAT_VERSION = "companion-session/1"


def session_data(doc: SessionDocument) -> dict[str, Any]:
    session = doc.session.to_dict()
    session["interviewer"] = doc.interviewer
    pseudo = applied(doc)
    return {
        "format": FORMAT_VERSION,
        "generated_at": doc.generated_at,
        "pseudonymisation": {"rules": pseudo.rules, "replacements_made": pseudo.count,
                             "note": pseudo.note()},
        "session": session,
        "duration_ms": doc.duration_ms,
        "participant": doc.participant.to_dict(),
        "protocol": {"id": doc.protocol.id, "title": doc.protocol.title,
                     "hash": doc.protocol.content_hash,
                     "phases": [{"id": p.id, "title": p.title} for p in doc.protocol.phases],
                     "codes": [asdict(c) for c in doc.protocol.codes]},
        "ratings": [r.to_dict() for r in doc.ratings],
        "phases": [asdict(p) for p in doc.phases],
        "prompts": doc.prompts,
        "notes": [n.to_dict() for n in doc.notes],
        "transcript": doc.transcript,
        "segments": [s.to_dict() | {"rendered": doc.rendered.get(s.id, s.text)}
                     for s in doc.segments],
        "pauses": [asdict(p) | {"duration_ms": p.duration_ms} for p in doc.pauses],
        "talk_time": talk_time_data(doc.segments, doc.phases),
        "recordings": [r.to_dict() | {"original_path": pseudo.apply(r.original_path)
                                      or None} for r in doc.recordings],
        # Where the recording broke off: ``lasted_ms`` is its length in the room (None when
        # unknown), ``end_ms`` - ``at_ms`` its length on the session clock.
        "interruptions": [
            {"kind": i.kind, "at_ms": i.start_ms, "end_ms": i.end_ms, "lasted_ms": i.lasted_ms,
             "reason": i.reason, "resumed": i.resumed, "recording_id": i.recording_id,
             "text": i.describe()} for i in doc.interruptions],
        "timeline": [
            {"kind": p.kind, "at_ms": p.at_ms, "end_ms": p.end_ms, "speaker": p.speaker,
             "parts": [asdict(e) for e in p.parts]}
            for p in layout(doc)
        ],
    }


def to_json(doc: SessionDocument) -> bytes:
    return json.dumps(session_data(doc), ensure_ascii=False, indent=2,
                      default=str).encode("utf-8")
