"""The package's shape, checked: three wings, no cycles, small modules, each rule in one place.

These guard what docs/architecture.md promises a newcomer. A failure names the module and the
line, so the fix is to move code to its home, not to loosen the test.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mentor_workshop"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 600


def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_import_linter_contracts_hold() -> None:
    """facilitator > participant > core; the wings never import the CLI; no cycles."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_no_import_cycle_between_any_two_modules() -> None:
    """Stricter than sibling packages: any module-level cycle, including imports in functions."""
    graph = grimp.build_graph("mentor_workshop", exclude_type_checking_imports=True)
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.find_modules_directly_imported_by(node)):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in modules:
        if module not in index:
            visit(module)
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small(path: Path) -> None:
    lines = len(_source(path).splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by job"


def _public_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [n for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("_")]


def test_public_functions_have_hints_and_numpy_docstrings() -> None:
    missing = []
    for path in MODULES:
        for func in _public_functions(ast.parse(_source(path))):
            doc = ast.get_docstring(func) or ""
            params = [a for a in func.args.args + func.args.kwonlyargs
                      if a.arg not in ("self", "cls")]
            returns = func.returns
            returns_value = returns is not None and not (
                isinstance(returns, ast.Constant) and returns.value is None)
            where = f"{path.relative_to(ROOT)}:{func.lineno} {func.name}"
            if returns is None or any(a.annotation is None for a in params):
                missing.append(f"{where}: type hints")
            if not doc:
                missing.append(f"{where}: docstring")
                continue
            if params and not re.search(r"^\s*Parameters\n\s*-{5,}", doc, re.M):
                missing.append(f"{where}: Parameters section")
            if returns_value and not re.search(r"^\s*(Returns|Yields)\n\s*-{5,}", doc, re.M):
                missing.append(f"{where}: Returns section")
    assert not missing, "\n".join(missing)


def _occurrences(pattern: str) -> list[str]:
    found = []
    regex = re.compile(pattern)
    for path in MODULES:
        for number, line in enumerate(_source(path).splitlines(), 1):
            if regex.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(PACKAGE)}:{number}")
    return found


@pytest.mark.parametrize(("rule", "pattern", "home"), [
    ("the journal's file name", r"[\"']journal\.json[\"']", "core/journal_format.py"),
    ("the date parser", r"\bdate\.fromisoformat\(", "core/answers.py"),
    ("nbgrader's solution markers", r"[\"']BEGIN (SOLUTION|HIDDEN TESTS)",
     "facilitator/markers.py"),
    ("the pseudonym HMAC", r"\bhmac\.new\(", "facilitator/grading/pseudonyms.py"),
    ("the CSV formula guard", r"[\"']=[\"'],\s*[\"']\+[\"']", "core/safe_csv.py"),
    ("the step registry", r"\bStepRegistry\(\)", "core/steps.py"),
])
def test_each_rule_lives_in_one_place(rule: str, pattern: str, home: str) -> None:
    places = _occurrences(pattern)
    assert places and all(p.startswith(home + ":") for p in places), (
        f"{rule} should be written only in {home}; found in {places}")


def test_user_errors_are_declared_only_in_errors_py() -> None:
    """The CLI catches MentorWorkshopError alone, so every user-facing error must subclass it."""
    strays = []
    for path in MODULES:
        if path.name == "errors.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(_source(path))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {ast.unparse(b) for b in node.bases}
                if any(b.endswith(("Error", "Exception")) for b in bases):
                    strays.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert not strays, f"declare these in mentor_workshop/errors.py: {strays}"


def test_the_cli_catches_only_the_one_base() -> None:
    tree = ast.parse(_source(PACKAGE / "cli.py"))
    caught = {ast.unparse(h.type) for h in ast.walk(tree)
              if isinstance(h, ast.ExceptHandler) and h.type is not None}
    # and a closed pipe on its own output (``| head``): not an error of the user's input
    assert caught == {"MentorWorkshopError", "KeyboardInterrupt", "BrokenPipeError"}


def test_every_error_in_errors_py_is_a_mentor_workshop_error() -> None:
    from mentor_workshop import errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.MentorWorkshopError), name


def test_commands_only_parse_arguments() -> None:
    """A handler reads ``args`` and calls the wing; no loops or file work of its own."""
    heavy = []
    for path in sorted((PACKAGE / "commands").glob("*.py")):
        for node in ast.walk(ast.parse(_source(path))):
            if isinstance(node, ast.For | ast.While | ast.With):
                heavy.append(f"{path.name}:{node.lineno}")
    assert not heavy, f"move this work into a facilitator function: {heavy}"


def test_every_module_is_on_the_architecture_page() -> None:
    """docs/architecture.md gives each module one line; a new module must be added there."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    wings = ("core", "participant", "facilitator")
    missing = []
    for path in MODULES:
        rel = path.relative_to(PACKAGE)
        if rel.name == "__init__.py" and rel.parent != Path("."):
            continue
        if rel.parts[0] in wings:
            rel = Path(*rel.parts[1:])
        if f"`{rel.as_posix()}`" not in page and f"`{rel.name}`" not in page:
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"add a line for each to docs/architecture.md: {missing}"
