"""The layering the README promises, checked on the source (no imports run):

- the pipeline package ``newswire`` never imports Airflow, nor the Airflow glue, the DAGs,
  the scripts or the tests;
- DAG files and plugins import only the standard library, Airflow (and what its
  plugins are built on), the library and its Airflow glue ``newswire_airflow``;
- no import cycles inside ``newswire``;
- nobody imports another module's private names;
- every test file has a kind (tests/conftest.py), so `make test-fast` misses none.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import KIND_OF_FILE, KIND_OF_TEST, KINDS, REPO

INCLUDE = REPO / "include"
LIBRARY = INCLUDE / "newswire"
GLUE = INCLUDE / "newswire_airflow"
OURS = ("newswire", "newswire_airflow")
STDLIB = set(sys.stdlib_module_names)


def imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module, names) of every absolute import in a file, nested ones included."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [a.name for a in node.names]


def top(module: str) -> str:
    return module.split(".", 1)[0]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(INCLUDE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def library_files() -> list[Path]:
    return sorted(LIBRARY.rglob("*.py"))


def test_the_library_never_imports_airflow_or_what_sits_above_it() -> None:
    forbidden = {"airflow", "newswire_airflow", "dags", "plugins", "scripts", "tests",
                 "bench", "fuzz", "fastapi"}
    found = [f"{path.relative_to(REPO)}:{line} imports {module}"
             for path in library_files() for line, module, _ in imports(path)
             if top(module) in forbidden]
    assert found == []


@pytest.mark.parametrize("folder", ["dags", "plugins"])
def test_dags_and_plugins_import_only_the_library_and_its_airflow_glue(folder: str) -> None:
    allowed = {"airflow", *OURS, *STDLIB}
    if folder == "plugins":
        allowed |= {"fastapi", "starlette"}  # Airflow's API server is built on them
    files = sorted((REPO / folder).glob("*.py"))
    assert files
    found = [f"{path.relative_to(REPO)}:{line} imports {module}"
             for path in files for line, module, _ in imports(path)
             if top(module) not in allowed]
    assert found == []


def test_the_airflow_glue_imports_only_airflow_the_library_and_the_standard_library() -> None:
    allowed = {"airflow", *OURS, *STDLIB}
    found = [f"{path.relative_to(REPO)}:{line} imports {module}"
             for path in sorted(GLUE.rglob("*.py")) for line, module, _ in imports(path)
             if top(module) not in allowed]
    assert found == []


def import_graph() -> dict[str, set[str]]:
    """Module -> the newswire modules it imports (at any depth of the file)."""
    modules = {module_name(p): p for p in library_files()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for _, module, names in imports(path):
            candidates = [module, *(f"{module}.{n}" for n in names)]
            targets |= {c for c in candidates if c in modules and c != name}
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_in_the_library() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_one_imports_private_names_of_our_modules() -> None:
    roots = [INCLUDE, REPO / "dags", REPO / "plugins", REPO / "fuzz", REPO / "bench",
             REPO / "scripts", REPO / "tests"]
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            for line, module, names in imports(path):
                if top(module) not in OURS:
                    continue
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                if private:
                    found.append(f"{path.relative_to(REPO)}:{line} {module}: {private}")
    assert found == []


def test_every_test_file_has_a_kind() -> None:
    """make test-fast selects by kind; a file without one would silently drop out of it."""
    files = {p.name for p in (REPO / "tests").glob("test_*.py")}
    assert sorted(files - set(KIND_OF_FILE)) == [], "add them to KIND_OF_FILE in conftest.py"
    assert sorted(set(KIND_OF_FILE) - files) == []
    assert set(KIND_OF_FILE.values()) | set(KIND_OF_TEST.values()) <= set(KINDS)
