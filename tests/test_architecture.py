"""The package's shape: imports form no cycle, one owner for after-commit work."""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "statuspage"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(node: ast.AST):
    """Every import statement, at module level or inside functions, except TYPE_CHECKING blocks."""
    for child in ast.iter_child_nodes(node):
        if _is_type_checking(child):
            for other in child.orelse:
                yield from _imports_of(other)
            continue
        yield from _imports_of(child)


def _imports_of(node: ast.AST):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    yield from _imports(node)


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / name.replace(".", "/")).is_dir()


def import_graph() -> dict[str, set[str]]:
    """module -> the statuspage modules it imports (a package stands for its __init__)."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets = set()
        for node in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name in files)
                continue
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module not in files and not _is_package(module):
                continue
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                targets.add(submodule if submodule in files else module)
        targets.discard(name)
        graph[name] = {t for t in targets if t in files}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_sees_function_level_imports():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    tree = ast.parse("import x\ndef f():\n    from . import y\nif TYPE_CHECKING:\n    import z\n")
    assert [type(n).__name__ for n in _imports(tree)] == ["Import", "ImportFrom"]


def test_statuspage_imports_form_no_cycle():
    graph = import_graph()
    assert "statuspage.services.incidents" in graph  # the walk found the package
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def _grep(pattern: str) -> list[str]:
    regex = re.compile(pattern)
    return [f"{path.relative_to(PACKAGE.parent)}:{number}"
            for path in sorted(PACKAGE.rglob("*.py"))
            for number, line in enumerate(path.read_text().splitlines(), start=1)
            if regex.search(line)]


def test_one_module_owns_the_session_listeners():
    assert len(_grep(r'listens_for\(Session, "after_commit"\)')) == 1
    owners = {hit.split(":")[0] for hit in _grep(r"listens_for\(Session,")}
    assert owners == {"statuspage/services/outbox.py"}


def test_services_never_enqueue_jobs():
    enqueueing = _grep(r"^\s*(from \.+(queues|jobs|worker)\b|from \.+ import .*\b(queues|jobs|worker)\b"
                       r"|import rq\b|from rq\b)")
    assert [hit for hit in enqueueing if hit.startswith("statuspage/services/")] == []


PUBLIC_READERS = ("public/pages.py", "public/feeds.py", "api/public.py", "services/statuspage_v2.py")


def test_public_readers_go_through_the_public_read_model():
    """Pages, feeds, badges and both public APIs never query the models themselves."""
    for relative in PUBLIC_READERS:
        tree = ast.parse((PACKAGE / relative).read_text())
        for node in _imports(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("models"):
                assert {a.name for a in node.names} <= {"utcnow"}, relative
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("extensions"):
                assert "db" not in {a.name for a in node.names}, relative
        private = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                   and isinstance(n.value, ast.Name) and n.value.id == "public_status"
                   and n.attr.startswith("_")]
        assert private == [], relative


def test_comments_cite_no_document_outside_the_repository():
    citation = re.compile(r"\bSPEC\b|\bFACTS\b|\b[Ii]ssue \d+")
    hits = [f"{path.relative_to(PACKAGE.parent)}:{number}"
            for pattern in ("*.py", "*.js", "*.css", "*.html", "*.txt")
            for path in sorted(PACKAGE.rglob(pattern)) if "vendor" not in path.parts
            for number, line in enumerate(path.read_text().splitlines(), start=1)
            if citation.search(line)]
    assert hits == []


def test_public_functions_of_services_and_domain_have_docstrings():
    missing = []
    for path in sorted([*(PACKAGE / "services").rglob("*.py"), *(PACKAGE / "domain").rglob("*.py")]):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            members = node.body if isinstance(node, ast.ClassDef) and not node.name.startswith("_") else []
            for item in [node, *members]:
                if (isinstance(item, (ast.FunctionDef, ast.ClassDef)) and not item.name.startswith("_")
                        and not ast.get_docstring(item)):
                    missing.append(f"{path.relative_to(PACKAGE)}:{item.lineno} {item.name}")
    assert missing == []


def test_the_readme_layout_table_matches_the_tree():
    readme = (PACKAGE.parent / "README.md").read_text()
    table = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    named = set()
    for cell in (row.split("|")[1] for row in table.splitlines() if row.startswith("| `")):
        for path in re.findall(r"`([^`]+)`", cell):
            if "/" not in path and not path.endswith(".py"):
                continue
            if not (PACKAGE.parent / path).exists():
                path = f"statuspage/{path}"  # a short name in a row about the package
            assert (PACKAGE.parent / path).exists(), path
            named.add(path.rstrip("/"))
    packages = {str(p.parent.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("__init__.py")}
    packages |= {str(p.relative_to(PACKAGE.parent)) for p in (PACKAGE / "services").iterdir() if p.is_dir()
                 and p.name != "__pycache__"}
    assert {p for p in packages if p != "statuspage"} <= named
