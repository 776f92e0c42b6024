"""Seconds from a fresh kernel to the first sliders of each GAN notebook that loads its generator
(``hp.train = False``) instead of training it: what a class waits that was handed the ``files/``
of an earlier run (``make results``).

Each notebook runs in a fresh ``python3`` kernel, as "Run All" does, with ``hp.train = False``
set right after its hyperparameter cell, up to and including the first cell that shows an
explorer (``widgets.*_explorer``); the time includes the kernel's start. The trained generators
must be there already: run ``make results`` (``quick``) or ``bench/results.py --profile PROFILE``
first. Prints JSON: seconds per notebook, the profile, the machine.

    python bench/time_to_sliders.py --profile quick --notebooks 04 06 07
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from gan_helpers import settings
from gan_helpers.course import runner

from timing import describe_machine

GAN_NOTEBOOKS = ["02", "03", "04", "06", "07"]


def up_to_the_sliders(path: Path) -> nbformat.NotebookNode:
    """The notebook's cells up to its first explorer, with ``hp.train = False`` after the
    hyperparameter cell."""
    notebook = nbformat.read(path, as_version=4)
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    table = next((i for i in code if "settings.choose(" in notebook.cells[i].source), None)
    sliders = next((i for i in code if "_explorer(" in notebook.cells[i].source), None)
    if table is None or sliders is None:
        raise ValueError(f"{path.name} has no hyperparameter table or no explorer to time")
    notebook.cells = [*notebook.cells[: table + 1], nbformat.v4.new_code_cell("hp.train = False"),
                      *notebook.cells[table + 1 : sliders + 1]]
    return notebook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", required=True, choices=settings.PROFILES)
    parser.add_argument("--notebooks", nargs="+", default=GAN_NOTEBOOKS, choices=GAN_NOTEBOOKS)
    args = parser.parse_args()
    os.environ["GAN_PROFILE"] = args.profile  # read by the kernels, which inherit the environment
    report = {"profile": args.profile, "machine": describe_machine(settings.get_device()),
              "seconds_to_sliders": {}}
    for path in runner.notebook_paths(args.notebooks):
        notebook = up_to_the_sliders(path)
        start = time.perf_counter()
        try:
            runner.execute(notebook, path.parent, timeout=600, name=path.name)
        except (CellExecutionError, runner.CellTimeout) as error:
            sys.exit(f"{path.name} could not reach its sliders (is its trained generator in "
                     f"files/? run `make results` first):\n{error}")
        seconds = round(time.perf_counter() - start, 1)
        report["seconds_to_sliders"][path.stem] = seconds
        print(f"{path.name}: sliders after {seconds} s", file=sys.stderr, flush=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
