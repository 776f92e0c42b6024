"""Do a notebook's claims hold on other seeds? Each notebook run top to bottom per seed, its claims
and headline figures.

Each run executes a notebook itself (``gan_helpers.course.runner``) in a profile (``quick`` by
default) with ``hp.seed`` set to one seed, in a fresh course folder (the data read from this one;
notebook 04 scores with this folder's shipped scorer, ``pretrained/fashion_scorer.pt``, so that
distances compare), and reads what the notebook recorded: every ``claim`` it checked, whether it
held, and the figures of ``results.record``. A claim that holds on one seed only is a claim about
that seed. Prints a table per notebook and, with ``--json``, writes every run; exits 1 if any claim
did not hold (except in ``smoke``, where claims are never enforced). Runs go ``--jobs`` at a
time with one CPU thread each (a quality study, not a timing).

.venv/bin/python bench/notebook_seeds.py [--notebooks 02 03 04] [--seeds 1 2 3] \
    [--json FILE]"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from timing import in_parallel

ROOT = Path(__file__).resolve().parent.parent


def run(job: tuple[Path, int, str]) -> dict:
    """One notebook, one seed, in a fresh course folder: its claims and figures."""
    path, seed, profile = job
    prefix = path.name[:2]
    os.environ["GAN_PROFILE"] = profile
    with tempfile.TemporaryDirectory(prefix=f"seeds-{prefix}-") as root:
        os.environ["GAN_COURSE_ROOT"] = root
        from gan_helpers import settings
        from gan_helpers.course import runner

        scorer = ROOT / "pretrained" / "fashion_scorer.pt"
        if prefix == "04" and scorer.is_file():
            settings.output_dir().mkdir(parents=True, exist_ok=True)
            shutil.copy(scorer, settings.output_dir() / "fashion_scorer.pt")
        start = time.perf_counter()
        runner.run_cells(path, {"seed": seed})
        recorded = settings.output_dir() / "results" / f"{prefix}.json"
        figures = json.loads(recorded.read_text()) if recorded.is_file() else {}
        return {"notebook": path.stem, "seed": seed,
                "seconds": round(time.perf_counter() - start, 1),
                "claims": figures.pop("claims", []), "figures": figures}


def table(runs: list[dict]) -> str:
    """Markdown: one row per claim, one column per seed (held, and its figures)."""
    seeds = sorted({run["seed"] for run in runs})
    lines = [f"| claim | {' | '.join(f'seed {seed}' for seed in seeds)} |",
             "|---|" + "---|" * len(seeds)]
    statements = list(dict.fromkeys(c["claim"] for run in runs for c in run["claims"]))
    by_seed = {run["seed"]: {c["claim"]: c for c in run["claims"]} for run in runs}
    for statement in statements:
        cells = []
        for seed in seeds:
            found = by_seed[seed].get(statement)
            if found is None:
                cells.append("not made")
                continue
            figures = ", ".join(f"{name} {value}" for name, value in found["figures"].items())
            cells.append(f"{'held' if found['held'] else '**did not hold**'} ({figures})")
        lines.append(f"| {statement.replace('|', chr(92) + '|')} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", nargs="+", default=["02", "03", "04"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--profile", default="quick", choices=["smoke", "quick", "full"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write every run to this file")
    args = parser.parse_args()
    os.environ["GAN_PROFILE"] = args.profile
    os.environ.setdefault("GAN_DATA_DIR", str(ROOT / "data"))
    from gan_helpers.course import runner

    try:
        paths = runner.notebook_paths(args.notebooks)
    except ValueError as error:
        sys.exit(str(error))
    jobs = [(path, seed, args.profile) for path in paths for seed in args.seeds]
    runs = in_parallel(run, jobs, args.jobs)
    import torch

    false = 0
    for path in paths:
        mine = [run for run in runs if run["notebook"] == path.stem]
        false += sum(not c["held"] for run in mine for c in run["claims"])
        print(f"\n{mine[0]['notebook']}, profile {args.profile}, torch {torch.__version__}, "
              f"seconds per run: {', '.join(str(run['seconds']) for run in mine)}\n")
        print(table(mine))
    if args.json:
        args.json.write_text(json.dumps({"profile": args.profile, "runs": runs}, indent=1) + "\n")
    if false and args.profile != "smoke":  # smoke trains too little: its claims are not enforced
        sys.exit(f"{false} claim(s) did not hold on some seed: see the table")


if __name__ == "__main__":
    main()
