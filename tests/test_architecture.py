"""The package layout is the architecture (docs/design.md): checked here by walking the imports.

- No import cycle among kitgen's modules, counting every import (module level, inside functions,
  and under TYPE_CHECKING): a cycle hidden in a lazy import is still a cycle.
- The format layer (kitgen.ooxml) imports nothing else of kitgen.
- The publishers (kitgen.render) never import the kit on disk (kitgen.kit) or the CLI.
- The plan (kitgen.core) imports neither publishers, nor the kit, nor the CLI (it may read
  spreadsheets through the format layer).
"""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "kitgen"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py") if "_library" not in p.parts}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The kitgen modules ``name`` imports (``from pkg import sub`` counts as importing pkg.sub)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "kitgen" or alias.name.startswith("kitgen."):
                    out.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:                                  # relative import
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not (mod == "kitgen" or mod.startswith("kitgen.")):
                continue
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                out.add(sub if sub in known else mod)
    return {m for m in out if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_walker_sees_imports_and_finds_a_cycle():
    graph = _graph()
    assert "kitgen.core.plan" in graph["kitgen.api"]                    # a lazy import inside a function
    assert "kitgen.ooxml.model" in graph["kitgen.render.compose"]       # `from kitgen.ooxml import model as m`
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in cycles)


def _offending(prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{mod} imports {dep}" for mod, deps in sorted(_graph().items()) if mod.startswith(prefix)
            for dep in sorted(deps) if dep.startswith(forbidden)]


def test_the_format_layer_imports_nothing_else_of_kitgen():
    graph = _graph()
    assert any(m.startswith("kitgen.ooxml.") for m in graph)
    bad = [f"{mod} imports {dep}" for mod, deps in sorted(graph.items()) if mod.startswith("kitgen.ooxml")
           for dep in sorted(deps) if not dep.startswith("kitgen.ooxml")]
    assert not bad, bad


def test_layers_point_one_way():
    assert not _offending("kitgen.render", ("kitgen.kit", "kitgen.cli", "kitgen.assess"))
    assert not _offending("kitgen.core", ("kitgen.render", "kitgen.kit", "kitgen.cli", "kitgen.assess",
                                          "kitgen.content.lint"))
    assert not _offending("kitgen.kit", ("kitgen.cli", "kitgen.assess"))
