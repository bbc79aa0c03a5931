"""The shape of the project: domain code stands without the TUI, protocols ship with it."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "companion"


def _imports(path: Path) -> set[str]:
    return _imports_in(path.read_text(encoding="utf-8"))


def _imports_in(source: str) -> set[str]:
    """Every name ``source`` imports, anywhere in it (in functions, for types)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # ``from companion import store`` imports the package companion.store.
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


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


FRONT_LIBRARIES = ("click", "textual", "rich")
FRONTS = ("companion.cli", "companion.tui")


def _front_work(source: str, *, operations_allowed: bool) -> list[str]:
    """What in ``source`` belongs to a front: an import of a terminal library, of a front
    (or, below operations, of ``companion.operations``), and every write to the terminal."""
    above = FRONTS if operations_allowed else (*FRONTS, "companion.operations")
    bad = sorted(n for n in _imports_in(source) if n.split(".")[0] in FRONT_LIBRARIES
                 or any(n == up or n.startswith(up + ".") for up in above))
    return bad + _writes_to_the_terminal(source)


TERMINAL_EXCEPTIONS: dict[str, str] = {
    "live/worker.py": "the live transcriber's own process (python -m): its stdout is the "
                      "pipe its parent reads JSON lines from, never a terminal",
}
"""Domain modules that may write to sys.stdout, each with why."""


def _below_the_fronts() -> list[Path]:
    """Every module of operations and of the domain: all but ``cli/``, ``tui/``, __main__."""
    return [p for p in sorted(SRC.rglob("*.py"))
            if p.relative_to(SRC).parts[0] not in ("cli", "tui", "__main__.py")]


def test_nothing_below_the_fronts_does_front_work() -> None:
    """Operations and every domain package and module are driven by both fronts: none
    imports click, Textual or rich, or a front; no domain module calls an operation back
    or writes to the terminal (what a terminal shows, e.g. the level line of ``companion
    record`` or a download's progress, reaches the CLI through a callback)."""
    modules = _below_the_fronts()
    offenders = []
    for path in modules:
        rel = path.relative_to(SRC).as_posix()
        found = _front_work(path.read_text(encoding="utf-8"),
                            operations_allowed=rel.startswith("operations/"))
        if rel in TERMINAL_EXCEPTIONS:
            found = [f for f in found if not f.startswith("sys.stdout")]
        if found:
            offenders.append(f"{rel}: {found}")
    assert offenders == []
    assert {"audio", "transcribe", "models", "session", "store", "operations"} <= {
        p.relative_to(SRC).parts[0] for p in modules}  # the walk found the packages
    stale = [rel for rel in TERMINAL_EXCEPTIONS
             if not _writes_to_the_terminal((SRC / rel).read_text(encoding="utf-8"))]
    assert stale == [], f"listed as writing to the terminal but no longer does: {stale}"


def test_the_front_work_check_sees_each_kind_of_front_work() -> None:
    """The check can fail: each import of a front and each way of writing to the terminal."""
    source = ("import sys\nprint('x')\nsys.stdout.write('y')\nout = sys.stderr\n"
              "import click\nfrom rich.text import Text\nfrom companion.tui import app\n"
              "def later():\n    from textual.widget import Widget\n"
              "    import companion.cli.base\n    from companion.operations import notes\n")
    assert _front_work(source, operations_allowed=False) == [
        "click", "companion.cli.base", "companion.operations", "companion.operations.notes",
        "companion.tui", "companion.tui.app", "rich.text", "rich.text.Text", "textual.widget",
        "textual.widget.Widget",
        "print() line 2", "sys.stdout line 3", "sys.stderr line 4"]
    assert "companion.operations.notes" not in _front_work(source, operations_allowed=True)
    assert _front_work("from companion.store import notes\nimport numpy\n",
                       operations_allowed=False) == []


def test_the_domain_loads_without_textual() -> None:
    """At run time too: importing operations and every domain module pulls no Textual in."""
    modules = sorted(_module_name(p) for p in _below_the_fronts())
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
    # ``from companion import __version__`` names no package.
    return {own: targets & set(graph) for own, targets in graph.items()}


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), set()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


LAYERS: list[set[str]] = [
    {"cli", "tui", "__main__"},
    {"operations"},
    {"protocol", "audio", "transcribe", "models", "live", "speakers", "export", "exchange",
     "report", "privacy", "session", "doctor", "identifiers"},
    {"store", "study"},
    {"notation", "files", "settings", "tomlcheck", "characteristics", "keys", "errors",
     "limits", "heap", "__init__"},
]
"""The layers of README's "For developers", top first: fronts, operations, domain,
persistence, foundations. A package imports from its own layer or the ones below."""


def _arrows_up(graph: dict[str, set[str]], layers: list[set[str]]) -> list[str]:
    rank = {package: depth for depth, layer in enumerate(layers) for package in layer}
    return sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                  if rank[b] < rank[a])


def test_imports_run_down_the_layers_and_no_two_packages_import_each_other() -> None:
    """E.g. the store imports no transcription, export or live transcript (it sets off no
    workflow), a study opens its database but the store knows no study, model choice
    lives in models/ (transcription imports it, never the other way round)."""
    graph = _package_graph()
    placed = set().union(*LAYERS)
    assert set(graph) - placed == set(), "place each new package in a layer of LAYERS"
    assert placed - set(graph) == set(), "a package of LAYERS is gone"
    assert _arrows_up(graph, LAYERS) == []
    assert _circles(graph) == []


def test_the_layer_check_sees_an_arrow_up_and_a_circle_of_packages() -> None:
    graph = {"cli": {"operations"}, "operations": {"store"}, "store": {"operations"},
             "audio": {"store", "session"}, "session": {"audio"}}
    layers = [{"cli"}, {"operations"}, {"audio", "session"}, {"store"}]
    assert _arrows_up(graph, layers) == ["store -> operations"]
    assert _circles(graph) == [["audio", "session"], ["operations", "store"]]


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
