"""Find and run the course's notebooks (introduced in the README, "Tests and benchmarks").

``run_cells`` runs a notebook's code cells in this Python process, with some of its
hyperparameters changed, and reads what it computed: the knob tests prove with it that every value
of a hyperparameter table changes what it says, and ``bench/fashion_gan_seeds.py`` runs notebook
04 with other seeds, exactly as the notebook runs. ``execute`` runs a notebook in a fresh kernel,
as "Run All" does (``make results``, ``make student``'s stored outputs, the GPU check).

Cells run in order in one namespace, as "Run All" runs them, with the notebook's folder as the
working directory. ``settings.choose`` is wrapped so that the table the notebook builds gets the
changed values; a value for a name the table does not have is an error. ``edits`` change the
code of the cells themselves, as a learner edits a line, to show that the page is what runs.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import nbformat

from .. import settings


def notebook_paths(prefixes: Sequence[str] | None = None,
                   folder: Path | None = None) -> list[Path]:
    """The notebooks of ``folder`` (the course's ``notebooks/``) in teaching order, or those whose
    names start with one of ``prefixes`` (such as "04"); an unknown prefix is an error."""
    folder = folder or settings.project_root() / "notebooks"
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        unknown = [p for p in prefixes if not any(path.name.startswith(p) for path in paths)]
        if unknown:
            raise ValueError(f"no notebook in {folder} starts with {', '.join(unknown)}; the "
                             "notebooks are: " + ", ".join(path.name for path in paths))
        paths = [path for path in paths if any(path.name.startswith(p) for p in prefixes)]
    return paths


def execute(notebook: nbformat.NotebookNode, folder: Path, timeout: int | None = None) -> None:
    """Run every cell of ``notebook`` in a fresh ``python3`` kernel working in ``folder``, as
    "Run All" does; the outputs land in ``notebook``. A failing cell raises nbclient's
    ``CellExecutionError``."""
    from nbclient import NotebookClient

    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()


@contextlib.contextmanager
def _changed_table(changes: dict[str, Any]) -> Iterator[list[bool]]:
    original = settings.choose
    applied: list[bool] = []

    def choose(*args: Any, **kwargs: Any):
        hp = original(*args, **kwargs)
        applied.append(True)
        unknown = sorted(set(changes) - set(vars(hp)))
        if unknown:
            raise KeyError(f"{unknown} are not hyperparameters of this notebook")
        for name, value in changes.items():
            setattr(hp, name, value)
        if changes:  # the table above shows the notebook's values
            print("changed by the runner:", ", ".join(f"{k}={v!r}" for k, v in changes.items()))
        return hp

    settings.choose = choose
    try:
        yield applied
    finally:
        settings.choose = original


def run_cells(path: Path, changes: dict[str, Any] | None = None,
              until: Callable[[dict[str, Any]], bool] | None = None,
              on_cell: Callable[[dict[str, Any]], None] | None = None,
              edits: dict[str, str] | None = None) -> dict[str, Any]:
    """Run the code cells of the notebook at ``path`` with ``changes`` to its hyperparameters and
    each line of code in ``edits`` replaced by its value; after each cell call
    ``on_cell(namespace)``, and stop after the first cell after which ``until(namespace)`` is
    true. Returns the namespace."""
    import matplotlib.pyplot as plt

    notebook = nbformat.read(path, as_version=4)
    for old, new in (edits or {}).items():
        cells = [cell for cell in notebook.cells if cell.cell_type == "code" and old in cell.source]
        if len(cells) != 1:
            raise ValueError(f"{old!r} is in {len(cells)} code cells of {Path(path).name}, "
                             "not exactly one")
        cells[0].source = cells[0].source.replace(old, new)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    here = Path.cwd()
    os.chdir(Path(path).parent)
    try:
        with _changed_table(changes or {}) as applied, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non-interactive.*")  # plt.show() here
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                source = "\n".join(line for line in cell.source.splitlines()
                                   if not line.lstrip().startswith(("%", "!")))
                exec(compile(source, f"{Path(path).name}, code cell {index}", "exec"), namespace)
                plt.close("all")
                if on_cell is not None:
                    on_cell(namespace)
                if until is not None and until(namespace):
                    break
            else:
                if until is not None:
                    raise RuntimeError(f"ran all of {Path(path).name}, and the condition to stop "
                                       "at never held")
            if changes and not applied:
                raise ValueError(f"{Path(path).name} has no hyperparameter table "
                                 f"(settings.choose) for the changes {changes}")
    finally:
        os.chdir(here)
    return namespace
