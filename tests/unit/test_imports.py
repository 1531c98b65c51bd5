"""The import graph of ``bot/``, read with ``ast`` (nothing is imported): no circle, and the
running bot never imports the evaluation code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"

EVALUATION = "bot.evaluation"

MAY_IMPORT_EVALUATION_LAZILY = frozenset({"bot.cli"})
"""Runtime modules allowed to import the evaluation, and only inside a function."""


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(BOT.rglob("*.py"))}


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name an ``ImportFrom`` reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


TOP, LAZY, TYPING = "module level", "inside a function", "for type checking"
"""Where an import sits: it runs when the module is imported, when a function runs, or
never (under ``if TYPE_CHECKING:``, for the type checker only)."""


def imports(module: str, path: Path, known: set[str]) -> list[tuple[str, str, int]]:
    """``(imported bot module, where, line)`` for every import of ``bot`` code, ``where``
    being :data:`TOP`, :data:`LAZY` or :data:`TYPING`. ``from bot.x import y`` counts
    ``bot.x.y`` when that is a module, else ``bot.x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[str, str, int]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for item in child.body:
                    visit_one(item, TYPING)
                for item in child.orelse:
                    visit_one(item, where)
                continue
            visit_one(child, where)

    def visit_one(node: ast.AST, where: str) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "bot" or alias.name.startswith("bot."):
                    found.append((alias.name, where, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, path, node)
            if source == "bot" or source.startswith("bot."):
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    found.append((sub if sub in known else source, where, node.lineno))
        if isinstance(node, ast.ClassDef):  # a class body runs at import time
            for item in node.body:
                visit_one(item, where)
            return
        functions = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        visit(node, LAZY if where == TOP and isinstance(node, functions) else where)

    visit(tree, TOP)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def graph() -> dict[str, set[str]]:
    """Module -> the ``bot`` modules it imports, wherever the import sits: a lazy import
    and one for type checking only are dependencies all the same.
    """
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        targets = {target for target, _, _ in imports(name, path, set(known))}
        # Importing bot.a.b runs bot/a/__init__.py first, unless bot.a is a package the
        # importer is in (then it is imported already, before the importer).
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        for target in list(targets):
            parts = target.split(".")
            targets.update({".".join(parts[:i]) for i in range(2, len(parts))} - ancestors)
        edges[name] = {t for t in targets if t in known and t != name}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, as the strongly connected components of more than one module
    (or a module importing itself), found with Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                connect(target)
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
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_the_walk_sees_the_imports_it_should():
    """The walk itself: it finds module-level, lazy and TYPE_CHECKING imports as such."""
    known = modules()
    cli = imports("bot.cli", known["bot.cli"], set(known))
    assert ("bot.dialogue", TOP) in {(t, where) for t, where, _ in cli}
    assert any(t.startswith(EVALUATION) and where == LAZY for t, where, _ in cli)
    chats = imports("bot.store.chats", known["bot.store.chats"], set(known))
    assert ("bot.settings", TYPING) in {(t, where) for t, where, _ in chats}
    edges = graph()
    assert "bot.store.chats" in edges["bot.store"]  # bot/store/__init__.py re-exports it
    assert "bot.store" in edges["bot.service"]


def test_circles_are_found():
    """The circle finder on small made-up graphs."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"a"}}) == [["a"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_bot():
    found = circles(graph())
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_running_bot_never_imports_the_evaluation():
    known = modules()
    offenders = []
    for name, path in known.items():
        if name == EVALUATION or name.startswith(f"{EVALUATION}."):
            continue
        for target, where, line in imports(name, path, set(known)):
            if not (target == EVALUATION or target.startswith(f"{EVALUATION}.")):
                continue
            if name in MAY_IMPORT_EVALUATION_LAZILY and where == LAZY:
                continue
            offenders.append(f"{path.relative_to(BOT.parent)}:{line} imports {target}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("name", sorted(MAY_IMPORT_EVALUATION_LAZILY))
def test_the_cli_imports_the_evaluation_only_inside_functions(name: str):
    known = modules()
    found = imports(name, known[name], set(known))
    assert any(t.startswith(EVALUATION) for t, where, _ in found if where == LAZY)  # used
    assert not [line for t, where, line in found if t.startswith(EVALUATION) and where != LAZY]
