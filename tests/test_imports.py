"""The modules of fieldapp/ import one another without a circle.

Every import counts, those inside functions too (a circle hidden in a function is still a
circle). Edges to the package itself (`fieldapp/__init__.py`: `ROOT`, the app factory) are
left out: Python imports a package before any of its modules, so each module depends on it
anyway. `python -m tests.test_imports` prints the graph as Graphviz DOT; with `--layers`, the
modules in layers, each importing only from the layers below it.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fieldapp"


def modules() -> dict[str, tuple[Path, bool]]:
    """{dotted name: (file, is a package)} of every module of fieldapp/."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _targets(name: str, is_package: bool, node: ast.AST, known) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE.name]
    if node.level == 0:
        if not (node.module or "").startswith(PACKAGE.name):
            return []
        base = node.module
    else:
        here = name.split(".") if is_package else name.split(".")[:-1]
        here = here[:len(here) - node.level + 1]
        base = ".".join(here + ([node.module] if node.module else []))
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]


def graph() -> dict[str, set[str]]:
    """{module: the fieldapp modules it imports}."""
    known = modules()
    edges = {}
    for name, (path, is_package) in known.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(name, is_package, node, known):
                    while target not in known and "." in target:
                        target = target.rsplit(".", 1)[0]
                    deps.add(target)
        edges[name] = deps - {name, PACKAGE.name}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def dot(edges: dict[str, set[str]]) -> str:
    short = lambda name: name.removeprefix(PACKAGE.name + ".")  # noqa: E731
    lines = ["digraph fieldapp {", "  rankdir=LR; node [shape=box, fontsize=10];"]
    lines += [f'  "{short(a)}" -> "{short(b)}";' for a in sorted(edges) for b in sorted(edges[a])]
    return "\n".join(lines + ["}"])


def layers(edges: dict[str, set[str]]) -> list[list[str]]:
    """Modules by layer: each imports only from layers below it (possible only without circles)."""
    placed: dict[str, int] = {}
    while len(placed) < len(edges):
        ready = [m for m in edges if m not in placed and edges[m] <= placed.keys()]
        if not ready:
            raise ValueError("a circle: no module left whose imports are all placed")
        for module in ready:
            placed[module] = max((placed[d] + 1 for d in edges[module]), default=0)
    return [sorted(m for m, n in placed.items() if n == level) for level in range(max(placed.values()) + 1)]


def test_the_import_graph_has_no_circle():
    assert circles(graph()) == []


def test_every_module_has_a_layer():
    assert sum(map(len, layers(graph()))) == len(modules())


def test_the_graph_sees_every_import_and_finds_a_circle():
    edges = graph()
    assert "fieldapp.campaigns.models" in edges["fieldapp.auth.scoping"]  # inside a function
    assert "fieldapp.auth.scoping" in edges["fieldapp.coverage.routes"]  # `from ..auth import scoping`
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


if __name__ == "__main__":
    if sys.argv[1:] == ["--layers"]:
        for number, modules in enumerate(layers(graph())):
            sys.stdout.write(f"{number:2d}  " + "  ".join(m.removeprefix("fieldapp.") for m in modules) + "\n")
    else:
        sys.stdout.write(dot(graph()) + "\n")
