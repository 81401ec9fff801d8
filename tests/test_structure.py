"""The import graph of quizapp: feature packages in layers, arrows running down, no circles.

A feature package is a folder of ``quizapp/`` with an ``__init__.py``. ``LAYERS`` lists them
from the bottom up: a package imports only packages below it (and the top-level modules of
``quizapp/``, which are shared ground below every feature). The graph is read from the source
with ``ast`` (every import statement, at module level or inside a function), so these tests
need no app and no database. docs/architecture.md draws the same layers.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "quizapp"

#: The feature packages, bottom first. A new package takes its place here.
LAYERS = [
    "org",  # the organisation tree: Branch
    "members",  # members, their branch history, credentials; the tree's pages
    "auth",  # logging in and out
    "audiences",  # who something is for
    "notices",  # in-app notices
    "bank",  # categories and questions
    "offline",  # offline sessions and attendance
    "quizzes",  # quizzes, draw rules, attempts' tables
    "deferrals",  # 缓考, 补考 and extra time per member (the terms a start applies)
    "wrongbook",  # the wrong-answer book
    "attempts",  # sitting a quiz
    "practice",  # practice and daily questions
    "reports",  # error reports (题目有误) of questions members were shown
    "results",  # results of a quiz
    "marking",  # marking (阅卷) written answers: queues, marks, markers
    "study",  # study materials, minutes, reflections' table
    "campaigns",  # campaigns, training classes, progress
    "reflections",  # writing and reviewing reflections
    "certificates",  # certificates (结业证书) of campaigns and training classes
    "participation",  # participation reports and snapshots
    "points",  # the points ledger and ranking
    "regrade",  # regrading submitted attempts after a question's key changed
    "ledger",  # the branch 台账 pack (reads participation, results, offline, reflections, points)
    "home",  # the member's home pages
    "scheduler",  # the scheduled jobs
    "dashboard",  # the organisers' front page
    "demo",  # demo data
    "benchdata",  # the benchmark bureau
]

#: Packages of shared ground, like the top-level modules: below every feature, importing none.
SHARED_PACKAGES = {"spreadsheets"}

#: Imports from a package to one above it, allowed for now: (importer, imported) -> why.
UPWARD_ALLOWED: dict[tuple[str, str], str] = {}

#: Top-level modules that put the whole app together, so they import features of any layer:
#: the app factory (blueprints), the CLI (commands) and the models registry (Alembic).
COMPOSITION_ROOTS = {"__init__", "cli", "models"}

#: What a shared top-level module may import from a feature package: (module, import) -> why.
SHARED_MAY_IMPORT = {
    ("access", "quizapp.members.models"): "authorisation decides on members and roles",
    ("access", "quizapp.org.models"): "authorisation decides on branches of the tree",
    ("extensions", "quizapp.auth.limits_storage"): (
        "importing it registers the quizapp-db:// storage the limiter is configured with"
    ),
}


@dataclass(frozen=True)
class Import:
    """One imported module and where: ``quizapp/<path>:<line>``."""

    module: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.module}"


def is_module(dotted: str) -> bool:
    """Tell whether ``quizapp.x.y`` is a module or a package of the tree."""
    path = ROOT.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(source: str, package: str) -> list[tuple[str, int]]:
    """Return each ``quizapp`` module an import statement of ``source`` names, with its line.

    ``package`` is the dotted package of the file (to resolve relative imports). In
    ``from a import b``, ``a.b`` is the module when it is one (``from quizapp import demo``),
    else ``a``.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                module = f"{base}.{alias.name}"
                found.append((module if is_module(module) else base, node.lineno))
    found = [(m, line) for m, line in found if m == "quizapp" or m.startswith("quizapp.")]
    return list(dict.fromkeys(found))


def feature_packages() -> list[str]:
    """Return the names of the folders of quizapp/ that are feature packages."""
    folders = (p.parent.name for p in ROOT.glob("*/__init__.py"))
    return sorted(name for name in folders if name not in SHARED_PACKAGES)


def package_of(module: str, packages: set[str]) -> str | None:
    """Return the feature package a dotted ``quizapp`` module belongs to, or None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in packages else None


@cache  # the tree does not change during a test run
def read_imports() -> dict[str, list[Import]]:
    """Return, per importing unit (a feature package, or a top-level module by its name),
    its imports of feature packages other than its own."""
    packages = set(feature_packages())
    result: dict[str, list[Import]] = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        unit = relative.parts[0] if len(relative.parts) > 1 else path.stem
        package = ".".join(["quizapp", *relative.parts[:-1]])
        for module, line in imported_modules(path.read_text(encoding="utf-8"), package):
            if package_of(module, packages) not in (None, unit):
                result[unit].append(Import(module, f"quizapp/{relative}", line))
    return result


def package_graph() -> dict[str, dict[str, list[Import]]]:
    """Return importer -> imported -> the imports, for feature packages only."""
    packages = set(feature_packages())
    graph: dict[str, dict[str, list[Import]]] = {p: defaultdict(list) for p in packages}
    for unit, imports in read_imports().items():
        if unit in packages:
            for imp in imports:
                graph[unit][package_of(imp.module, packages)].append(imp)
    return graph


def cycles(graph: dict[str, dict[str, list]]) -> list[list[str]]:
    """Return the strongly connected components of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _show(imports: list[Import]) -> str:
    return "; ".join(str(i) for i in imports[:3]) + (" …" if len(imports) > 3 else "")


# The reader itself.


def test_the_reader_sees_imports_inside_functions_and_relative_ones():
    source = (
        "import os\n"
        "from quizapp.members.models import Member\n"
        "def f():\n"
        "    from quizapp import demo\n"
        "    import quizapp.auth.limits_storage\n"
        "from . import services\n"
    )
    found = imported_modules(source, "quizapp.org")
    assert ("quizapp.members.models", 2) in found
    assert ("quizapp.demo", 4) in found
    assert ("quizapp.auth.limits_storage", 5) in found
    assert ("quizapp.org.services", 6) in found
    assert not any(m == "os" for m, _ in found)


def test_the_cycle_finder_finds_circles_of_any_length():
    graph = {"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b": []}, "b": {}}) == []


# The tree.


def test_every_feature_package_has_a_layer():
    packages = feature_packages()
    assert sorted(LAYERS) == packages, (
        f"not in LAYERS: {sorted(set(packages) - set(LAYERS))}; "
        f"no such package: {sorted(set(LAYERS) - set(packages))}"
    )


def test_no_two_packages_import_each_other():
    graph = package_graph()
    pairs = [
        f"{a} <-> {b}: {_show(graph[a][b])} / {_show(graph[b][a])}"
        for a in sorted(graph)
        for b in sorted(graph[a])
        if a < b and a in graph.get(b, {})
    ]
    assert pairs == [], "packages importing each other:\n" + "\n".join(pairs)


def test_no_cycle_between_packages():
    found = cycles(package_graph())
    assert found == [], f"packages importing each other in a circle: {found}"


def test_imports_run_down_the_layers():
    graph = package_graph()
    rank = {package: number for number, package in enumerate(LAYERS)}
    upward = {
        (importer, imported): imports
        for importer, targets in graph.items()
        for imported, imports in targets.items()
        if rank.get(imported, -1) > rank.get(importer, len(LAYERS))
    }
    unexpected = [
        f"{a} -> {b} (above it): {_show(imports)}"
        for (a, b), imports in sorted(upward.items())
        if (a, b) not in UPWARD_ALLOWED
    ]
    assert unexpected == [], "imports of a higher layer:\n" + "\n".join(unexpected)
    stale = sorted(set(UPWARD_ALLOWED) - set(upward))
    assert stale == [], f"allowed upward imports that no longer exist: {stale}"


def test_shared_modules_import_no_feature():
    packages = set(feature_packages())
    wrong, used = [], set()
    for unit, imports in sorted(read_imports().items()):
        if unit in packages or unit in COMPOSITION_ROOTS:
            continue
        for imp in imports:
            if (unit, imp.module) in SHARED_MAY_IMPORT:
                used.add((unit, imp.module))
            else:
                wrong.append(str(imp))
    assert wrong == [], "shared top-level modules importing features:\n" + "\n".join(wrong)
    stale = sorted(set(SHARED_MAY_IMPORT) - used)
    assert stale == [], f"allowed imports that no longer exist: {stale}"


#: The longest a module of quizapp/ may grow before it is split along a line a reader expects.
MOST_LINES = 300


def test_no_module_over_the_line_limit():
    long = sorted(
        f"{path.relative_to(ROOT.parent)}: {lines} lines"
        for path in ROOT.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    )
    assert long == [], f"modules over {MOST_LINES} lines (split them):\n" + "\n".join(long)
