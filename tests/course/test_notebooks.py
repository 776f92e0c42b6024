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
import gan_helpers.course
from gan_helpers.course import editions

from support import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MARKER = re.compile(r"^# taught here; gan_helpers\.([\w.]+) keeps a copy\s*$")
LESSONS = [info.name for info in pkgutil.iter_modules(gan_helpers.__path__) if not info.ispkg]
COURSE = [info.name for info in pkgutil.iter_modules(gan_helpers.course.__path__)]
# the modules whose definitions a notebook may write out: the lessons, and course/ as course.NAME
MODULES = {**{name: importlib.import_module(f"gan_helpers.{name}") for name in LESSONS},
           **{f"course.{name}": importlib.import_module(f"gan_helpers.course.{name}")
              for name in COURSE}}


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
                "`python -m gan_helpers.course.editions outputs`")


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
    setup = next(index for index, source in enumerate(cells)
                 if any(isinstance(node, ast.Import | ast.ImportFrom)
                        for node in ast.parse(source).body))
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


def test_every_lesson_module_says_which_notebook_introduces_it():
    for name in LESSONS:
        module = importlib.import_module(f"gan_helpers.{name}")
        assert re.search(r"introduced in\s+notebook\s+\d\d", module.__doc__, re.IGNORECASE), \
            f"gan_helpers.{name} does not say which notebook introduces it"
        assert f"``{name}``" in gan_helpers.__doc__, f"the package docstring omits {name}"


def test_course_modules_say_they_are_not_taught_and_who_uses_them():
    assert "nothing here is taught" in gan_helpers.course.__doc__.lower()
    assert "course/" in gan_helpers.__doc__
    for name in COURSE:
        module = importlib.import_module(f"gan_helpers.course.{name}")
        assert f"``{name}``" in gan_helpers.course.__doc__, f"course/__init__ omits {name}"
        assert not re.search(r"introduced in\s+notebook", module.__doc__, re.IGNORECASE), \
            f"gan_helpers.course.{name} claims a lesson: nothing in course/ is taught"


def test_the_lessons_stay_thin():
    """The design's "thin helper module": the lesson folder holds what notebooks teach; the
    machinery lives in course/. A cap, so that growth is a decision."""
    lines = sum(len((Path(gan_helpers.__file__).parent / f"{name}.py").read_text().splitlines())
                for name in LESSONS)
    assert lines < 2_400, f"the lesson modules have {lines} lines: move machinery to course/"
