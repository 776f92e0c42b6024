"""The course's two editions, made from one source: ``notebooks/`` is the teacher's edition, with
every solution in a hidden cell; ``student/`` is made from it by ``make student``
(``python -m gan_helpers.course.editions student``) (introduced in the README, "For teachers").

In the teacher's edition an exercise is a markdown cell that asks, a code cell tagged
``solution`` (collapsed) that answers, and a check cell (``exercises.check_*``). Inside a
solution cell, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` are the answer, and
lines ``# STUDENT: <code>`` are the starting code a learner fills in: the student edition drops
the answer and keeps the starting code. A markdown cell tagged ``solution`` (an answer in words)
is left out of the student edition. Student notebooks carry no outputs; the same input always
gives the same bytes, so a test can tell when ``student/`` is out of date.

``python -m gan_helpers.course.editions outputs`` (maintainers) runs the teacher's notebooks in the
``smoke`` profile and stores the outputs of the cells marked ``# NBVAL_CHECK_OUTPUT``, the ones
that CI compares.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from pathlib import Path

import nbformat

from .. import settings
from . import runner, storage

BEGIN, END, STUDENT = "# BEGIN SOLUTION", "# END SOLUTION", "# STUDENT:"
CHECKED = "# NBVAL_CHECK_OUTPUT"


def notebooks_dir() -> Path:
    return settings.project_root() / "notebooks"


def student_dir() -> Path:
    return settings.project_root() / "student"


def starting_code(source: str, where: str = "a solution cell") -> str:
    """The student's version of a solution cell's code: the answer dropped, the ``# STUDENT:``
    lines uncommented."""
    lines, inside, kept = source.split("\n"), False, []
    if not any(line.strip() == BEGIN for line in lines):
        raise ValueError(f"{where} has no `{BEGIN}` / `{END}` lines around its answer: the "
                         "student edition would show the solution")
    for line in lines:
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"{where}: {BEGIN} inside another")
            inside = True
        elif stripped == END:
            if not inside:
                raise ValueError(f"{where}: {END} without {BEGIN}")
            inside = False
        elif stripped.startswith(STUDENT):
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(indent + stripped[len(STUDENT):].removeprefix(" "))
        elif not inside:
            kept.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN} without {END}")
    if not any(line.strip() and not line.strip().startswith("#") for line in kept):
        raise ValueError(f"{where} leaves the student no code to start from: add `{STUDENT}` "
                         "lines that define the names its check reads")
    return "\n".join(kept).strip("\n")


def student_notebook(notebook: nbformat.NotebookNode, name: str = "") -> nbformat.NotebookNode:
    """The student edition of one teacher's notebook."""
    student = copy.deepcopy(notebook)
    cells = []
    for index, cell in enumerate(student.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if cell.source.startswith(CHECKED):
                cell.source = cell.source[len(CHECKED):].lstrip("\n")
        if "solution" in tags:
            if cell.cell_type == "markdown":
                continue
            cell.source = starting_code(cell.source, f"{name} cell {index}")
            cell.metadata["tags"] = [tag for tag in tags if tag != "solution"] + ["exercise"]
            cell.metadata.pop("jupyter", None)
        cells.append(cell)
    student.cells = cells
    student.metadata.setdefault("gan_course", {})["edition"] = "student"
    return student


def student_edition(source: Path | None = None) -> dict[str, str]:
    """Every student notebook, as the text ``make student`` writes: {file name: text}."""
    made = {}
    for path in runner.notebook_paths(folder=source or notebooks_dir()):
        notebook = nbformat.read(path, as_version=4)
        made[path.name] = nbformat.writes(student_notebook(notebook, path.name)) + "\n"
    return made


def write_student_edition(target: Path | None = None) -> list[Path]:
    """Write the student edition into ``student/``, replacing what was there."""
    target = target or student_dir()
    target.mkdir(exist_ok=True)
    made = student_edition()
    for old in target.glob("*.ipynb"):
        if old.name not in made:
            old.unlink()
    paths = []
    for name, text in made.items():
        path = target / name
        with storage.writing(path, "run `make student` again") as file:  # whole or not at all
            file.write(text.encode())
        paths.append(path)
    return paths


def store_checked_outputs(paths: list[Path]) -> None:
    """Run each notebook in the ``smoke`` profile and keep the outputs of its
    ``# NBVAL_CHECK_OUTPUT`` cells (and only theirs), for CI to compare (maintainers)."""
    os.environ["GAN_PROFILE"] = "smoke"
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        executed = copy.deepcopy(notebook)
        runner.execute(executed, path.parent, timeout=600, name=path.name)
        count = 0
        for cell, ran in zip(notebook.cells, executed.cells):
            if cell.cell_type != "code":
                continue
            if cell.source.startswith(CHECKED):
                count += 1
                cell.outputs = [_without_count(output) for output in ran.outputs]
                cell.execution_count = count
            else:
                cell.outputs, cell.execution_count = [], None
        nbformat.write(notebook, path)
        print(f"{path.name}: {count} checked cells stored")


def _without_count(output: nbformat.NotebookNode) -> nbformat.NotebookNode:
    if "execution_count" in output:
        output["execution_count"] = None
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gan_helpers.course.editions",
        description="Write the student edition, or store the reference outputs of the cells CI "
                    "checks.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("student", help="write student/ from notebooks/")
    outputs = commands.add_parser("outputs", help="store the checked cells' outputs (smoke)")
    outputs.add_argument("notebooks", nargs="*", help="name prefixes, e.g. 05 (default: all)")
    args = parser.parse_args(argv)
    try:
        if args.command == "student":
            for path in write_student_edition():
                print(f"wrote {path.relative_to(settings.project_root())}")
        else:
            store_checked_outputs(runner.notebook_paths(args.notebooks, notebooks_dir()))
    except (ValueError, runner.CellTimeout) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
