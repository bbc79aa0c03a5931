"""The study database's schema as an ordered list of forward migrations.

Each migration is plain SQL and runs once, in order, inside a transaction; the database's
``PRAGMA user_version`` is the number of migrations applied. Never edit a migration that
has shipped: add a new one, because research data outlive the version that wrote them.
"""

from __future__ import annotations

V1_FOUNDATION = """
CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    gender TEXT,
    age_band TEXT,
    education TEXT,
    pain_duration TEXT,
    work_status TEXT,
    pdi INTEGER CHECK (pdi IS NULL OR pdi BETWEEN 0 AND 70),
    csi INTEGER CHECK (csi IS NULL OR csi BETWEEN 0 AND 100),
    consent_date TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    protocol_id TEXT NOT NULL,
    protocol_hash TEXT NOT NULL,
    interviewer TEXT,
    pilot INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'live', 'interrupted', 'completed')),
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    duration_ms INTEGER
);
CREATE INDEX sessions_participant ON sessions(participant_id);
CREATE TABLE wai_ratings (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    target TEXT NOT NULL CHECK (target IN ('most', 'least')),
    role TEXT NOT NULL,
    entered_as TEXT NOT NULL CHECK (entered_as IN ('items', 'domains')),
    items TEXT,
    task REAL,
    goal REAL,
    bond REAL,
    total REAL,
    created_at TEXT NOT NULL,
    UNIQUE (session_id, target)
);
CREATE TABLE phase_events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    phase_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL CHECK (at_ms >= 0),
    created_at TEXT NOT NULL
);
CREATE INDEX phase_events_session ON phase_events(session_id, at_ms);
CREATE TABLE prompt_events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    kind TEXT NOT NULL CHECK (kind IN ('asked', 'suggestion_used')),
    prompt_id TEXT,
    rule_id TEXT,
    text TEXT NOT NULL,
    at_ms INTEGER NOT NULL CHECK (at_ms >= 0),
    created_at TEXT NOT NULL
);
CREATE INDEX prompt_events_session ON prompt_events(session_id, at_ms);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    kind TEXT NOT NULL CHECK (kind IN ('note', 'bookmark', 'reflection')),
    at_ms INTEGER CHECK (at_ms IS NULL OR at_ms >= 0),
    text TEXT NOT NULL DEFAULT '',
    codes TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX notes_session ON notes(session_id, at_ms);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    session_id INTEGER,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_log_session ON audit_log(session_id, id);
-- The audit trail is what a study cites for dependability: rows are never changed.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

V2_RECORDING = """
CREATE TABLE recording_segments (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    seq INTEGER NOT NULL,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    samplerate INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    offset_ms INTEGER NOT NULL CHECK (offset_ms >= 0),
    frames INTEGER NOT NULL DEFAULT 0,
    device TEXT,
    status TEXT NOT NULL DEFAULT 'recording'
        CHECK (status IN ('recording', 'closed', 'recovered', 'imported')),
    end_reason TEXT,
    original_path TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    UNIQUE (session_id, seq)
);
"""

V3_TRANSCRIPTS = """
CREATE TABLE transcripts (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    status TEXT NOT NULL CHECK (status IN ('running', 'cancelled', 'done', 'failed')),
    model TEXT NOT NULL,
    language TEXT,
    done_ms INTEGER NOT NULL DEFAULT 0,
    total_ms INTEGER,
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE transcript_segments (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    recording_segment_id INTEGER REFERENCES recording_segments(id),
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT,
    avg_logprob REAL,
    words TEXT NOT NULL DEFAULT '[]',
    phase_id TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (session_id, start_ms, recording_segment_id)
);
CREATE INDEX transcript_segments_session ON transcript_segments(session_id, start_ms);
CREATE TABLE pauses (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    within_segment INTEGER NOT NULL DEFAULT 0,
    UNIQUE (session_id, start_ms)
);
-- One full-text index over what people said and what the interviewer wrote.
CREATE VIRTUAL TABLE search_index USING fts5(
    text, kind UNINDEXED, ref_id UNINDEXED, session_id UNINDEXED, at_ms UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""

V4_SESSION_STOPPED = """
-- A stopped session (F10) can be continued; only F8 completes it. SQLite cannot change a
-- CHECK in place, so the table is rebuilt (same ids; migrate() runs this with foreign keys
-- off and checks them before the commit).
CREATE TABLE sessions_v4 (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    protocol_id TEXT NOT NULL,
    protocol_hash TEXT NOT NULL,
    interviewer TEXT,
    pilot INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'live', 'interrupted', 'stopped', 'completed')),
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    duration_ms INTEGER
);
INSERT INTO sessions_v4 SELECT id, participant_id, protocol_id, protocol_hash, interviewer,
    pilot, status, created_at, started_at, ended_at, duration_ms FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v4 RENAME TO sessions;
CREATE INDEX sessions_participant ON sessions(participant_id);
"""

V_EXPORTS_AND_WITHDRAWALS = """
-- Every export written, so a withdrawal can name copies outside the study folder. No
-- foreign key: the row outlives nothing, withdrawal deletes it with the session.
CREATE TABLE exports (
    id INTEGER PRIMARY KEY,
    session_id INTEGER,
    participant_id INTEGER,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    inside_study INTEGER NOT NULL,
    written_at TEXT NOT NULL
);
CREATE INDEX exports_session ON exports(session_id);
-- A withdrawal's plan, written before anything is erased; removed when it is complete.
CREATE TABLE withdrawals (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL,
    plan TEXT NOT NULL,
    started_at TEXT NOT NULL
);
"""

V_LIVE_TRANSCRIPT = """
-- What the live transcriber showed during the interview, with the session time at which
-- each line appeared; replaced by the full transcription later.
CREATE TABLE live_segments (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    start_ms INTEGER NOT NULL CHECK (start_ms >= 0),
    end_ms INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT,
    shown_at_ms INTEGER NOT NULL
);
CREATE INDEX live_segments_session ON live_segments(session_id, start_ms);
-- A pinned quote is a note of kind 'quote'. SQLite cannot change a CHECK in place, so the
-- notes table is rebuilt (same ids and rows).
CREATE TABLE notes_live (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    kind TEXT NOT NULL CHECK (kind IN ('note', 'bookmark', 'reflection', 'quote')),
    at_ms INTEGER CHECK (at_ms IS NULL OR at_ms >= 0),
    text TEXT NOT NULL DEFAULT '',
    codes TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO notes_live SELECT id, session_id, kind, at_ms, text, codes, version, created_at,
    updated_at FROM notes;
DROP TABLE notes;
ALTER TABLE notes_live RENAME TO notes;
CREATE INDEX notes_session ON notes(session_id, at_ms);
"""

V_QDA_CODINGS = """
-- What came back from analysis software (import-qdpx): codes, codings of the sessions'
-- transcripts and memos. Kept apart from what companion owns (transcripts, notes).
CREATE TABLE qda_imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    origin TEXT,
    sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE qda_codes (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_guid TEXT,
    description TEXT,
    codable INTEGER NOT NULL DEFAULT 1,
    import_id INTEGER NOT NULL REFERENCES qda_imports(id)
);
CREATE TABLE qda_codings (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    code_id INTEGER NOT NULL REFERENCES qda_codes(id),
    selection_guid TEXT NOT NULL,
    start_pos INTEGER NOT NULL CHECK (start_pos >= 0),
    end_pos INTEGER NOT NULL CHECK (end_pos >= start_pos),
    start_ms INTEGER,
    end_ms INTEGER,
    quote TEXT NOT NULL,
    memo TEXT,
    matched_by TEXT NOT NULL CHECK (matched_by IN ('guid', 'text')),
    coder TEXT,
    created_at TEXT,
    import_id INTEGER NOT NULL REFERENCES qda_imports(id),
    UNIQUE (session_id, code_id, start_pos, end_pos)
);
CREATE INDEX qda_codings_session ON qda_codings(session_id, start_ms);
CREATE TABLE qda_memos (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    session_id INTEGER REFERENCES sessions(id),
    name TEXT,
    text TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES qda_imports(id)
);
"""

V_TRANSCRIPT_DROPPED = """
-- Words the transcription's hallucination guard left out (heard in silence, or extra
-- copies of a looping phrase), with their session time and why, so review can show them.
CREATE TABLE transcript_dropped (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    word TEXT NOT NULL,
    probability REAL,
    reason TEXT NOT NULL,
    UNIQUE (session_id, start_ms, word)
);
"""

V_QDA_PROJECTS = """
-- Coded projects come back again and again (a tool writes new GUIDs on every export): an
-- import knows the project it came from (tool, project name, coder, the sessions its texts
-- matched) and whether a later export of that project replaced it. Codes and codings
-- belong to the import that brought them, so a code is one per import and name, and two
-- coders may code the same passage with the same code.
ALTER TABLE qda_imports ADD COLUMN project_name TEXT;
ALTER TABLE qda_imports ADD COLUMN tool TEXT;
ALTER TABLE qda_imports ADD COLUMN coder TEXT NOT NULL DEFAULT '';
ALTER TABLE qda_imports ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'replaced', 'undone'));
ALTER TABLE qda_imports ADD COLUMN replaced_by INTEGER REFERENCES qda_imports(id);
ALTER TABLE qda_imports ADD COLUMN foreign_project INTEGER NOT NULL DEFAULT 0;
CREATE TABLE qda_import_sessions (
    import_id INTEGER NOT NULL REFERENCES qda_imports(id),
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    matched_by TEXT NOT NULL CHECK (matched_by IN ('text', 'edited')),
    PRIMARY KEY (import_id, session_id)
);
INSERT INTO qda_import_sessions (import_id, session_id, matched_by)
    SELECT DISTINCT import_id, session_id, 'text' FROM qda_codings;
CREATE TABLE qda_codes_v2 (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES qda_imports(id),
    guid TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_guid TEXT,
    description TEXT,
    codable INTEGER NOT NULL DEFAULT 1,
    UNIQUE (import_id, guid)
);
INSERT INTO qda_codes_v2 (id, import_id, guid, name, parent_guid, description, codable)
    SELECT id, import_id, guid, name, parent_guid, description, codable FROM qda_codes;
DROP TABLE qda_codes;
ALTER TABLE qda_codes_v2 RENAME TO qda_codes;
CREATE TABLE qda_codings_v2 (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    code_id INTEGER NOT NULL REFERENCES qda_codes(id),
    selection_guid TEXT NOT NULL,
    start_pos INTEGER NOT NULL CHECK (start_pos >= 0),
    end_pos INTEGER NOT NULL CHECK (end_pos >= start_pos),
    start_ms INTEGER,
    end_ms INTEGER,
    quote TEXT NOT NULL,
    memo TEXT,
    matched_by TEXT NOT NULL CHECK (matched_by IN ('guid', 'text', 'edited')),
    coder TEXT NOT NULL DEFAULT '',
    created_at TEXT,
    import_id INTEGER NOT NULL REFERENCES qda_imports(id),
    segment_ids TEXT NOT NULL DEFAULT '[]',
    UNIQUE (import_id, session_id, code_id, start_pos, end_pos, coder)
);
INSERT INTO qda_codings_v2 (id, session_id, code_id, selection_guid, start_pos, end_pos,
    start_ms, end_ms, quote, memo, matched_by, coder, created_at, import_id)
    SELECT id, session_id, code_id, selection_guid, start_pos, end_pos, start_ms, end_ms,
    quote, memo, matched_by, coalesce(coder, ''), created_at, import_id FROM qda_codings;
DROP TABLE qda_codings;
ALTER TABLE qda_codings_v2 RENAME TO qda_codings;
CREATE INDEX qda_codings_session ON qda_codings(session_id, start_ms);
CREATE INDEX qda_codings_import ON qda_codings(import_id);
CREATE TABLE qda_memos_v2 (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES qda_imports(id),
    guid TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions(id),
    name TEXT,
    text TEXT NOT NULL,
    UNIQUE (import_id, guid)
);
INSERT INTO qda_memos_v2 (id, import_id, guid, session_id, name, text)
    SELECT id, import_id, guid, session_id, name, text FROM qda_memos;
DROP TABLE qda_memos;
ALTER TABLE qda_memos_v2 RENAME TO qda_memos;
"""

V_IMPORT_PATHS = """
-- Where an imported coded project was read from (relative to the study folder when
-- inside it): a withdrawal names that file, which holds the participant too.
ALTER TABLE qda_imports ADD COLUMN path TEXT;
"""

V_SPEAKER_SEPARATION = """
-- How sure the last speaker separation of a mono session was: the share of its speech
-- decided clearly (0..1), how certain the naming of the interviewer was (NULL with an
-- enrolled voice, which names the sides itself), and the stretches it was unsure of.
CREATE TABLE speaker_separations (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    engine TEXT NOT NULL,
    enrolled INTEGER NOT NULL,
    confidence REAL NOT NULL,
    naming REAL,
    doubtful TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
"""

MIGRATIONS: tuple[str, ...] = (V1_FOUNDATION, V2_RECORDING, V3_TRANSCRIPTS,
                              V4_SESSION_STOPPED,
                              V_EXPORTS_AND_WITHDRAWALS, V_LIVE_TRANSCRIPT, V_QDA_CODINGS,
                              V_TRANSCRIPT_DROPPED, V_QDA_PROJECTS, V_IMPORT_PATHS,
                              V_SPEAKER_SEPARATION)
SCHEMA_VERSION = len(MIGRATIONS)
