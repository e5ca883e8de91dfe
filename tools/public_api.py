"""python -m tools.public_api [PATH ...]: fail on uses of Dagster's, dagster-dbt's or dbt's
private names, which an upgrade may change or remove without a word.

Flagged, in every Python file under the given paths (the repository by default):
- an import of a module of those packages with a `_`-prefixed part (Dagster's `_core`), or of
  a `_`-prefixed name from one of them;
- a `_`-prefixed attribute read on anything but `self` or `cls` (`resource._cli_version`),
  also through getattr or setattr with a literal name, and monkeypatching one by name;
- a `_`-prefixed method, defined in a class, that a base class from those packages has:
  it overrides a private method.
- in YAML settings (Dagster's instance settings), a `module:` with a private part.
Dunder names (`__init__`) are public.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGES = ("dagster", "dagster_dbt", "dagster_postgres", "dagster_webserver", "dbt")
SKIPPED = {".venv", "build", "data", "dbt_packages", "target", "node_modules"}
ROOT = Path(__file__).resolve().parents[1]
MODULE_SETTING = re.compile(rf"^\s*module:\s*['\"]?((?:{'|'.join(PACKAGES)})(?:\.\w+)*)", re.M)


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def of_packages(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in PACKAGES


def problems(source: str, filename: str = "<source>") -> Iterator[str]:
    tree = ast.parse(source, filename)
    imported: dict[str, str] = {}  # local name -> dotted path of what it is in the package
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if of_packages(alias.name):
                    local = alias.asname or alias.name.split(".")[0]
                    imported[local] = alias.name if alias.asname else local
                    if any(private(part) for part in alias.name.split(".")):
                        yield f"{filename}:{node.lineno}: imports the private module {alias.name}"
        elif isinstance(node, ast.ImportFrom) and of_packages(node.module):
            if any(private(part) for part in node.module.split(".")):
                yield f"{filename}:{node.lineno}: imports from the private module {node.module}"
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                if private(alias.name):
                    yield f"{filename}:{node.lineno}: imports the private name {alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                yield f"{filename}:{node.lineno}: reads the private attribute {node.attr}"
        elif isinstance(node, ast.Call) and _named_access(node):
            yield f"{filename}:{node.lineno}: reaches a private attribute by its name"
        elif isinstance(node, ast.ClassDef):
            bases = [_resolve(base, imported) for base in node.bases]
            for item in node.body:
                if (
                    isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    and private(item.name)
                    and any(hasattr(base, item.name) for base in bases if base is not None)
                ):
                    yield (
                        f"{filename}:{item.lineno}: {node.name} overrides the private method "
                        f"{item.name} of a class it inherits"
                    )


def _named_access(call: ast.Call) -> bool:
    """getattr(x, "_name"), setattr(x, "_name", ...), monkeypatch.setattr(x, "_name", ...)."""
    function = call.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    if name not in ("getattr", "setattr", "hasattr", "delattr") or len(call.args) < 2:
        return False
    literal = call.args[1]
    return (
        isinstance(literal, ast.Constant)
        and isinstance(literal.value, str)
        and any(private(part) for part in literal.value.split("."))
    )


def _resolve(expression: ast.expr, imported: dict[str, str]) -> object | None:
    """The class a base expression names, when it comes from one of the packages."""
    parts = []
    while isinstance(expression, ast.Attribute):
        parts.insert(0, expression.attr)
        expression = expression.value
    if not isinstance(expression, ast.Name) or expression.id not in imported:
        return None
    path = ".".join([imported[expression.id], *parts])
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        try:
            return importlib.import_module(path)
        except ImportError:
            return None


def setting_problems(text: str, filename: str = "<settings>") -> Iterator[str]:
    for match in MODULE_SETTING.finditer(text):
        if any(private(part) for part in match.group(1).split(".")):
            line = text.count("\n", 0, match.start()) + 1
            yield f"{filename}:{line}: names the private module {match.group(1)}"


def files(paths: list[Path], patterns: tuple[str, ...]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            if any(path.match(pattern) for pattern in patterns):
                yield path
            continue
        for pattern in patterns:
            for found in sorted(path.rglob(pattern)):
                if not SKIPPED & set(found.relative_to(path).parts):
                    yield found


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or [ROOT]
    found = [
        problem
        for file in files(paths, ("*.py",))
        for problem in problems(file.read_text(encoding="utf-8"), str(file))
    ] + [
        problem
        for file in files(paths, ("*.yaml", "*.yml"))
        for problem in setting_problems(file.read_text(encoding="utf-8"), str(file))
    ]
    for problem in found:
        print(problem)
    if found:
        print(f"{len(found)} uses of private names: use the packages' public API instead")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
