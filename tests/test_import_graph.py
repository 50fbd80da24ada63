"""The package's import graph, read from the source: no module imports itself in a circle, and no package
imports one above it in the data flow's layers (``LAYERS``).

Every ``import`` / ``from ... import`` counts, wherever it stands: at module level, under ``if TYPE_CHECKING``
and inside functions (a lazy import hides a cycle from Python, not from the design), and so does a string that is
a whole module path (``"summarizer.cli.eval:eval_command"``: what a lazy loader imports by name). ``from package import
name`` is an edge to the submodule ``package.name`` when there is one, else to the package itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "summarizer"
MODULE_PATH = re.compile(r"summarizer(\.\w+)+(:[\w.]+)?")  # "summarizer.cli.eval" or "summarizer.cli.eval:eval_command"


def module_files() -> dict[str, Path]:
    """Dotted module name -> its file, for every module of the package (``pkg/__init__.py`` is ``pkg``)."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in its source."""

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.add(submodule if submodule in modules else known(source))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_PATH.fullmatch(node.value):
            found.add(known(node.value.partition(":")[0]))  # a module named to be imported later, by importlib
    return {module for module in found if module is not None and module != name}


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (``[a, b, a]``), or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done and (cycle := visit(target)):
                return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit(start)):
            return cycle
    return None


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    assert "summarizer.record.basetypes" in graph["summarizer.record"]  # module level
    assert "summarizer.record.basetypes" in graph["summarizer.ingest.article"]  # under TYPE_CHECKING and in a method
    assert "summarizer.record.schema" in graph["summarizer.output.formats"]  # inside a function only
    assert "summarizer.merge.render" in graph["summarizer.merge"]  # a package's __init__
    assert "summarizer.cli.eval" in graph["summarizer.cli.root"]  # a module path in a string (the lazy group)


def test_find_cycle_reports_the_path() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        (
            "summarizer.record.basetypes",
            {"summarizer.record.schema"},
        ),  # the shared types: below everything but the schema
        ("summarizer.record.schema", set()),
        ("summarizer.ingest.sources", set()),
    ],
)
def test_low_level_modules_import_only_what_is_below_them(module: str, allowed: set[str]) -> None:
    imported = import_graph()[module]
    assert imported <= allowed, f"{module} imports {sorted(imported - allowed)}"


# The packages (and top-level modules) from the bottom up: each may import its own layer and those below it,
# never one above. This is the data flow: settings, the record's types, text and time normalisation, loading,
# asking the model, grounding, reading, combining; the store and the pipeline that runs one article; then the
# views, the runners, the evals and merge, and the command line on top.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("summarizer", "errors", "once", "versions"),
    ("config",),
    ("record",),
    ("text",),
    ("ingest",),
    ("model",),
    ("ground",),
    ("reader",),
    ("combine",),
    ("store",),
    ("pipeline",),
    ("output",),
    ("run",),
    ("evals",),
    ("merge",),
    ("cli",),
    ("__main__",),
)


def top_level(module: str) -> str:
    """``summarizer.model.backends.http`` -> ``model``; the package itself -> ``summarizer``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def upward_imports(graph: dict[str, set[str]], layers: tuple[tuple[str, ...], ...] = LAYERS) -> list[str]:
    """Every import of a module in a higher layer than the importer's, as ``a -> b (layer x above y)``."""
    rank = {name: number for number, layer in enumerate(layers) for name in layer}
    found = []
    for module, imported in sorted(graph.items()):
        for target in sorted(imported):
            if rank[top_level(target)] > rank[top_level(module)]:
                found.append(f"{module} -> {target} ({top_level(target)} is above {top_level(module)})")
    return found


def test_every_package_has_a_layer() -> None:
    """A new package or top-level module is placed in ``LAYERS`` on purpose, not left out of the check."""
    placed = {name for layer in LAYERS for name in layer}
    assert {top_level(module) for module in import_graph()} <= placed


def test_upward_imports_are_found() -> None:
    graph = {"summarizer.record.schema": {"summarizer.cli.root"}, "summarizer.cli.root": {"summarizer.record"}}
    assert upward_imports(graph) == ["summarizer.record.schema -> summarizer.cli.root (cli is above record)"]


def test_no_package_imports_a_higher_one() -> None:
    upward = upward_imports(import_graph())
    assert not upward, "imports against the layers:\n" + "\n".join(upward)
