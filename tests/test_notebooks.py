"""The notebooks as files: stored clean, the code they teach identical to the package's copy, no
definition shadowing the package unmarked, imports only at the top, solutions hidden, and the
student edition up to date. (Running them top to bottom: nbval, in ``make test``; their knobs:
``test_knobs.py``.)"""

import ast
import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

import pytest

import gan_helpers
from gan_helpers import editions

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MARKER = re.compile(r"^# taught here; gan_helpers\.(\w+) keeps a copy\s*$")
MODULES = {name: __import__(f"gan_helpers.{name}", fromlist=[name])
           for name in ("settings", "data", "faces", "models", "training", "sampling", "metrics",
                        "scorers", "plotting", "widgets", "checkpoints", "exercises", "speed")}


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def code_cells(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "code"]


def top_level_definitions(source: str) -> list[ast.FunctionDef | ast.ClassDef]:
    clean = "\n".join(line for line in source.splitlines() if not line.startswith(("%", "!")))
    return [node for node in ast.parse(clean).body
            if isinstance(node, ast.FunctionDef | ast.ClassDef)]


def without_docstrings(node: ast.AST) -> str:
    for child in ast.walk(node):
        body = getattr(child, "body", None)
        docstring = (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                     and isinstance(body[0].value, ast.Constant)
                     and isinstance(body[0].value.value, str))
        if docstring:
            child.body = body[1:] or [ast.Pass()]
    return ast.dump(node)


def package_definitions() -> dict[str, str]:
    """Every function and class the package defines: name -> module."""
    found = {}
    for module_name, module in MODULES.items():
        for name, value in vars(module).items():
            if getattr(value, "__module__", None) == module.__name__ and not name.startswith("__"):
                found[name] = module_name
    return found


def test_there_are_seven_notebooks_in_order():
    assert [path.name[:3] for path in NOTEBOOKS] == [f"0{i}_" for i in range(1, 8)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_clean_with_a_python3_kernel(path):
    notebook = load(path)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        checked = "".join(cell["source"]).startswith(editions.CHECKED)
        if cell["outputs"] or cell["execution_count"] is not None:
            assert checked, f"cell {index} keeps outputs: only NBVAL_CHECK_OUTPUT cells store them"
        if checked:
            assert cell["outputs"] and cell["execution_count"], (
                f"checked cell {index} has no reference output: run "
                "`python -m gan_helpers.editions outputs`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_taught_code_matches_the_package(path):
    """A cell marked "# taught here; gan_helpers.<module> keeps a copy" defines only what that
    module defines, identically (docstrings aside)."""
    marked = 0
    for source in code_cells(path):
        match = MARKER.match(source.splitlines()[0]) if source else None
        if not match:
            continue
        module = MODULES[match.group(1)]
        for node in top_level_definitions(source):
            marked += 1
            assert hasattr(module, node.name), f"{path.name}: {module.__name__} has no {node.name}"
            package_node = ast.parse(inspect.getsource(getattr(module, node.name))).body[0]
            assert without_docstrings(node) == without_docstrings(package_node), (
                f"{node.name} in {path.name} differs from {module.__name__}'s copy: change both")
    if path.name.startswith(("01", "02", "03", "04", "06", "07")):
        assert marked, f"{path.name} writes out none of the code it teaches"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_unmarked_definition_shadows_the_package(path):
    known = package_definitions()
    for index, source in enumerate(code_cells(path)):
        first = source.splitlines()[0] if source else ""
        for node in top_level_definitions(source):
            if node.name in known:
                assert MARKER.match(first), (
                    f"{path.name} code cell {index} defines {node.name}, which "
                    f"gan_helpers.{known[node.name]} also defines: mark the cell "
                    f"'# taught here; gan_helpers.{known[node.name]} keeps a copy' (and keep the "
                    "copies the same), or rename it")


def test_no_helper_is_defined_twice_across_notebooks():
    seen = {}
    for path in NOTEBOOKS:
        for source in code_cells(path):
            if source and MARKER.match(source.splitlines()[0]):
                continue  # a taught copy: written out again on purpose, kept equal by a test
            for node in top_level_definitions(source):
                assert node.name not in seen, \
                    f"{node.name} is defined in {seen[node.name]} and {path.name}"
                seen[node.name] = path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_imports_only_in_the_setup_cell(path):
    cells = code_cells(path)
    setup = next(index for index, source in enumerate(cells) if "import" in source)
    for index, source in enumerate(cells[setup + 1:], setup + 1):
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, ast.Import | ast.ImportFrom), \
                f"{path.name} code cell {index} imports: move it to the setup cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_hidden_and_have_starting_code(path):
    for index, cell in enumerate(load(path)["cells"]):
        if "solution" not in cell["metadata"].get("tags", []):
            continue
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            assert cell["metadata"].get("jupyter", {}).get("source_hidden"), \
                f"{path.name} cell {index}: a solution in plain view"
            editions.starting_code(source, f"{path.name} cell {index}")
        else:
            assert "<details>" in source, f"{path.name} cell {index}: an answer without a click"


def test_the_student_edition_is_up_to_date():
    """student/ is committed (a class can open it straight from the repository); it must be what
    `make student` makes of notebooks/ now, byte for byte."""
    made = editions.student_edition()
    committed = {path.name: path.read_text() for path in (ROOT / "student").glob("*.ipynb")}
    assert sorted(committed) == sorted(made), "student/ lacks or has extra notebooks: make student"
    stale = [name for name, text in made.items() if committed[name] != text]
    assert not stale, f"student/ is out of date for {stale}: run `make student`"


def test_the_student_edition_has_no_solution_and_no_output():
    for path in (ROOT / "student").glob("*.ipynb"):
        notebook = load(path)
        for cell in notebook["cells"]:
            source = "".join(cell["source"])
            assert editions.BEGIN not in source and editions.STUDENT not in source
            assert "solution" not in cell["metadata"].get("tags", [])
            if cell["cell_type"] == "code":
                assert not cell["outputs"] and cell["execution_count"] is None


def test_starting_code_drops_the_answer_and_keeps_the_placeholders():
    source = ("x = 1\n"
              "def f(a):\n"
              "    # BEGIN SOLUTION\n"
              "    return a + x\n"
              "    # END SOLUTION\n"
              "    # STUDENT: return None  # your code\n")
    assert editions.starting_code(source) == "x = 1\ndef f(a):\n    return None  # your code"
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        editions.starting_code("answer = 42\n")
    with pytest.raises(ValueError, match="no code to start from"):
        editions.starting_code("# BEGIN SOLUTION\nanswer = 42\n# END SOLUTION\n")
    with pytest.raises(ValueError, match="without"):
        editions.starting_code("# BEGIN SOLUTION\nanswer = 42\n")


def test_every_module_says_which_notebook_introduces_it():
    names = [info.name for info in pkgutil.iter_modules(gan_helpers.__path__)]
    for name in names:
        module = importlib.import_module(f"gan_helpers.{name}")
        assert re.search(r"introduced in\s+(notebook\s+\d\d|the\s+README)", module.__doc__,
                         re.IGNORECASE), f"gan_helpers.{name} does not say where it is introduced"
        assert f"``{name}``" in gan_helpers.__doc__, f"the package docstring omits {name}"
    assert "DESIGN.md" not in gan_helpers.__doc__
