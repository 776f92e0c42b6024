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
import linecache
import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from queue import Empty
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


# seconds one cell may run in ``execute`` before it counts as stuck, per profile: a training cell
# of ``quick`` takes minutes on a 2-core CPU, one of ``full`` tens of minutes on a GPU
CELL_TIMEOUT = {"smoke": 300, "quick": 1800, "full": 3600}
LOOK_EVERY = 1.0  # seconds between two looks for a message while ``execute`` waits for one


def _looking_again(get_msg: Callable[..., Any]) -> Callable[..., Any]:
    """A kernel client channel's ``get_msg`` that looks again every ``LOOK_EVERY`` seconds
    however long it waits. nbclient's asyncio wait can miss the wake-up of a message that has
    arrived (after a send on the same socket, as its mimic of an output widget makes: nbclient
    issue 312), and waits on, the kernel idle, until its timeout, or forever without one; each new
    look finds the message (bench/README.md, "Headless runs")."""
    async def get_msg_looking_again(timeout: float | None = None) -> dict[str, Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = LOOK_EVERY if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await get_msg(timeout=min(LOOK_EVERY, left))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    return get_msg_looking_again


class CellTimeout(TimeoutError):
    """A cell that ``execute`` ran did not finish in time, or its kernel died; the message names
    the notebook and the cell."""


def execute(notebook: nbformat.NotebookNode, folder: Path, timeout: int | None = None,
            name: str = "the notebook") -> None:
    """Run every cell of ``notebook`` (called ``name`` in errors) in a fresh ``python3`` kernel
    working in ``folder``, as "Run All" does; the outputs land in ``notebook``. A failing cell
    raises nbclient's ``CellExecutionError``; a cell still running after ``timeout`` seconds
    (default: ``CELL_TIMEOUT`` of the profile), or a kernel that died, raises ``CellTimeout``
    naming the notebook and the cell, and the kernel is stopped."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    limit = timeout or CELL_TIMEOUT[settings.get_profile()]
    running: dict[str, Any] = {}

    def started(cell: nbformat.NotebookNode, cell_index: int, **_: Any) -> None:
        running.update(cell=cell, index=cell_index)

    class Client(NotebookClient):
        """nbclient that looks again for messages (``_looking_again``) and notes whether the
        kernel's reply was there when a cell's time ran out."""

        answered = False

        async def async_start_new_kernel_client(self) -> Any:
            client = await super().async_start_new_kernel_client()
            for channel in (client.shell_channel, client.iopub_channel):
                channel.get_msg = _looking_again(channel.get_msg)
            return client

        async def _async_handle_timeout(self, timeout: int, cell: Any = None) -> Any:
            self.answered = bool(await self.kc.shell_channel.msg_ready())
            return await super()._async_handle_timeout(timeout, cell)

    client = Client(notebook, timeout=limit, kernel_name="python3",
                    resources={"metadata": {"path": str(folder)}}, on_cell_execute=started)
    try:
        client.execute()
    except (CellTimeoutError, DeadKernelError) as error:
        index = running.get("index", 0)
        number = sum(cell.cell_type == "code" for cell in notebook.cells[: index + 1])
        first = next((line for line in running.get("cell", {}).get("source", "").splitlines()
                      if line.strip()), "")
        what = ("its kernel died" if isinstance(error, DeadKernelError)
                else f"it ran over {limit} s and was stopped")
        missed = (" The kernel had finished it: its reply was there, unread by the client."
                  if client.answered else "")
        raise CellTimeout(
            f"{name}, code cell {number} (cell {index} of the file, `{first.strip()}`): {what}."
            f"{missed} If it only needs longer on this machine, give the command a longer "
            "timeout; if the kernel sat idle, the cell hung: run the notebook again, and see "
            "bench/README.md (headless runs) for what is known to hang.") from error


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
                name = f"{Path(path).name}, code cell {index}"
                # as Jupyter does: tracebacks and inspect.getsource read the cell's lines
                linecache.cache[name] = (len(source), None, source.splitlines(True), name)
                exec(compile(source, name, "exec"), namespace)
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
