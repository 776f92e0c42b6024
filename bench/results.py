"""Each notebook run top to bottom in one profile, and what it measured, as JSON: the README's
results and time tables.

Runs the notebooks one after the other, each in a fresh kernel (as Run All does) with GAN_PROFILE
set, and prints one JSON object: the profile, the machine and, per notebook, its wall time, its
kernel's peak memory (resident set size), the figures it kept with ``results.record`` and the
claims it checked with ``results.claims``. In every profile but ``smoke`` a claim that did not
hold fails the run, listed with its notebook and figures (the JSON is still written).
``--pictures DIR`` also copies the pictures the notebooks saved with ``results.save_figure`` into
DIR; ``--executed DIR`` writes each executed notebook there, with its outputs, to read without
running (at most 3 MB each). The README's results come from ``make results``:

    .venv/bin/python bench/results.py --profile quick --pictures docs/results/quick \\
        --out docs/results/quick/results.json --executed docs/notebooks

or, for a few notebooks: ``.venv/bin/python bench/results.py --profile smoke --notebooks 02 03``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from gan_helpers import settings
from gan_helpers.course import runner

from timing import describe_machine  # bench/timing.py, beside this script

MEMORY_PROBE = ("import resource, sys\n"  # peak resident set size of the kernel, in MB
                "print('peak memory:', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss "
                "/ (1024 if sys.platform != 'darwin' else 1024**2))")
MAX_EXECUTED_BYTES = 3_000_000


class TooLarge(Exception):
    """An executed notebook over ``MAX_EXECUTED_BYTES``."""


def run_notebook(path: Path, outputs: Path, executed: Path | None) -> dict:
    """Execute one notebook in a fresh kernel; its wall time, peak memory, recorded figures and
    saved pictures."""
    key = path.name[:2]
    recorded = outputs / "results" / f"{key}.json"
    recorded.unlink(missing_ok=True)
    for old in (outputs / "figures").glob(f"{key}_*.png"):
        old.unlink()
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(MEMORY_PROBE))
    start = time.perf_counter()
    runner.execute(notebook, path.parent, name=path.name)  # CELL_TIMEOUT of the profile
    seconds = time.perf_counter() - start
    probe = notebook.cells.pop()
    peak = float(probe.outputs[0]["text"].split(":")[1])
    if executed is not None:
        executed.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(notebook)
        if len(text.encode()) > MAX_EXECUTED_BYTES:
            raise TooLarge(f"{path.name} executed is {len(text.encode()):,} bytes, over the "
                           f"{MAX_EXECUTED_BYTES:,} a readable notebook may have: show fewer "
                           "pictures")
        (executed / path.name).write_text(text + "\n")
    figures = json.loads(recorded.read_text()) if recorded.is_file() else {}
    return {"seconds": round(seconds, 1), "peak_memory_mb": round(peak),
            "claims": figures.pop("claims", []), "figures": figures,
            "pictures": sorted(p.name for p in (outputs / "figures").glob(f"{key}_*.png"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", required=True, choices=settings.PROFILES)
    parser.add_argument("--notebooks", nargs="+", help="name prefixes, e.g. 01 04 (default: all)")
    parser.add_argument("--pictures", type=Path, help="copy the notebooks' saved pictures here")
    parser.add_argument("--executed", type=Path, help="write the executed notebooks here")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file (other "
                        "notebooks' entries already there for the same profile are kept)")
    args = parser.parse_args()
    os.environ["GAN_PROFILE"] = args.profile  # read by the kernels, which inherit the environment
    outputs = settings.output_dir()
    report = {"profile": args.profile, "machine": describe_machine(settings.get_device()),
              "notebooks": {}}
    if args.out and args.out.is_file():  # keep the other notebooks' latest runs in this profile
        kept = json.loads(args.out.read_text())
        if kept.get("profile") == args.profile:
            report["notebooks"] = kept["notebooks"]
    failed = []
    try:
        paths = runner.notebook_paths(args.notebooks)
    except ValueError as error:
        sys.exit(str(error))
    for path in paths:
        print(f"running {path.name} in the {args.profile} profile ...", file=sys.stderr,
              flush=True)
        try:
            report["notebooks"][path.stem] = result = run_notebook(path, outputs, args.executed)
        except CellExecutionError as error:  # go on: the other notebooks' figures still count
            failed.append(f"{path.name} failed; the cell's error:\n{error}")
            continue
        except (TooLarge, runner.CellTimeout) as error:
            failed.append(str(error))
            continue
        false = [claim for claim in result["claims"] if not claim["held"]]
        print(f"  {result['seconds']:.0f} s, peak memory {result['peak_memory_mb']} MB, "
              f"{len(result['figures'])} figures, {len(result['claims']) - len(false)} of "
              f"{len(result['claims'])} claims held", file=sys.stderr, flush=True)
        if false and args.profile != "smoke":
            failed.append(f"{path.name}: {len(false)} claim(s) did not hold:\n" + "\n".join(
                f"  - {claim['claim']} ({claim['figures']})" for claim in false))
        if args.pictures:
            args.pictures.mkdir(parents=True, exist_ok=True)
            for name in result["pictures"]:
                shutil.copy(outputs / "figures" / name, args.pictures / name)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    if failed:
        sys.exit("\n\n".join(failed))


if __name__ == "__main__":
    main()
