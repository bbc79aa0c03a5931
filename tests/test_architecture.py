"""The shape of the project: domain code stands without the TUI, protocols ship with it."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "companion"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # ``from companion import store`` imports the package companion.store.
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_domain_code_never_imports_textual_or_the_tui() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] in ("tui", "cli"):
            continue
        bad = {n for n in _imports(path) if n.split(".")[0] == "textual" or
               n.startswith("companion.tui")}
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert offenders == []
    # And at run time: the domain packages load without pulling Textual in.
    modules = sorted(
        "companion." + ".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(
            ".__init__")
        for p in SRC.rglob("*.py")
        if p.relative_to(SRC).parts[0] not in ("tui", "cli", "__main__.py")
    )
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_fronts_reach_the_store_only_through_operations() -> None:
    """The CLI and every TUI module call :mod:`companion.operations`; none imports the store,
    not even for a type, so each user action exists once under both fronts."""
    fronts = [*sorted((SRC / "cli").rglob("*.py")), *sorted((SRC / "tui").rglob("*.py"))]
    offenders = []
    for path in fronts:
        bad = {n for n in _imports(path) if n == "companion.store"
               or n.startswith(("companion.store.", "sqlite_utils", "sqlite3."))}
        # Nor do they open a connection of their own (``study.db()``): operations do.
        bad |= {"….db()" for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "db"}
        if bad:
            offenders.append(f"{path.relative_to(SRC)}: {sorted(bad)}")
    assert offenders == []
    assert len(fronts) > 10  # the walk found the screens, not an empty folder


def _offenders(package: str, bad: Callable[[str], bool]) -> list[str]:
    """``module: [imports]`` for every module of ``package`` with an import ``bad`` says is."""
    found = []
    for path in sorted((SRC / package).rglob("*.py")):
        names = sorted(n for n in _imports(path) if bad(n))
        if names:
            found.append(f"{path.relative_to(SRC)}: {names}")
    return found


def _front_or_operation(name: str) -> bool:
    return (name.split(".")[0] in ("click", "textual")
            or name.split(".")[:2] in (["companion", "operations"], ["companion", "cli"],
                                       ["companion", "tui"]))


def test_transcription_and_models_know_no_front_and_no_operation() -> None:
    """A run of Whisper and the choice of its model are called by operations; they draw no
    progress bar, raise no exit status and call no operation back."""
    assert _offenders("transcribe", _front_or_operation) == []
    assert _offenders("models", _front_or_operation) == []
    # Model choice lives in models/: transcription imports it, never the other way round.
    assert _offenders("models", lambda n: n.startswith("companion.transcribe")) == []


def test_the_store_starts_no_workflow_of_the_live_transcript() -> None:
    """Moving pinned quotes onto a finished transcript is a step of the transcription
    operation, not something the store sets off when a status is written."""
    assert _offenders("store", lambda n: n.startswith("companion.live")) == []


def _writes_to_the_terminal(source: str) -> list[str]:
    """Calls of ``print`` and uses of ``sys.stdout``/``sys.stderr`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "print":
            found.append(f"print() line {node.lineno}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "sys" and node.attr in ("stdout", "stderr", "__stdout__"):
            found.append(f"sys.{node.attr} line {node.lineno}")
    return sorted(found, key=lambda text: int(text.rsplit(" ", 1)[1]))


def test_audio_neither_talks_to_the_terminal_nor_reaches_up_to_the_fronts() -> None:
    """The recorder, recovery and import are driven by both fronts through operations:
    what a terminal shows (the level line, the live lines) lives in ``cli/``."""
    offenders = []
    for path in sorted((SRC / "audio").rglob("*.py")):
        bad = sorted(n for n in _imports(path)
                     if n.split(".")[0] in ("click", "textual", "rich")
                     or n == "companion.operations" or n.startswith("companion.operations.")
                     or n == "companion.cli" or n.startswith(("companion.cli.",
                                                              "companion.tui")))
        bad += _writes_to_the_terminal(path.read_text(encoding="utf-8"))
        if bad:
            offenders.append(f"{path.relative_to(SRC)}: {bad}")
    assert offenders == []
    # The check can fail: it sees each way of writing to the terminal.
    assert _writes_to_the_terminal("import sys\nprint('x')\nsys.stdout.write('y')\n"
                                   "out = sys.stderr\n") == [
        "print() line 2", "sys.stdout line 3", "sys.stderr line 4"]


def test_no_two_audio_modules_import_each_other_in_a_circle() -> None:
    """E.g. the recorder owns its writer thread; the thread knows it only through
    ``audio/thread_link.py``, never by importing ``recorder.py`` back (not even lazily)."""
    modules = {f"companion.audio.{p.stem}": p for p in (SRC / "audio").glob("*.py")}
    graph = {name: {n for n in _imports(path) if n in modules and n != name}
             for name, path in modules.items()}
    circles = sorted(f"{a} -> ... -> {a}" for a in graph if a in _reachable(graph, a))
    assert circles == []
    assert "companion.audio.recording_thread" in graph["companion.audio.recorder"]


def test_the_operations_package_imports_nothing_at_its_top() -> None:
    """The TUI's first frame must not wait for sqlite-utils: importing the package is free."""
    assert _imports(SRC / "operations" / "__init__.py") == set()


def test_the_wheel_carries_the_protocols_inside_the_package(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d",
                    str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    wheel = next(tmp_path.glob("companion-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (ROOT / "protocols").glob("*.toml")}
    assert {"pain-alliance.toml", "semi-structured.toml"} <= shipped
    assert {f"companion/protocols/{name}" for name in shipped} <= names


def _package(name: str) -> str | None:
    """``companion.store.db`` -> ``store``; ``companion.notation`` -> ``notation``."""
    parts = name.split(".")
    return parts[1] if parts[0] == "companion" and len(parts) > 1 else None


def _package_graph() -> dict[str, set[str]]:
    """Which companion packages (and top-level modules) each one imports, at any depth."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        own = rel.parts[0].removesuffix(".py")
        targets = {_package(n) for n in _imports(path)} - {None, own}
        graph.setdefault(own, set()).update(t for t in targets if t)
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), set()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_store_never_imports_transcription_exports_or_the_report() -> None:
    offenders = []
    for path in (SRC / "store").rglob("*.py"):
        bad = {n for n in _imports(path)
               if _package(n) in ("transcribe", "export", "report")}
        if bad:
            offenders.append(f"{path.relative_to(SRC)}: {sorted(bad)}")
    assert offenders == []


def test_study_and_store_do_not_import_each_other_in_a_cycle() -> None:
    graph = _package_graph()
    assert "store" in _reachable(graph, "study")  # a study opens its database
    assert "study" not in _reachable(graph, "store"), (
        "the store reaches companion.study: " + repr(sorted(_reachable(graph, "store"))))


def test_notation_and_the_toml_checker_sit_below_everything() -> None:
    graph = _package_graph()
    for low in ("notation", "keys", "limits"):
        assert _reachable(graph, low) <= {"errors"}, f"{low} imports {graph[low]}"
    # The TOML checker reads files within the bounds of companion.limits.
    assert _reachable(graph, "tomlcheck") <= {"errors", "limits"}, graph["tomlcheck"]
    assert _reachable(graph, "settings") <= {"errors", "keys", "limits", "tomlcheck"}


def test_the_report_borrows_nothing_from_the_exports() -> None:
    """Both write files through companion.files; neither reaches into the other."""
    graph = _package_graph()
    assert "export" not in graph.get("report", set())
    assert "report" not in graph.get("export", set())


# Modules are split by idea, not by length. Past this many lines a module has usually
# grown a second idea, so the test asks for a look; a long module that is still one idea
# is listed below with why it may stay.
SMELL_LINES = 800
LONG_MODULES: dict[str, str] = {}


def test_no_module_has_grown_past_the_smell_alarm() -> None:
    too_long = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > SMELL_LINES and rel not in LONG_MODULES:
            too_long[rel] = lines
    assert not too_long, ("look at these: two ideas in one module? (split by idea, or list "
                          f"one with its reason): {too_long}")
    gone = [rel for rel in LONG_MODULES if not (SRC / rel).is_file()]
    assert not gone, f"listed as long but no longer there: {gone}"


def _module_name(path: Path, root: Path = SRC) -> str:
    parts = ("companion", *path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_graph(root: Path = SRC) -> dict[str, set[str]]:
    """Which companion modules each module imports, by every import statement in it: at
    the top, inside functions, and in ``if TYPE_CHECKING:`` blocks alike (a circle of
    types is still a circle of ideas). ``from package import name`` points at the module
    ``package.name`` when there is one, else at the package."""
    paths = {_module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name in paths}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in paths:
                        targets.add(full)
                    elif node.module in paths:
                        targets.add(node.module)
        graph[name] = targets - {name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_two_modules_import_each_other_in_a_circle() -> None:
    graph = _module_graph()
    assert len(graph) > 100  # the walk found the modules, not an empty folder
    report = []
    for group in _circles(graph):
        arrows = [f"{a} -> {b}" for a in group for b in sorted(graph[a]) if b in group]
        report.append(" | ".join(arrows))
    assert not report, "import circles:\n" + "\n".join(report)


def test_the_circle_finder_sees_circles_closed_by_types_or_late_imports(tmp_path: Path) -> None:
    """The finder itself, on a made-up package: a circle closed only by an import for
    types, or only by one inside a function, is a circle; a one-way arrow is not."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "a.py").write_text("from companion.pkg import b\n")
    (tmp_path / "pkg" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import companion.a\n")
    (tmp_path / "c.py").write_text("def later():\n    from companion.d import thing\n")
    (tmp_path / "d.py").write_text("from companion import c\nthing = 1\n")
    (tmp_path / "e.py").write_text("from companion.d import thing\n")
    graph = _module_graph(tmp_path)
    assert graph["companion.pkg.b"] == {"companion.a"}
    assert _circles(graph) == [["companion.a", "companion.pkg.b"], ["companion.c", "companion.d"]]


def test_the_app_is_what_its_screens_ask_for(study) -> None:  # type: ignore[no-untyped-def]
    """Screens see the app only as :class:`companion.tui.context.Companion`; the app must
    have every member of it, with the same parameters."""
    import inspect

    from companion.tui.app import CompanionApp
    from companion.tui.context import Companion

    app = CompanionApp(study, check_recovery=False)
    assert isinstance(app, Companion)
    for name, member in vars(Companion).items():
        if callable(member) and not name.startswith("_"):
            wanted = list(inspect.signature(member).parameters)
            assert list(inspect.signature(getattr(CompanionApp, name)).parameters) == wanted, name
