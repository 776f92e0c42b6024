"""Notebook 04's recipe over seeds: the Fréchet distance and the ten class shares, per seed, with
their mean and spread.

Each run executes notebook 04 itself (``gan_helpers.course.runner``) in a profile (``quick`` by
default) with ``hp.seed`` set to one seed, and reads what the notebook measured: the Fréchet
distance to 10,000 real test images on the scorer's features, its real-vs-real baseline, and the
share of each kind of clothing among 10,000 generated images. ``--set name=value`` changes more
hyperparameters (to compare recipes). Runs stop after the scoring cell, work in a fresh course
folder each (the data read from this one) and share this folder's scorer, trained first if there is
none.

Runs go ``--jobs`` at a time with one CPU thread each (a quality study, not a timing: each run takes
about twice as long as the notebook alone).

.venv/bin/python bench/fashion_gan_seeds.py [--seeds 1 2 3] [--set epochs=12 batch_size=64] [--json
FILE]"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from timing import in_parallel

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_fashion_mnist_gan.ipynb"


def run(job: tuple[int, dict, str, str]) -> dict:
    seed, changes, profile, scorer = job
    os.environ["GAN_PROFILE"] = profile
    with tempfile.TemporaryDirectory(prefix="fashion-seed-") as root:
        os.environ["GAN_COURSE_ROOT"] = root
        from gan_helpers import data, settings
        from gan_helpers.course import runner

        shutil.copy(scorer, settings.output_dir() / "fashion_scorer.pt")
        start = time.perf_counter()
        namespace = runner.run_cells(NOTEBOOK, {"seed": seed, **changes},
                                     until=lambda ns: "shares" in ns)
        shares = namespace["shares"].tolist()
        return {"seed": seed, "seconds": round(time.perf_counter() - start, 1),
                "frechet_distance": round(namespace["fid_generated"], 2),
                "frechet_baseline": round(namespace["fid_baseline"], 3),
                "shares": dict(zip(data.FASHION_CLASSES, [round(s, 4) for s in shares])),
                "smallest_share": round(min(shares), 4)}


def spread(values: list[float]) -> str:
    deviation = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"mean {statistics.mean(values):.3f}, standard deviation {deviation:.3f}, " \
           f"range {min(values):.3f} to {max(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                        help="hyperparameters to change, e.g. epochs=12 g_lr=2e-4")
    parser.add_argument("--profile", default="quick", choices=["smoke", "quick", "full"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if any("=" not in pair for pair in args.set):
        parser.error("--set takes NAME=VALUE pairs, such as epochs=12 g_lr=2e-4")
    changes = {name: ast.literal_eval(value) for name, value in (pair.split("=", 1)
                                                                   for pair in args.set)}
    os.environ["GAN_PROFILE"] = args.profile
    os.environ.setdefault("GAN_DATA_DIR", str(NOTEBOOK.parent.parent / "data"))
    import torch

    from gan_helpers import scorers, settings

    scorers.fashion_scorer(torch.device("cpu"))  # trained once here, shared by every run
    scorer = settings.output_dir() / "fashion_scorer.pt"
    runs = in_parallel(run, [(seed, changes, args.profile, scorer) for seed in args.seeds],
                       args.jobs)
    print(f"\nnotebook 04, profile {args.profile}, changes {changes or 'none'}, "
          f"torch {torch.__version__}")
    for result in runs:
        shares = ", ".join(f"{name} {share:.1%}" for name, share in result["shares"].items())
        print(f"seed {result['seed']}: Fréchet distance {result['frechet_distance']:.2f} "
              f"(baseline {result['frechet_baseline']:.2f}); smallest share "
              f"{result['smallest_share']:.1%}; {result['seconds']:.0f} s\n  {shares}")
    print("Fréchet distance:", spread([r["frechet_distance"] for r in runs]))
    print("smallest class share:", spread([r["smallest_share"] for r in runs]))
    if args.json:
        args.json.write_text(json.dumps({"profile": args.profile, "changes": changes,
                                         "runs": runs}, indent=1) + "\n")


if __name__ == "__main__":
    main()
