"""The layer contract of docs/ARCHITECTURE.md, checked on the code: every import of a
laosp module (at the top, inside a function or under TYPE_CHECKING alike) goes to the
same layer or a lower one, and no two modules import each other, however indirectly."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "laosp"

#: Lowest first. A package or top-level module may import from its own layer's members
#: and from the layers below, never from above.
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer.split())
    for layer in (
        "__init__ config reference",
        "models db arrow_sqlite arrow_sqlite_worker migrate presentation",
        "access",
        "cli_common",
        "registry",
        "rules migrations",
        "enrolment indicators projection synth",
        "ledger grievances",
        "reports approved_changes users_cli audit_cli",
        "api",
        "web",
        "server demo",
        "cli",
    )
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each laosp module → the laosp modules it imports (any import statement)."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    found: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
                targets += [f"{node.module}.{alias.name}" for alias in node.names]
            found[name] |= {t for t in targets if t in modules and t != name}
    return found


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(module: str) -> int:
    name = top(module)
    for index, layer in enumerate(LAYERS):
        if name in layer:
            return index
    raise AssertionError(f"{name} is in no layer of LAYERS (and docs/ARCHITECTURE.md)")


def test_every_package_has_a_layer() -> None:
    for module in imports():
        layer_of(module)


def test_no_import_goes_up_a_layer() -> None:
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in imports().items()
        for target in targets
        if top(source) != top(target) and layer_of(target) > layer_of(source)
    )
    assert upward == []


def test_no_packages_import_each_other() -> None:
    edges = {
        (top(source), top(target))
        for source, targets in imports().items()
        for target in targets
        if top(source) != top(target)
    }
    assert sorted(f"{a} <-> {b}" for a, b in edges if (b, a) in edges and a < b) == []


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as the path around it, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_cycles() -> None:
    assert cycle_in(imports()) is None


@pytest.mark.parametrize(
    ("graph", "has_cycle"),
    [({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True), ({"a": {"b"}, "b": {"c"}, "c": set()}, False)],
)
def test_the_cycle_finder_finds_cycles(graph: dict[str, set[str]], has_cycle: bool) -> None:
    assert (cycle_in(graph) is not None) == has_cycle
