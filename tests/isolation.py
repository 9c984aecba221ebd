"""Run Python code with nothing importable but what a test names.

`run_isolated(code, distributions=[...], paths=[...])` starts a fresh interpreter
without site-packages (`-I -S`), whose import path holds the standard library, a
folder of links to the named distributions and everything they require (read from
their metadata), and `paths`. What is not there cannot be imported: a package that
reaches for the shop, Flask-WTF or Flask-Login fails, as it would in another store.

`import_graph(package_dir, package)` and `cycles(graph)` find import cycles inside a
package, counting every import statement (module level or inside a function).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _requirements(dist: metadata.Distribution) -> list[str]:
    names = []
    for requirement in dist.requires or []:
        if "extra ==" in requirement:
            continue  # an optional extra: not installed for this use
        marker = requirement.split(";", 1)[1] if ";" in requirement else ""
        if "python_version" in marker and "<" in marker and "3." in marker:
            continue  # a backport for older Pythons
        match = _NAME.match(requirement.strip())
        if match:
            names.append(match.group(0))
    return names


def _closure(names: list[str]) -> list[metadata.Distribution]:
    seen: dict[str, metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency that is not installed
        seen[key] = dist
        todo.extend(_requirements(dist))
    return list(seen.values())


def _top_level(dist: metadata.Distribution) -> set[str]:
    """What a distribution installs at the top of site-packages: its modules, and its
    metadata (some packages read their own version from it)."""
    names = set()
    for file in dist.files or []:
        first = file.parts[0]
        if first in ("..", "__pycache__") or first.endswith(".pth"):
            continue
        names.add(first)
    return names


def link_distributions(target: Path, names: list[str]) -> None:
    """Link every top-level module of `names` and their requirements into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for dist in _closure(names):
        root = Path(dist.locate_file(""))
        for entry in _top_level(dist):
            source = root / entry
            link = target / entry
            if source.exists() and not link.exists():
                link.symlink_to(source, target_is_directory=source.is_dir())


def run_isolated(
    code: str, *, lib: Path, distributions: list[str], paths: list[Path], cwd: Path
) -> subprocess.CompletedProcess[str]:
    link_distributions(lib, distributions)
    bootstrap = f"import sys\nsys.path[:0] = {[str(lib), *map(str, paths)]!r}\n" + textwrap.dedent(
        code
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd)}
    return subprocess.run(  # noqa: S603 (this interpreter, the test's own code)
        [sys.executable, "-I", "-S", "-c", bootstrap],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# -------------------------------------------------------------------------- imports


def _module_name(path: Path, package_dir: Path, package: str) -> str:
    parts = list(path.relative_to(package_dir).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def import_graph(package_dir: Path, package: str) -> dict[str, set[str]]:
    """module -> the modules of the same package it imports (any import statement)."""
    modules = {_module_name(path, package_dir, package): path for path in package_dir.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from pkg import sub` needs the submodule; `from pkg import name`, the
                # module that defines the name.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                if target == package or target.startswith(package + "."):
                    found = resolve(target)
                    if found and found != name:
                        graph[name].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
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
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
