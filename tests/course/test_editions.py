"""The student edition (``make student``): made from notebooks/, up to date, without solutions or
outputs; and the rule that turns a solution cell into starting code."""

import json

import pytest

from gan_helpers.course import editions

from support import ROOT


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
        notebook = json.loads(path.read_text())
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
