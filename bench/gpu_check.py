"""The course on a CUDA GPU, checked in one command: the unit tests (the CUDA ones run there), the
speed benchmark, and every notebook top to bottom in the ``full`` profile; one JSON summary.

``--cap`` shortens the trainings (fewer epochs and images, listed in the summary) so that the
whole check fits in about 8 minutes on an H200; for each notebook the summary then also estimates
the uncapped time, scaling the training cells' measured times by how much work the caps removed.
Without ``--cap`` the notebooks run at the book's size, exercises at their default lengths.

The machine needs PyTorch with CUDA, torchvision, torchmetrics, matplotlib and tqdm; the rest
(Jupyter's kernel and client, ipywidgets, pytest, nbval) can come as wheels, and Fashion-MNIST as
its four .gz files, with no network: ``bench/gpu_bundle.sh`` gathers both on a machine that has
one. On a machine without CUDA the check refuses, unless ``--smoke`` asks it to run its steps in
the ``smoke`` profile on the CPU (to try the command itself).

    python3 bench/gpu_check.py --fashion-mnist .fmnist --cap --out gpu.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the caps of a short run: per notebook, the changed hyperparameters and how much of the full
# work the training cells then do (the estimate of the uncapped time divides by it)
CAPS = {
    "01": ({}, 1.0),
    "02": ({"epochs": 1_000, "course_epochs": 400, "sine_epochs": 200}, 0.2),
    "03": ({}, 1.0),
    "04": ({"epochs": 5, "exercise_epochs": 1}, 0.1),
    "05": ({}, 1.0),
    "06": ({"images": 12_800, "epochs": 2, "exercise_epochs": 1}, 0.02),
    "07": ({"images": 800, "epochs": 2, "exercise_epochs": 1}, 0.0036),
}
TRAINING = ("train_gan(", "fit_classifier(", "train_course_gan(")
NOTEBOOK_TIMEOUT = 3600  # seconds for one cell: a stuck cell fails the notebook, not the check


def run(command: list[str], env: dict, timeout: int) -> tuple[int, str, float]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=timeout)
    return done.returncode, (done.stdout + done.stderr)[-4000:], time.perf_counter() - start


def run_notebook(path: Path, changes: dict, env: dict) -> dict:
    """Execute a notebook with ``changes`` to its table (a cell after the table's); its time, its
    training cells' time, and the figures it recorded."""
    import nbformat

    from gan_helpers import settings
    from gan_helpers.course import runner

    os.environ.update(env)
    notebook = nbformat.read(path, as_version=4)
    if changes:
        table = next(i for i, c in enumerate(notebook.cells) if "settings.choose(" in c.source)
        lines = [f"hp.{name} = {value!r}" for name, value in changes.items()]
        notebook.cells.insert(table + 1, nbformat.v4.new_code_cell("\n".join(lines)))
    start = time.perf_counter()
    runner.execute(notebook, path.parent, timeout=NOTEBOOK_TIMEOUT, name=path.name)
    seconds = time.perf_counter() - start
    training = 0.0
    for cell in notebook.cells:
        timing = cell.metadata.get("execution", {})
        if cell.cell_type == "code" and any(word in cell.source for word in TRAINING) and timing:
            began = datetime.datetime.fromisoformat(timing["iopub.execute_input"].rstrip("Z"))
            ended = datetime.datetime.fromisoformat(timing["shell.execute_reply"].rstrip("Z"))
            training += (ended - began).total_seconds()
    figures = settings.output_dir() / "results" / f"{path.name[:2]}.json"
    return {"seconds": round(seconds, 1), "training_seconds": round(training, 1),
            "figures": json.loads(figures.read_text()) if figures.is_file() else {}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fashion-mnist", type=Path, help="a folder with the four .gz files")
    parser.add_argument("--cap", action="store_true", help="a short run (about 8 minutes)")
    parser.add_argument("--smoke", action="store_true", help="without CUDA: the smoke profile")
    parser.add_argument("--notebooks", nargs="*", default=list(CAPS), choices=list(CAPS),
                        help="e.g. 04 07")
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--out", type=Path, help="write the summary here too")
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available() and not args.smoke:
        print("This check measures the course on a CUDA GPU, and PyTorch sees none here "
              f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'no'}). Run it on "
              "a CUDA machine, or add --smoke to try its steps in the smoke profile on the CPU.",
              file=sys.stderr)
        return 2
    profile = "smoke" if args.smoke else "full"
    env = {**os.environ, "GAN_PROFILE": profile, "GAN_COURSE_ROOT": str(ROOT),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "TQDM_DISABLE": "1", "PYTHONUNBUFFERED": "1"}
    sys.path.insert(0, str(ROOT))
    from gan_helpers.course import prepare

    print(f"Fashion-MNIST ready in {prepare.prepare_fashion_mnist(system_dir=args.fashion_mnist)}")
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    summary: dict = {"device": device, "torch": torch.__version__, "profile": profile,
                     "capped": args.cap}
    failed: list[str] = []
    try:
        if not args.skip_tests:
            code, tail, seconds = run([sys.executable, "-m", "pytest", "tests", "-m", "not e2e",
                                       "-q", "-p", "no:cacheprovider"], env, timeout=1200)
            summary["unit_tests"] = {"exit_code": code, "seconds": round(seconds, 1),
                                     "result": tail.strip().splitlines()[-1] if tail else ""}
            print(f"unit tests: {summary['unit_tests']['result']} ({seconds:.0f} s)", flush=True)
            if code:
                failed.append("unit tests")
        if not args.skip_speed:
            steps = ["04=300", "06=10", "07=10"] if args.cap or args.smoke else []
            speed_json = ROOT / "files" / "gpu_speed.json"
            speed_json.parent.mkdir(exist_ok=True)
            code, tail, seconds = run([sys.executable, "bench/speed.py", "--steps", *steps,
                                       "--json", str(speed_json)], env, timeout=3600)
            summary["speed"] = json.loads(speed_json.read_text()) if code == 0 else {"error": tail}
            print(tail, flush=True)
            if code:
                failed.append("bench/speed.py")
        summary["notebooks"] = {}
        from gan_helpers.course import runner

        for path in runner.notebook_paths(args.notebooks):
            changes, share = CAPS[path.name[:2]] if args.cap else ({}, 1.0)
            try:
                result = run_notebook(path, changes, env)
            except Exception as error:  # a failing or stuck cell: record it, check the rest
                summary["notebooks"][path.stem] = {"error": f"{type(error).__name__}: "
                                                            f"{str(error)[-2000:]}"}
                failed.append(path.name)
                print(f"{path.name}: FAILED ({type(error).__name__})", flush=True)
                continue
            if args.cap:
                result["caps"] = changes
                extra = result["training_seconds"] * (1 / share - 1)
                result["uncapped_estimate_seconds"] = round(result["seconds"] + extra)
            summary["notebooks"][path.stem] = result
            print(f"{path.name}: {result['seconds']:.0f} s", flush=True)
        if args.cap and not failed:
            total = sum(r["uncapped_estimate_seconds"] for r in summary["notebooks"].values())
            summary["uncapped_estimate_seconds"] = total
    except subprocess.TimeoutExpired as error:
        failed.append(f"{error.cmd[1:3]} ran past {error.timeout} s")
    finally:
        summary["failed"] = failed
        text = json.dumps(summary, indent=1)
        print(text)
        if args.out:
            args.out.write_text(text + "\n")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
