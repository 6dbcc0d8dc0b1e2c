"""Every ``shoal`` module imports on its own: no import circle depends on import order.

One fresh interpreter walks the package; before each import it forgets every ``shoal``
module, so each import starts from nothing, as it would in a user's fresh session. A circle
(``a`` imports ``b`` which imports ``a``) fails when the wrong one comes first.

Forgetting a module does not forget its compiled code: the child keeps each ``shoal`` source
file's code object in memory (:data:`_SCRIPT`'s ``compile_once``), so each of the ~180 imports
runs the modules' code afresh, in a new module namespace, but parses each file only once.
Compiling the package again for every import was two thirds of this test's time when no
``.pyc`` files are written (``PYTHONDONTWRITEBYTECODE``, as in many CI and sandbox setups).
A code object is the parse of the source, not the module's state, so what the test guards
(the import order) is unchanged.
"""

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

_SCRIPT = textwrap.dedent(
    """
    import importlib, importlib.machinery, pkgutil, sys, traceback, warnings
    warnings.simplefilter("error")
    code_cache = {}
    compile_source = importlib.machinery.SourceFileLoader.source_to_code

    def compile_once(self, data, path, *args, **kwargs):
        if "shoal" not in str(path):
            return compile_source(self, data, path, *args, **kwargs)
        key = (path, data)
        if key not in code_cache:
            code_cache[key] = compile_source(self, data, path, *args, **kwargs)
        return code_cache[key]

    importlib.machinery.SourceFileLoader.source_to_code = compile_once
    import shoal
    names = sorted(
        info.name for info in pkgutil.walk_packages(shoal.__path__, "shoal.")
    )
    failures = []
    for name in names:
        for loaded in [m for m in sys.modules if m == "shoal" or m.startswith("shoal.")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except ImportError as error:
            if "pip install" not in str(error):  # a missing optional extra is fine
                failures.append(f"{name}: {traceback.format_exc(limit=-3)}")
        except Exception:
            failures.append(f"{name}: {traceback.format_exc(limit=-3)}")
    print(len(names), "modules")
    for failure in failures:
        print("FAILED", failure)
    sys.exit(1 if failures else 0)
    """
)


@pytest.mark.timeout(300)
def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, timeout=280
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.split()[0]) > 50


def _runtime_nodes(tree):
    """Every node, except the bodies of ``if TYPE_CHECKING:`` blocks (they never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
        else:
            todo.extend(ast.iter_child_nodes(node))


def _import_graph(root):
    modules = {}
    for directory, _, files in os.walk(os.path.join(root, "shoal")):
        for file in files:
            if file.endswith(".py"):
                dotted = os.path.relpath(os.path.join(directory, file), root)[:-3]
                dotted = dotted.replace(os.sep, ".").removesuffix(".__init__")
                modules[dotted] = os.path.join(directory, file)
    graph = {}
    for name, path in modules.items():
        targets = set()
        package = name if path.endswith("__init__.py") else name.rsplit(".", 1)[0]
        for node in _runtime_nodes(ast.parse(Path(path).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package
                    for _ in range(node.level - 1):
                        parent = parent.rsplit(".", 1)[0]
                    base = f"{parent}.{base}" if base else parent
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _circles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
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
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circles_anywhere_in_the_package():
    # Every import counts, also those inside functions: a lazy import back into a module that
    # imports this one is still a circle (it only fails later, and depending on order).
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert _circles(_import_graph(root)) == []
