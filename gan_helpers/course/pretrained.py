"""The trained models that ship with the course, in ``pretrained/``: ``make pretrained`` (``python
-m gan_helpers.course.pretrained``) copies them there from the ``files/`` folder of a ``quick`` run
(``make results``), so that a class can set ``hp.train = False`` and go straight to the sliders
without training. Nothing else writes there: a learner's own runs save to ``files/``, which
``settings.trained_dirs`` reads first.

Each file keeps the trained weights exactly (float32, so that the figures a notebook measures on
them are the ones recorded) and the run's history; the pictures of its progress (``snapshots``)
are kept in half precision. ``pretrained/runs.json`` says which run made each file: notebook,
profile, date, epochs, the figures it measured, the course's commit (its notebooks set the seeds
and every other value of the run), and the versions and machine; ``pretrained/README.md`` says
the same as a table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import subprocess
import sys
from pathlib import Path

import torch
import torchvision

from .. import settings
from ..checkpoints import save_atomically
from .storage import writing

# what each notebook loads with hp.train = False: its generators, and the scorers whose figures
# must be comparable across machines
FILES = {
    "02": ["shape_generator.pt", "shape_generator_book.pt", "shape_generator_book_best.pt"],
    "03": ["number_generator.pt", "number_generator_book.pt", "number_generator_book_best.pt"],
    "04": ["fashion_generator.pt", "fashion_scorer.pt"],
    "06": ["dcgan_generator.pt", "face_classifier_06.pt"],
    "07": ["cgan_generator.pt", "face_classifier_07.pt"],
}
PROFILE = "quick"  # the profile the shipped models were trained in (settings.trained_dirs)


class PretrainedError(RuntimeError):
    """The files to ship are missing, or were not made by a ``quick`` run."""


def _half_snapshots(info: dict) -> dict:
    snapshots = info.get("snapshots")
    if isinstance(snapshots, dict):
        info = {**info, "snapshots": {epoch: images.half() for epoch, images in snapshots.items()}}
    return info


def ship(source: Path, target: Path) -> dict[str, dict]:
    """Copy the files of ``FILES`` from ``source`` (a quick run's ``files/``) to ``target``; returns
    what ``runs.json`` records. Checks every file first, so that a refusal writes nothing."""
    wanted = [(notebook, name) for notebook, names in FILES.items() for name in names]
    missing = [name for _, name in wanted if not (source / name).is_file()]
    if missing:
        raise PretrainedError(f"{source} lacks {', '.join(missing)}: run `make results` (the "
                              "notebooks in quick) first, then `make pretrained`.")
    checkpoints = {name: torch.load(source / name, map_location="cpu", weights_only=True)
                   for _, name in wanted}
    for name, checkpoint in checkpoints.items():
        profile = checkpoint["info"].get("profile", PROFILE)  # scorers do not record one
        if profile != PROFILE:
            raise PretrainedError(f"{source / name} was trained in the {profile} profile; the "
                                  f"course ships {PROFILE} models: run `make results`.")
    target.mkdir(parents=True, exist_ok=True)
    runs = {}
    for notebook, name in wanted:
        checkpoint = checkpoints[name]
        info = _half_snapshots(checkpoint["info"])
        save_atomically({**checkpoint, "info": info}, target / name)
        data = (target / name).read_bytes()
        runs[name] = {
            "notebook": notebook, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            **{key: info[key] for key in ("profile", "date", "epochs", "dataset", "recipe",
                                          "figures", "test_accuracy", "held_out_accuracy")
               if key in info}}
    return runs


def _commit(root: Path) -> str:
    """The course's git commit (with "+changes" if the working tree differs), or "unknown"."""
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no", "--", "notebooks", "gan_helpers"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def readme(record: dict) -> str:
    """``pretrained/README.md``: the shipped files as a table, from ``runs.json``."""
    made = record["made_with"]
    lines = ["# Trained models that ship with the course", "",
             "Written by `make pretrained` from the `files/` of a `quick` run (`make results`);",
             "nothing else writes here. With `hp.train = False`, a notebook in `quick` loads these",
             "when the learner has none of their own in `files/` (see the README, \"Explore",
             "without training\"). Weights are float32, exactly as trained; the progress",
             "pictures are half precision.", "",
             f"Made at course commit `{record['course_commit']}` with torch {made['torch']},",
             f"torchvision {made['torchvision']}, Python {made['python']} on {made['machine']}.",
             "", "| file | notebook | MB | profile | epochs | date | figures the run measured |",
             "|---|---|---|---|---|---|---|"]
    for name, run in record["files"].items():
        figures = run.get("figures") or {
            key: run[key] for key in ("test_accuracy", "held_out_accuracy") if key in run}
        shown = ", ".join(f"{key} {value:.4g}" if isinstance(value, float) else f"{key} {value}"
                          for key, value in figures.items())
        lines.append(f"| `{name}` | {run['notebook']} | {run['bytes'] / 1e6:.2f} | "
                     f"{run.get('profile', '')} | {run.get('epochs', '')} | "
                     f"{run.get('date', '')} | {shown} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``make pretrained``: ship the quick run's models in ``pretrained/``, or say why not."""
    parser = argparse.ArgumentParser(prog="python -m gan_helpers.course.pretrained",
                                     description=__doc__.split("\n\n")[0])
    root = settings.project_root()
    parser.add_argument("--source", type=Path, default=root / "files",
                        help="the files/ folder of a quick run (default: %(default)s)")
    parser.add_argument("--target", type=Path, default=root / "pretrained")
    args = parser.parse_args(argv)
    try:
        runs = ship(args.source, args.target)
    except PretrainedError as error:
        print(f"make pretrained: {error}", file=sys.stderr)
        return 2
    record = {"made_with": {"torch": torch.__version__, "torchvision": torchvision.__version__,
                            "python": platform.python_version(), "machine": platform.machine(),
                            "processor": platform.processor() or platform.machine()},
              "course_commit": _commit(root), "files": runs}
    texts = {"runs.json": json.dumps(record, indent=1, ensure_ascii=False, default=str) + "\n",
             "README.md": readme(record)}
    for name, text in texts.items():
        with writing(args.target / name, then="run `make pretrained` again") as file:
            file.write(text.encode())
    for name, run in runs.items():
        print(f"{name:<26} notebook {run['notebook']}  {run['bytes'] / 1e6:6.2f} MB")
    total = sum(run["bytes"] for run in runs.values())
    print(f"{len(runs)} files, {total / 1e6:.1f} MB, in {args.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
