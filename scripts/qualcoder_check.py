"""Interop check: import companion's qdpx through QualCoder's own REFI-QDA import, headless.

QualCoder is not on PyPI, so this takes a checkout of its public source (``--qualcoder``,
the folder that holds ``src/qualcoder/refi.py``). It makes a virtual environment of its
own (``--venv``; default ``~/.cache/companion/qualcoder-venv``) and installs there, from
PyPI, only what QualCoder's import needs: PyQt6, PyMuPDF and Pillow. Then it:

1. builds a demo study (one generated interview: recording, transcript, phases, notes,
   a bookmark, code tags, prompts) and exports it as ``qdpx`` and ``qdc``, or takes
   ``--qdpx FILE`` (and ``--qdc FILE``);
2. runs ``RefiImport(app, textedit, "qdpx")`` (and ``"qdc"`` for the codebook, into a
   project of its own) from QualCoder's ``refi.py`` with Qt's
   offscreen platform, on a project database made by the ``CREATE TABLE`` statements of
   QualCoder's own ``MainWindow.new_project`` (read from its source, not copied here);
   its file dialog is answered with the qdpx and its message boxes are closed;
3. reads what arrived in QualCoder's database and compares it with the project:
   notes, audio codings, transcript codings at the exact characters, the case linked,
   the codebook's codes.

Not part of ``make test``: it needs QualCoder's source and a download of PyQt6.

    .venv/bin/python scripts/qualcoder_check.py --qualcoder /path/to/QualCoder [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import venv
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

NEEDS = ["PyQt6", "pymupdf", "Pillow"]
NS = {"q": "urn:QDA-XML:project:1.0"}

# Runs inside QualCoder's environment: argv = qualcoder src folder, qdpx, work folder.
DRIVER = textwrap.dedent('''
    import ast, builtins, gettext, json, os, sqlite3, sys
    from pathlib import Path
    src, qdpx, work = sys.argv[1:4]
    qdc = sys.argv[4] if len(sys.argv) > 4 else None
    sys.path.insert(0, src)
    builtins._ = gettext.gettext
    from PyQt6 import QtWidgets
    qt = QtWidgets.QApplication([])
    from qualcoder import refi

    class Quiet:
        def __init__(self, *args, **kwargs): pass
        def exec(self): return 0
    refi.Message = Quiet
    chosen = [qdpx]
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (chosen[0], "ok"))

    # The project database exactly as QualCoder's MainWindow.new_project makes it.
    tree = ast.parse(Path(src, "qualcoder", "__main__.py").read_text(encoding="utf-8"))
    new_project = next(n for n in ast.walk(tree)
                       if isinstance(n, ast.FunctionDef) and n.name == "new_project")
    statements = [c.args[0].value for c in ast.walk(new_project)
                  if isinstance(c, ast.Call) and getattr(c.func, "attr", "") == "execute"
                  and c.args and isinstance(c.args[0], ast.Constant)
                  and str(c.args[0].value).upper().startswith("CREATE")]
    class App:
        pass

    def new_project(name):
        project = Path(work, name)
        for sub in ("", "images", "audio", "video", "documents"):
            (project / sub).mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(project / "data.qda")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        app = App()
        app.conn = conn
        app.project_path = str(project)
        app.project_name = name
        app.settings = {"codername": "default", "directory": work, "ai_enable": "False"}
        app.ai_models = []
        app.write_config_ini = lambda *a, **k: None
        return app

    log = QtWidgets.QTextEdit()
    codebook = None
    if qdc:
        chosen[0] = qdc
        book = new_project("codebook.qda")
        refi.RefiImport(book, log, "qdc")
        codebook = {
            "codes": [r[0] for r in book.conn.execute("select name from code_name")],
            "categories": [r[0] for r in book.conn.execute("select name from code_cat")]}
    chosen[0] = qdpx
    app = new_project("check.qda")
    conn = app.conn
    refi.RefiImport(app, log, "qdpx")

    def rows(sql):
        cur = conn.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    print(json.dumps({
        "tables": len(statements),
        "codes": rows("select cid, name from code_name"),
        "sources": rows("select id, name, fulltext, mediapath from source"),
        "code_text": rows("select cid, fid, pos0, pos1, seltext, memo from code_text"),
        "code_av": rows("select id, pos0, pos1, cid, memo from code_av"),
        "annotations": rows("select fid, pos0, pos1, memo from annotation"),
        "journals": rows("select name, jentry from journal"),
        "cases": rows("select caseid, name from cases"),
        "case_text": rows("select caseid, fid, pos0, pos1 from case_text"),
        "codebook": codebook,
    }))
''')


def ensure_venv(path: Path) -> Path:
    python = path / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True).create(path)
    check = subprocess.run([python, "-c", "import PyQt6.QtWidgets, pymupdf, PIL"],
                           capture_output=True)
    if check.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", *NEEDS], check=True)
    return python


def demo_exports(folder: Path) -> tuple[Path, Path]:
    """A generated interview exported with companion as qdpx and as qdc."""
    here = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(here))
    sys.path.insert(0, str(here / "src"))
    from companion.export import export_sessions
    from companion.study import init_study, open_study
    from tests.support.interview import make_interview  # the tests' generated interview

    init_study(folder / "study")
    study = open_study(folder / "study")
    db = study.db()
    made = make_interview(study, db, codes_tagged=("C1", "A1"))
    [path] = export_sessions(study, db, session=made.session_id, fmt="qdpx",
                             output=folder / "demo.qdpx")
    [qdc] = export_sessions(study, db, session=made.session_id, fmt="qdc",
                            output=folder / "demo.qdc")
    return path, qdc


def codebook_codes(qdc: Path) -> tuple[list[str], list[str]]:
    """(codable code names, folder names) of a qdc file."""
    codes, folders = [], []
    for code in ET.parse(qdc).getroot().iter("{urn:QDA-XML:codebook:1.0}Code"):
        (codes if code.get("isCodable") == "true" else folders).append(code.get("name"))
    return codes, folders


def expected(qdpx: Path) -> dict:
    """What companion wrote: transcript codings (code name, exact text), audio codings,
    notes, the case and its sources."""
    with zipfile.ZipFile(qdpx) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        files = {n: archive.read(n) for n in archive.namelist()}
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{{{NS['q']}}}Code")}
    out: dict = {"transcript": [], "audio": [], "notes": [], "text": {}}
    for audio in root.findall("q:Sources/q:AudioSource", NS):
        transcript = audio.find("q:Transcript", NS)
        text = files["sources/" + transcript.get("plainTextPath")[len("internal://"):]]
        text = text.decode("utf-8")
        out["text"][audio.get("name")] = text
        points = {p.get("guid"): int(p.get("position"))
                  for p in transcript.findall("q:SyncPoint", NS)}
        for sel in transcript.findall("q:TranscriptSelection", NS):
            start, end = points[sel.get("fromSyncPoint")], points[sel.get("toSyncPoint")]
            for coding in sel.findall("q:Coding", NS):
                name = codes[coding.find("q:CodeRef", NS).get("targetGUID")]
                out["transcript"].append((name, start, end, text[start:end]))
        for sel in audio.findall("q:AudioSelection", NS):
            for coding in sel.findall("q:Coding", NS):
                out["audio"].append((codes[coding.find("q:CodeRef", NS).get("targetGUID")],
                                     int(sel.get("begin")), int(sel.get("end"))))
    for note in root.findall("q:Notes/q:Note", NS):
        out["notes"].append(note.find("q:PlainTextContent", NS).text or "")
    out["cases"] = [c.get("name") for c in root.findall("q:Cases/q:Case", NS)]
    return out


def compare(want: dict, got: dict) -> dict:
    names = {c["cid"]: c["name"] for c in got["codes"]}
    sources = {s["id"]: s for s in got["sources"]}
    # Transcript codings: the case code's rows moved to case_text, so compare the others.
    arrived = [(names.get(r["cid"]), r["pos0"], r["pos1"], r["seltext"])
               for r in got["code_text"]]
    case_names = set(want["cases"])
    want_tr = [w for w in want["transcript"] if w[0] not in case_names]
    exact = sum(1 for w in want_tr if w in arrived)
    shifts: dict[int, int] = {}
    for name, s, e, _ in want_tr:
        moved = [a[1] - s for a in arrived if a[0] == name and a[1] - s == a[2] - e != 0]
        if moved and (name, s, e, _) not in arrived:
            shifts[moved[0]] = shifts.get(moved[0], 0) + 1
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
        "notes": f"{notes_in} of {len(want['notes'])} note texts arrived "
                 "(as coding memos, annotations or journal entries)",
        "audio codings": f"{audio_in} of {len(want['audio'])} audio codings arrived at "
                         "their times",
        "transcript codings": f"{exact} of {len(want_tr)} at the exact characters"
                              + "".join(f"; {n} moved by {d:+d} character(s)"
                                        for d, n in sorted(shifts.items())),
        "transcript codings arrived": f"{len(arrived)} rows in code_text for "
                                      f"{len(want_tr)} codings written (each once: "
                                      f"{len(arrived) == len(want_tr)})",
        "case linked": ", ".join(f"{c} -> {s}" for c, s in linked.items() if c) or "no",
        "tables made by QualCoder's new_project": str(got["tables"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qualcoder", required=True, type=Path,
                        help="a checkout of QualCoder's source (holds src/qualcoder/refi.py)")
    parser.add_argument("--venv", type=Path,
                        default=Path.home() / ".cache" / "companion" / "qualcoder-venv")
    parser.add_argument("--qdpx", type=Path, help="a qdpx to check instead of the demo")
    parser.add_argument("--qdc", type=Path, help="a qdc codebook to check with it")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    src = args.qualcoder / "src"
    if not (src / "qualcoder" / "refi.py").is_file():
        print(f"--qualcoder: {args.qualcoder} has no src/qualcoder/refi.py; give the folder "
              "of a QualCoder checkout", file=sys.stderr)
        return 2
    python = ensure_venv(args.venv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        qdpx, qdc = (args.qdpx, args.qdc) if args.qdpx else demo_exports(work)
        copy = work / "check.qdpx"  # QualCoder unpacks next to the file it imports
        copy.write_bytes(qdpx.read_bytes())
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(work)}
        run = subprocess.run([python, "-c", DRIVER, str(src), str(copy), str(work),
                              *([str(qdc)] if qdc else [])],
                             capture_output=True, text=True, env=env)
        if run.returncode != 0:
            print(run.stderr[-3000:], file=sys.stderr)
            return 1
        got = json.loads(run.stdout.strip().splitlines()[-1])
        figures = compare(expected(copy), got)
        if qdc and got.get("codebook") is not None:
            codes, folders = codebook_codes(qdc)
            book = got["codebook"]
            figures["codebook (qdc)"] = (
                f"{sum(1 for c in codes if c in book['codes'])} of {len(codes)} codes, "
                f"{sum(1 for f in folders if f in book['categories'])} of {len(folders)} "
                "folders as categories")
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
