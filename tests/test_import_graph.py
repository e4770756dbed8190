"""The imports between the modules of perfgoals, projects and indicators: no cycles, no private names.

Every module's source is read with ``ast`` (nothing is imported or run), and every import counts,
the ones inside a function too: an import moved into a function still ties the two modules
together, it only hides the cycle from Python until the function runs. ``from projects import
models`` is an import of projects.models; ``from projects.excel import BadWorkbook`` one of the
package projects.excel (its __init__); relative imports are resolved against the importing module's
package. Importing a submodule does not count as importing its parent packages, and names given as
strings (INSTALLED_APPS, include("projects.urls")) are not imports.

Three rules:
- no cycle between modules (a → b → a, or longer);
- no cycle between the apps (perfgoals, projects, indicators): they depend one way only;
- no name that starts with one underscore imported from another module, nor read from an imported
  module as ``module._name``: a private name is private to its module.

What the code does today against these rules is listed below, each with why it is there. The tests
fail on anything new, and they fail too when a listed case is gone, so that the lists shrink with
the renovation of issue 14 (item 4: "no import circles between apps or inside projects/excel/; no
private name imported across modules") until they are empty.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("perfgoals", "projects", "indicators")

KNOWN_CYCLES = {}

KNOWN_APP_CYCLES = {}

KNOWN_PRIVATE_IMPORTS = {}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    in_function: bool

    def __str__(self):
        where = ", inside a function" if self.in_function else ""
        return f"{self.importer} imports {self.imported} (line {self.line}{where})"


@dataclass
class ImportGraph:
    modules: dict  # module name → its file
    edges: dict  # importer → {imported: [Import, …]}
    private: list  # (importer, "module._name", line)

    def add(self, found):
        if found.importer != found.imported:
            imports = self.edges.setdefault(found.importer, {}).setdefault(found.imported, [])
            if found not in imports:  # one per statement, however many names it imports
                imports.append(found)

    def cycles(self):
        """{frozenset of modules: "a → b → a" with the imports that make it} of every elementary cycle."""
        return _elementary_cycles(self.edges)

    def app_edges(self):
        """importer app → {imported app: [Import, …]}: the graph seen from the apps."""
        apps = {}
        for importer, targets in self.edges.items():
            for imported, imports in targets.items():
                source, target = importer.partition(".")[0], imported.partition(".")[0]
                if source != target:
                    apps.setdefault(source, {}).setdefault(target, []).extend(imports)
        return apps


def module_files(root, apps):
    """{dotted module name: path} of every module of the apps, migrations and tests left out."""
    found = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if "migrations" in parts or "tests" in parts:
                continue
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


class _ImportVisitor(ast.NodeVisitor):
    def __init__(self, graph, module, package):
        self.graph, self.module, self.package = graph, module, package
        self.depth = 0  # functions the visitor is inside
        self.bound = {}  # local name → the project module it was imported as

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def _found(self, imported, node):
        self.graph.add(Import(self.module, imported, node.lineno, self.depth > 0))

    def visit_Import(self, node):
        modules = self.graph.modules
        for alias in node.names:
            parts = alias.name.split(".")
            prefixes = (".".join(parts[:n]) for n in range(len(parts), 0, -1))
            known = next((prefix for prefix in prefixes if prefix in modules), None)
            if known is None:
                continue
            self._found(known, node)
            if alias.asname:
                self.bound[alias.asname] = known
            else:
                self.bound[parts[0]] = parts[0]

    def visit_ImportFrom(self, node):
        modules = self.graph.modules
        if node.level:
            package = self.package.split(".")
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if submodule in modules:
                self._found(submodule, node)
                self.bound[alias.asname or alias.name] = submodule
            elif base in modules:
                self._found(base, node)
                if _is_private(alias.name):
                    self.graph.private.append((self.module, f"{base}.{alias.name}", node.lineno))

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and _is_private(node.attr):
            module = self.bound.get(node.value.id)
            if module in self.graph.modules and module != self.module:
                self.graph.private.append((self.module, f"{module}.{node.attr}", node.lineno))
        self.generic_visit(node)


def _is_private(name):
    return name.startswith("_") and not name.startswith("__")


def import_graph(root=ROOT, apps=APPS):
    """The ImportGraph of the apps under ``root``, read from their sources."""
    modules = module_files(root, apps)
    graph = ImportGraph(modules, {}, [])
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        _ImportVisitor(graph, module, package).visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return graph


def _elementary_cycles(edges):
    """Each elementary cycle once, from its smallest node, through nodes larger than it."""
    found = {}

    def walk(start, node, path):
        for target, imports in sorted(edges.get(node, {}).items()):
            if target == start:
                found.setdefault(frozenset(path), _chain(edges, path))
            elif target > start and target not in path:
                walk(start, target, path + [target])

    for start in sorted(edges):
        walk(start, start, [start])
    return found


_LINKS_SHOWN = 6


def _chain(edges, path):
    """"a → b → a" and, under it, each import that makes a link of the chain."""
    links = []
    for source, target in zip(path, path[1:] + path[:1]):
        imports = edges[source][target]
        links.extend(f"    {found}" for found in imports[:_LINKS_SHOWN])
        if len(imports) > _LINKS_SHOWN:
            links.append(f"    … and {len(imports) - _LINKS_SHOWN} more")
    return " → ".join(path + path[:1]) + "\n" + "\n".join(links)


def _by_chain(cycle):
    return cycle[1]


def _report(title, entries):
    return title + ":\n" + "\n".join(entries)


def test_no_import_cycle_between_modules_beyond_the_known_ones():
    cycles = import_graph().cycles()
    new = [chain for members, chain in sorted(cycles.items(), key=_by_chain) if members not in KNOWN_CYCLES]
    assert not new, _report("New import cycles between modules (break them; do not add them to KNOWN_CYCLES)", new)


def test_every_known_module_cycle_still_exists_so_the_list_shrinks():
    cycles = import_graph().cycles()
    gone = [" ↔ ".join(sorted(members)) for members in KNOWN_CYCLES if members not in cycles]
    assert not gone, _report("These cycles are gone: take them off KNOWN_CYCLES", gone)


def test_no_import_cycle_between_apps_beyond_the_known_ones():
    cycles = _elementary_cycles(import_graph().app_edges())
    new = [chain for members, chain in sorted(cycles.items(), key=_by_chain) if members not in KNOWN_APP_CYCLES]
    assert not new, _report("New import cycles between apps (they must depend one way)", new)


def test_every_known_app_cycle_still_exists_so_the_list_shrinks():
    cycles = _elementary_cycles(import_graph().app_edges())
    gone = [" ↔ ".join(sorted(members)) for members in KNOWN_APP_CYCLES if members not in cycles]
    assert not gone, _report("These app cycles are gone: take them off KNOWN_APP_CYCLES", gone)


def test_no_private_name_is_imported_from_another_module_beyond_the_known_ones():
    private = import_graph().private
    new = [
        f"{importer} line {line}: {name}" for importer, name, line in private if (importer, name) not in KNOWN_PRIVATE_IMPORTS
    ]
    assert not new, _report("Private names used outside their module (make them public or move the code)", new)


def test_every_known_private_import_still_exists_so_the_list_shrinks():
    private = {(importer, name) for importer, name, _ in import_graph().private}
    gone = [f"{importer}: {name}" for importer, name in KNOWN_PRIVATE_IMPORTS if (importer, name) not in private]
    assert not gone, _report("These private imports are gone: take them off KNOWN_PRIVATE_IMPORTS", gone)


def _write(root, files):
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_the_scan_sees_imports_inside_functions_relative_imports_and_submodules(tmp_path):
    """The scanner on a made-up app: a cycle held by an import inside a function, one through a
    relative import of a submodule, a package's own __init__, and what must not count."""
    _write(tmp_path, {
        "shop/__init__.py": "import json\n",
        "shop/orders.py": "import json\n\ndef total():\n    from shop import pricing\n    return pricing\n",
        "shop/pricing.py": "from .orders import Order\nfrom . import stock as s\nx = s._level\n",
        "shop/stock.py": "import shop.catalog.items\n",
        "shop/catalog/__init__.py": "",
        "shop/catalog/items.py": "from .. import _helper\nfrom ..stock import Level\n",
        "shop/migrations/0001_initial.py": "from shop.pricing import Price\n",
        "shop/tests/test_orders.py": "from shop.orders import _private\n",
        "base/__init__.py": "",
        "base/util.py": "from shop.orders import Order\n",
        "base/lazy.py": "def f():\n    import shop.stock\n",
    })
    graph = import_graph(tmp_path, ("shop", "base"))
    assert "shop.migrations.0001_initial" not in graph.modules and "shop.tests.test_orders" not in graph.modules
    edges = {
        (found.importer, found.imported, found.in_function)
        for targets in graph.edges.values()
        for imports in targets.values()
        for found in imports
    }
    assert edges == {
        ("shop.orders", "shop.pricing", True),
        ("shop.pricing", "shop.orders", False),
        ("shop.pricing", "shop.stock", False),
        ("shop.stock", "shop.catalog.items", False),
        ("shop.catalog.items", "shop", False),
        ("shop.catalog.items", "shop.stock", False),
        ("base.util", "shop.orders", False),
        ("base.lazy", "shop.stock", True),
    }
    cycles = graph.cycles()
    assert set(cycles) == {frozenset({"shop.orders", "shop.pricing"}), frozenset({"shop.stock", "shop.catalog.items"})}
    assert cycles[frozenset({"shop.orders", "shop.pricing"})].splitlines() == [
        "shop.orders → shop.pricing → shop.orders",
        "    shop.orders imports shop.pricing (line 4, inside a function)",
        "    shop.pricing imports shop.orders (line 1)",
    ]
    assert sorted((importer, name) for importer, name, _ in graph.private) == [
        ("shop.catalog.items", "shop._helper"),
        ("shop.pricing", "shop.stock._level"),
    ]
    assert set(_elementary_cycles(graph.app_edges())) == set()
    _write(tmp_path, {"shop/late.py": "def f():\n    from base.util import helper\n"})
    graph = import_graph(tmp_path, ("shop", "base"))
    assert set(_elementary_cycles(graph.app_edges())) == {frozenset({"shop", "base"})}
