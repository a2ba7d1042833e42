"""Storage is the only writer: no module outside ``borgerblik.storage`` touches the schema or runs SQL.

Every other stage goes through the gateway (:class:`borgerblik.storage.Database`) and the one save path
(:mod:`borgerblik.storage.responses`), so the rules a write must follow live in one place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import borgerblik

PACKAGE = Path(borgerblik.__file__).parent
SQL_NAMES = {"text", "select", "insert", "update", "delete", "func", "bindparam", "Table", "MetaData"}
SQL_METHODS = {"exec_driver_sql", "executemany", "execute"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("borgerblik.storage.schema"):
                found.append(f"{node.lineno}: imports {node.module}")
            if node.module.split(".")[0] == "sqlalchemy":
                names = {alias.name for alias in node.names} & SQL_NAMES
                if names or node.module != "sqlalchemy":
                    found.append(
                        f"{node.lineno}: imports {', '.join(sorted(names)) or node.module} from sqlalchemy"
                    )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sqlalchemy" or alias.name.startswith("borgerblik.storage.schema"):
                    found.append(f"{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in SQL_METHODS and node.func.attr != "execute":
                found.append(f"{node.lineno}: calls .{node.func.attr}()")
            if node.func.attr == "execute" and node.args and isinstance(node.args[0], ast.Call):
                callee = node.args[0].func
                name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
                if name in SQL_NAMES:
                    found.append(f"{node.lineno}: executes {name}(…)")
    return found


def test_no_module_outside_storage_imports_the_schema_or_executes_sql() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): problems
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] != "storage" and (problems := _violations(path))
    }
    assert offenders == {}


def test_the_check_catches_what_it_is_meant_to(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from sqlalchemy import select, text\n"
        "from borgerblik.storage.schema import Answer\n"
        "def f(connection):\n"
        "    connection.execute(select(Answer))\n"
        "    connection.exec_driver_sql('DELETE FROM responses')\n",
        encoding="utf-8",
    )
    assert len(_violations(sample)) == 4
