"""Interop check through QualCoder's own code, headless: what arrives there, what comes back.

QualCoder is not on PyPI, so this takes a checkout of its public source (``--qualcoder``,
the folder that holds ``src/qualcoder/refi.py``). It makes a virtual environment of its
own (``--venv``; default ``~/.cache/companion/qualcoder-venv``) and installs there, from
PyPI, only what QualCoder's REFI-QDA import, export and text editor need: PyQt6, PyMuPDF,
Pillow, qtawesome and diff-match-patch. Qt runs on its offscreen platform; QualCoder's
file dialogs are answered and its message boxes closed. Its project databases are made by
the ``CREATE TABLE`` statements of its own ``MainWindow.new_project`` (read from its
source, not copied here).

1. **Landing.** A demo study (one generated interview: recording, transcript, phases,
   notes, a bookmark, code tags, prompts) is exported as ``qdpx``, as ``qdpx --for
   qualcoder`` and as ``qdc``; QualCoder's ``RefiImport`` reads each into a project of its
   own, and what arrived is compared with what companion wrote: notes, audio codings,
   transcript codings at the exact characters, the case, the codebook.
2. **Round trip.** In QualCoder: the QualCoder variant imported, coded (rows written as
   its coding screen writes them), exported by its ``RefiExport``; coded more, exported
   again. In companion: the first export imported twice, then the second; each coding
   must be there once, on the passage selected in QualCoder, with the new codes.
3. **Edited text.** In QualCoder: the variant imported, ten passages coded, then the
   transcript corrected in its own editor (``DialogEditTextFile``, which moves the
   codings); exported and imported into a copy of the study: how many codings are placed.

Not part of ``make test`` (the suite makes the same round trips with projects written the
way QualCoder writes them: ``tests/support/qualcoder.py``).

    .venv/bin/python scripts/qualcoder_check.py --qualcoder /path/to/QualCoder [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import venv
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

NEEDS = ["PyQt6", "pymupdf", "Pillow", "qtawesome", "diff-match-patch"]
NS = {"q": "urn:QDA-XML:project:1.0"}
CODER = "Marit"
# Passages coded before the transcript is corrected, and the corrections (old, new).
EDIT_CODED = [("Could you tell me about your pain history?", "E1"), ("It started in", "E2"),
              ("years ago with my back.", "E3"),
              ("physiotherapist said it was nothing serious.", "E4"),
              ("How did that feel for you?", "E5"), ("I did not", "E6"),
              ("about the tulip garden.", "E7"),
              ("Is there something you never told them?", "E8"),
              ("is one team,", "E9"), ("they say.", "E10")]
EDITS = [("tulip garden", "tulip gardens"),
         ("How did that feel for you?", "How did that feel, for you?"),
         ("It started in", "It all started in"),
         ("Is there something you never told them?", "Was anything left unsaid between you?"),
         ("Could you tell me", "Could you tell me, please,")]

# Runs inside QualCoder's environment: argv = qualcoder src folder, work folder, plan.
DRIVER = textwrap.dedent('''
    import ast, builtins, datetime, gettext, json, shutil, sqlite3, sys
    from pathlib import Path
    src, work, plan_file = sys.argv[1:4]
    plan = json.loads(Path(plan_file).read_text())
    sys.path.insert(0, src)
    builtins._ = gettext.gettext
    from PyQt6 import QtWidgets
    qt = QtWidgets.QApplication([])
    from qualcoder import refi

    class Quiet:
        def __init__(self, *args, **kwargs):
            class Button:
                def isChecked(self): return False
            class Ui:
                radioButton_maxqda = Button()
            self.ui = Ui()
        def exec(self): return 0
    refi.Message = Quiet
    refi.RefiLineEndings = Quiet  # the export's line-end question: QualCoder's own (LF)
    chosen = [None]
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (chosen[0], "ok"))
    QtWidgets.QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: work)

    # The project database exactly as QualCoder's MainWindow.new_project makes it.
    tree = ast.parse(Path(src, "qualcoder", "__main__.py").read_text(encoding="utf-8"))
    new_project_fn = next(n for n in ast.walk(tree)
                          if isinstance(n, ast.FunctionDef) and n.name == "new_project")
    statements = [c.args[0].value for c in ast.walk(new_project_fn)
                  if isinstance(c, ast.Call) and getattr(c.func, "attr", "") == "execute"
                  and c.args and isinstance(c.args[0], ast.Constant)
                  and str(c.args[0].value).upper().startswith("CREATE")]

    class App:
        version = "QualCoder 4.0 Beta"

    def now():
        return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")

    def new_project(name):
        project = Path(work, name)
        for sub in ("", "images", "audio", "video", "documents"):
            (project / sub).mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(project / "data.qda")
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO project VALUES(?,?,?,?,?,?,?,?,null,null,null)",
                     ("v17", now(), "", App.version, 0, 0, "default", ""))
        conn.commit()
        app = App()
        app.conn = conn
        app.project_path = str(project)
        app.project_name = name
        app.settings = {"codername": "default", "directory": work, "ai_enable": "False",
                        "font": "Noto Sans", "fontsize": 10, "docfontsize": 10}
        app.ai_models = []
        app.write_config_ini = lambda *a, **k: None
        app.get_annotations = lambda: [dict(zip(
            ("anid", "fid", "pos0", "pos1", "memo", "owner", "date"), r)) for r in
            conn.execute("select anid, fid, pos0, pos1, memo, owner, date from annotation")]
        return app

    def rows(conn, sql):
        cur = conn.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def state(app):
        conn = app.conn
        return {
            "tables": len(statements),
            "codes": rows(conn, "select cid, name from code_name"),
            "categories": rows(conn, "select catid, name from code_cat"),
            "sources": rows(conn, "select id, name, fulltext, mediapath from source"),
            "code_text": rows(conn, "select cid, fid, pos0, pos1, seltext, memo, owner "
                                    "from code_text"),
            "code_av": rows(conn, "select id, pos0, pos1, cid, memo from code_av"),
            "annotations": rows(conn, "select fid, pos0, pos1, memo from annotation"),
            "journals": rows(conn, "select name, jentry from journal"),
            "cases": rows(conn, "select caseid, name from cases"),
            "case_text": rows(conn, "select caseid, fid, pos0, pos1 from case_text"),
        }

    def transcript(app):
        return next(r for r in app.conn.execute(
            "select id, fulltext from source where fulltext is not null "
            "and name like '%.txt' order by id"))

    def code(app, passage, name, owner):
        """A coding as QualCoder's coding screen writes it (code_text.py)."""
        conn = app.conn
        found = conn.execute("select cid from code_name where name = ?", [name]).fetchone()
        if found is None:
            cat = conn.execute("select catid from code_cat where name = 'Analysis'").fetchone()
            if cat is None:
                conn.execute("insert into code_cat (name, memo, owner, date, supercatid) "
                             "values ('Analysis', '', ?, ?, null)", [owner, now()])
                cat = conn.execute("select catid from code_cat where name = 'Analysis'"
                                   ).fetchone()
            conn.execute("insert into code_name (name, memo, owner, date, catid, color) "
                         "values (?, '', ?, ?, ?, '#F781F3')", [name, owner, now(), cat[0]])
            found = conn.execute("select cid from code_name where name = ?", [name]).fetchone()
        fid, text = transcript(app)
        pos0 = text.index(passage)
        conn.execute("insert into code_text (cid, fid, seltext, pos0, pos1, owner, date, memo, "
                     "important) values (?,?,?,?,?,?,?,?,null)",
                     [found[0], fid, passage, pos0, pos0 + len(passage), owner, now(), ""])
        conn.commit()

    def edit(app, changes):
        """Corrections typed in QualCoder's own text editor, which moves the codings."""
        from qualcoder.edit_textfile import DialogEditTextFile
        from PyQt6 import QtGui
        fid, _ = transcript(app)
        dialog = DialogEditTextFile(app, fid)
        editor = dialog.ui.plainTextEdit
        for old, new in changes:
            text = editor.toPlainText()
            at = text.index(old)
            cursor = editor.textCursor()
            cursor.setPosition(at)
            cursor.setPosition(at + len(old), QtGui.QTextCursor.MoveMode.KeepAnchor)
            editor.setTextCursor(cursor)
            editor.insertPlainText(new)
        dialog.accept()

    Path(work, ".qualcoder").mkdir(exist_ok=True)  # made by QualCoder at its start
    apps, out = {}, {}
    for step in plan:
        if step["do"] == "import":
            app = apps[step["project"]] = new_project(step["project"])
            chosen[0] = step["file"]
            refi.RefiImport(app, QtWidgets.QTextEdit(), step.get("kind", "qdpx"))
            out[step["id"]] = state(app)
        elif step["do"] == "code":
            for passage, name in step["codings"]:
                code(apps[step["project"]], passage, name, step["coder"])
        elif step["do"] == "edit":
            edit(apps[step["project"]], step["changes"])
        elif step["do"] == "export":
            app = apps[step["project"]]
            refi.RefiExport(app, QtWidgets.QTextEdit(), "project")
            written = Path(work, app.project_name[:-4] + ".qdpx")
            shutil.move(written, step["file"])
            out[step["id"]] = state(app)
    print(json.dumps(out))
''')


def ensure_venv(path: Path) -> Path:
    python = path / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True).create(path)
    check = subprocess.run([python, "-c", "import PyQt6.QtWidgets, pymupdf, PIL, qtawesome, "
                            "diff_match_patch"], capture_output=True)
    if check.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", *NEEDS], check=True)
    return python


HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "src"))
# The analyst's coding before QualCoder's first export and its second: (passage, code).
from tests.support.qualcoder import FIRST, SECOND  # noqa: E402  (needs the path above)


def demo_study(folder: Path) -> tuple[Any, int]:
    """A study with one generated interview (the tests' own)."""
    from companion.study import init_study, open_study
    from tests.support.interview import make_interview, write_replacements

    init_study(folder)
    study = open_study(folder)
    write_replacements(study)
    study = open_study(folder)
    db = study.db()
    made = make_interview(study, db, codes_tagged=("C1", "A1"))
    db.conn.close()
    return study, made.session_id


def export(study: Any, session: int, fmt: str, path: Path, tool: str | None = None) -> Path:
    from companion.operations.export import export as export_op

    [written] = export_op(study, session=session, fmt=fmt, output=path, for_tool=tool)
    return written.path


def expected(qdpx: Path) -> dict[str, Any]:
    """What companion wrote: transcript codings (code name, positions, exact text), audio
    codings, notes, the case."""
    with zipfile.ZipFile(qdpx) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        files = {n: archive.read(n) for n in archive.namelist()}
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{{{NS['q']}}}Code")}
    out: dict[str, Any] = {"transcript": [], "audio": [], "notes": []}
    for audio in root.findall("q:Sources/q:AudioSource", NS):
        transcript = audio.find("q:Transcript", NS)
        raw = files["sources/" + transcript.get("plainTextPath")[len("internal://"):]]
        text = raw.decode("utf-8-sig")
        points = {p.get("guid"): int(p.get("position"))
                  for p in transcript.findall("q:SyncPoint", NS)}
        for sel in transcript.findall("q:TranscriptSelection", NS):
            start, end = points[sel.get("fromSyncPoint")], points[sel.get("toSyncPoint")]
            for coding in sel.findall("q:Coding", NS):
                name = codes[coding.find("q:CodeRef", NS).get("targetGUID")]
                out["transcript"].append((name, text[start:end]))
        for sel in audio.findall("q:AudioSelection", NS):
            for coding in sel.findall("q:Coding", NS):
                out["audio"].append((codes[coding.find("q:CodeRef", NS).get("targetGUID")],
                                     int(sel.get("begin")), int(sel.get("end"))))
    for note in root.findall("q:Notes/q:Note", NS):
        out["notes"].append(note.find("q:PlainTextContent", NS).text or "")
    out["cases"] = [c.get("name") for c in root.findall("q:Cases/q:Case", NS)]
    return out


def landing(want: dict[str, Any], got: dict[str, Any]) -> dict[str, str]:
    names = {c["cid"]: c["name"] for c in got["codes"]}
    sources = {s["id"]: s for s in got["sources"]}
    # QualCoder's text may start with a byte order mark: the coded characters are what
    # matters, which is what it shows as coded (seltext).
    arrived = [(names.get(r["cid"]), r["seltext"]) for r in got["code_text"]]
    want_tr = [w for w in want["transcript"] if w[0] not in set(want["cases"])]
    exact = sum(1 for w in want_tr if w in arrived)
    memos = {r["memo"] for r in got["code_text"]} | {r["memo"] for r in got["code_av"]} | {
        r["memo"] for r in got["annotations"]} | {r["jentry"] for r in got["journals"]}
    notes_in = sum(1 for n in want["notes"] if n in memos)
    audio_in = sum(1 for name, b, e in want["audio"]
                   if any(names.get(r["cid"]) == name and (r["pos0"], r["pos1"]) == (b, e)
                          for r in got["code_av"]))
    case_ids = {c["caseid"]: c["name"] for c in got["cases"]}
    linked = {case_ids.get(r["caseid"]): sources.get(r["fid"], {}).get("name")
              for r in got["case_text"]}
    return {
        "transcript codings at the exact characters": f"{exact} of {len(want_tr)}",
        "transcript codings arrived": f"{len(arrived)} rows in code_text for {len(want_tr)} "
                                      f"codings written (each once: "
                                      f"{len(arrived) == len(want_tr)})",
        "notes": f"{notes_in} of {len(want['notes'])} note texts arrived",
        "audio codings": f"{audio_in} of {len(want['audio'])} at their times",
        "case linked": ", ".join(f"{c} -> {s}" for c, s in linked.items() if c) or "no",
    }


def run_driver(python: Path, src: Path, work: Path, plan: list[dict[str, Any]]
               ) -> dict[str, Any]:
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(plan))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(work)}
    run = subprocess.run([python, "-c", DRIVER, str(src), str(work), str(plan_file)],
                         capture_output=True, text=True, env=env, cwd=work)
    if run.returncode != 0:
        raise SystemExit(run.stderr[-4000:])
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def come_back(study: Any, session: int, files: list[Path]) -> list[dict[str, Any]]:
    """Import each file into the study; what is counted after each import."""
    from companion.operations import report
    from companion.operations.exchange import import_qdpx, list_imports
    from companion.store.qda import active_codings

    out = []
    for path in files:
        result = import_qdpx(study, path)
        with study.connected() as db:
            active = active_codings(db, [session])
        built = report.build(study)
        imports = list_imports(study)
        out.append({
            "file": path.name, "import": result.import_id, "codings read": result.codings,
            "companion's own recognised": result.own_codings, "replaced": result.replaced,
            "coder": result.coder, "unplaced": [(u.code, u.text) for u in result.unplaced],
            "codings in use": sorted((c.code, c.quote) for c in active),
            "codes in use": sorted({c.code for c in active}),
            "codebook of the import in use": next(i.codes for i in imports
                                                  if i.id == result.import_id),
            "memos in use": sum(i.memos for i in imports if i.status == "active"),
            "imports in use": [i.id for i in imports if i.status == "active"],
            "joint display codings": sum(r.codings for r in built.joint.rows)
            if built.joint else 0,
            "saturation codes": list(built.coded_saturation[0].codes)
            if built.coded_saturation else [],
        })
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--qualcoder", required=True, type=Path,
                        help="a checkout of QualCoder's source (holds src/qualcoder/refi.py)")
    parser.add_argument("--venv", type=Path,
                        default=Path.home() / ".cache" / "companion" / "qualcoder-venv")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    src = args.qualcoder / "src"
    if not (src / "qualcoder" / "refi.py").is_file():
        print(f"--qualcoder: {args.qualcoder} has no src/qualcoder/refi.py; give the folder "
              "of a QualCoder checkout", file=sys.stderr)
        return 2
    python = ensure_venv(args.venv)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        study, session = demo_study(work / "study")
        standard = export(study, session, "qdpx", work / "standard.qdpx")
        variant = export(study, session, "qdpx", work / "variant.qdpx", "qualcoder")
        qdc = export(study, session, "qdc", work / "demo.qdc")
        shutil.copytree(work / "study", work / "study-edited")
        first, second, edited = (work / n for n in ("first.qdpx", "second.qdpx",
                                                    "edited.qdpx"))
        got = run_driver(python, src, work, [
            {"do": "import", "id": "standard", "project": "standard.qda", "file": str(standard)},
            {"do": "import", "id": "variant", "project": "variant.qda", "file": str(variant)},
            {"do": "import", "id": "codebook", "project": "codebook.qda", "file": str(qdc),
             "kind": "qdc"},
            {"do": "import", "id": "study", "project": "pain-study.qda", "file": str(variant)},
            {"do": "code", "project": "pain-study.qda", "codings": FIRST, "coder": CODER},
            {"do": "export", "id": "first", "project": "pain-study.qda", "file": str(first)},
            {"do": "code", "project": "pain-study.qda", "codings": SECOND, "coder": CODER},
            {"do": "export", "id": "second", "project": "pain-study.qda", "file": str(second)},
            {"do": "import", "id": "edit", "project": "edited.qda", "file": str(variant)},
            {"do": "code", "project": "edited.qda", "codings": EDIT_CODED, "coder": CODER},
            {"do": "edit", "project": "edited.qda", "changes": EDITS},
            {"do": "export", "id": "edited", "project": "edited.qda", "file": str(edited)},
        ])
        want = expected(standard)
        figures["QualCoder: the standard qdpx"] = landing(want, got["standard"])
        figures["QualCoder: qdpx --for qualcoder"] = landing(want, got["variant"])
        book = got["codebook"]
        codes = [c.get("name") for c in ET.parse(qdc).getroot().iter(
            "{urn:QDA-XML:codebook:1.0}Code") if c.get("isCodable") == "true"]
        figures["QualCoder: the codebook (qdc)"] = (
            f"{sum(1 for c in codes if c in {r['name'] for r in book['codes']})} of "
            f"{len(codes)} codes")
        figures["QualCoder's exports"] = {
            "first": f"{len(got['first']['code_text'])} transcript codings, "
                     f"{len(got['first']['codes'])} codes",
            "second": f"{len(got['second']['code_text'])} transcript codings, "
                      f"{len(got['second']['codes'])} codes"}
        steps = come_back(study, session, [first, first, second])
        wanted_first = sorted((code, passage) for passage, code in FIRST)
        wanted_all = sorted((code, passage) for passage, code in FIRST + SECOND)
        checks = {
            "first export, imported": steps[0]["codings in use"] == wanted_first,
            "first export, imported again: the same codings, once":
                steps[1]["codings in use"] == wanted_first and steps[1]["replaced"] == [
                    steps[0]["import"]],
            "second export: every coding once, the new codes present":
                steps[2]["codings in use"] == wanted_all and steps[2]["replaced"] == [
                    steps[1]["import"]],
            "joint display counts each coding once":
                steps[2]["joint display codings"] == len(FIRST) + len(SECOND),
            "no structural code in saturation": not set(steps[2]["saturation codes"]) - {
                code for _, code in FIRST + SECOND},
        }
        figures["Coming back into companion"] = {"steps": steps, "checks": checks}
        from companion.study import open_study

        edited_steps = come_back(open_study(work / "study-edited"), session, [edited])
        placed = len(edited_steps[0]["codings in use"])
        # What QualCoder itself shows as coded after its editor moved the codings.
        state = got["edited"]
        names = {c["cid"]: c["name"] for c in state["codes"]}
        shown = {names[r["cid"]]: r["seltext"] for r in state["code_text"]
                 if names.get(r["cid"], "").startswith("E")}
        came = dict(edited_steps[0]["codings in use"])
        from companion.exchange.qdpx_placing import reads_like

        figures["Edited in QualCoder's editor"] = {
            "placed": f"{placed} of {len(EDIT_CODED)} codings "
                      f"({100 * placed / len(EDIT_CODED):.0f} %)",
            "not placed (listed with code and text)": edited_steps[0]["unplaced"],
            "placed on the passage QualCoder shows as coded": (
                f"{sum(1 for c, q in came.items() if reads_like(shown.get(c, ''), q))} "
                f"of {placed}"),
            "codings QualCoder's own editor moved off the words coded": {
                code: {"coded": passage, "QualCoder shows": shown.get(code)}
                for passage, code in EDIT_CODED
                if code in shown and passage not in shown[code]
                and not any(new in shown[code] for _, new in EDITS)},
            "codings": edited_steps[0]["codings in use"]}
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        for key, value in figures.items():
            print(f"{key}:")
            print(textwrap.indent(json.dumps(value, indent=2, ensure_ascii=False), "  "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
