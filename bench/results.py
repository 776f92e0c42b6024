"""Each notebook trained in one profile, and what it measured, as JSON: the README's results table.

Runs the notebooks top to bottom, one after the other, each in a fresh kernel (as Run All does) with
GAN_PROFILE set, and prints one JSON object: the profile, the machine and, per notebook, its wall time
and the figures it kept with ``metrics.record``. ``--pictures DIR`` also copies the pictures the
notebooks saved with ``plotting.save_figure`` into DIR. The README's results come from

    make results        # = .venv/bin/python bench/results.py --profile quick --pictures docs/results/quick --out docs/results/quick/results.json

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
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from gan_helpers import settings
from timing import describe_machine  # bench/timing.py, beside this script

NOTEBOOKS = settings.project_root() / "notebooks"


def notebook_paths(prefixes: list[str] | None) -> list[Path]:
    """The course's notebooks, or those whose names start with one of ``prefixes`` (e.g. "04")."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        unknown = [p for p in prefixes if not any(path.name.startswith(p) for path in paths)]
        if unknown:
            sys.exit(f"no notebook starts with {', '.join(unknown)}; the notebooks are: "
                     + ", ".join(path.name for path in paths))
        paths = [path for path in paths if any(path.name.startswith(p) for p in prefixes)]
    return paths


def run_notebook(path: Path, outputs: Path) -> dict:
    """Execute one notebook in a fresh kernel; its wall time, recorded figures and saved pictures."""
    key = path.name[:2]
    recorded = outputs / "results" / f"{key}.json"
    recorded.unlink(missing_ok=True)
    for old in (outputs / "figures").glob(f"{key}_*.png"):
        old.unlink()
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=None, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 1),
            "figures": json.loads(recorded.read_text()) if recorded.is_file() else {},
            "pictures": sorted(p.name for p in (outputs / "figures").glob(f"{key}_*.png"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", required=True, choices=settings.PROFILES)
    parser.add_argument("--notebooks", nargs="+", help="name prefixes, e.g. 01 04 (default: all seven)")
    parser.add_argument("--pictures", type=Path, help="copy the notebooks' saved pictures into this folder")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file (other notebooks' entries "
                                                 "already there for the same profile are kept)")
    args = parser.parse_args()
    os.environ["GAN_PROFILE"] = args.profile  # read by the kernels, which inherit the environment
    outputs = settings.output_dir()
    report = {"profile": args.profile, "machine": describe_machine(settings.get_device()), "notebooks": {}}
    if args.out and args.out.is_file():  # keep the other notebooks' latest runs in the same profile
        kept = json.loads(args.out.read_text())
        if kept.get("profile") == args.profile:
            report["notebooks"] = kept["notebooks"]
    failed = None
    for path in notebook_paths(args.notebooks):
        print(f"running {path.name} in the {args.profile} profile ...", file=sys.stderr, flush=True)
        try:
            report["notebooks"][path.stem] = result = run_notebook(path, outputs)
        except CellExecutionError as error:
            failed = f"{path.name} failed; the cell's error:\n{error}"
            break
        print(f"  {result['seconds']:.0f} s, {len(result['figures'])} figures", file=sys.stderr, flush=True)
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
        sys.exit(failed)


if __name__ == "__main__":
    main()
