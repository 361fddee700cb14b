"""The package itself: it compiles, imports nothing outside the standard library, and its
pyproject.toml says so."""

from __future__ import annotations

import ast
import compileall
import sys
import unittest
from pathlib import Path

PYTHON = Path(__file__).resolve().parents[1]
SOURCES = PYTHON / "src" / "agentwire"


class Package(unittest.TestCase):
    def test_every_module_compiles(self) -> None:
        self.assertTrue(compileall.compile_dir(SOURCES, quiet=1, force=True))

    def test_it_imports_only_the_standard_library_and_itself(self) -> None:
        for path in sorted(SOURCES.glob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    with self.subTest(module=path.name, imports=name):
                        self.assertTrue(
                            top in sys.stdlib_module_names or top == "agentwire",
                            f"{path.name} imports {name}, which is not in the standard library",
                        )

    def test_pyproject_declares_python_3_10_and_no_dependencies(self) -> None:
        try:
            import tomllib
        except ImportError:  # Python 3.10
            self.skipTest("tomllib needs Python 3.11")
        project = tomllib.loads((PYTHON / "pyproject.toml").read_text())["project"]
        self.assertEqual(project["name"], "agentwire")
        self.assertEqual(project["requires-python"], ">=3.10")
        self.assertEqual(project["dependencies"], [])
        self.assertTrue((SOURCES / "py.typed").exists())


if __name__ == "__main__":
    unittest.main()
