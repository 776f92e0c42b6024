"""How often a headless run of the widget notebooks hangs: each notebook run top to bottom in the
``smoke`` profile, many times, in a fresh process each time, through nbclient (the course's
``runner.execute``, as ``make results`` runs them) or through nbval (as ``make test`` runs them).

A run that is not over after ``--run-timeout`` seconds, or in which a cell waited ``--cell-timeout``
seconds (its client gave up, or found the reply only when its wait ran out: no cell needs a tenth
of that in ``smoke``), counts as a hang; its output and, where ``py-spy`` is on the PATH, the
stacks of the client and kernel processes go to ``--logs``, then every process of the run is
killed. Other failures count apart. Prints a summary line per notebook and, with ``--out``, writes
every run as JSON (``--table A.json B.json`` prints the README's table from such files). The
packages that decide the outcome (ipykernel, jupyter_client, nbclient, nbval, pyzmq, tornado,
ipywidgets) are read from ``--python``, the interpreter that runs client and kernel: to measure
another ipykernel, make an environment with it (bench/README.md, "Headless runs").

    .venv/bin/python bench/headless_runs.py --client nbclient --runs 52 --parallel 2 \\
        --out bench/headless/nbclient-ipykernel7.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET_NOTEBOOKS = ["02", "04", "06", "07"]
PACKAGES = ["ipykernel", "jupyter_client", "nbclient", "nbval", "pyzmq", "tornado", "ipywidgets",
            "comm", "matplotlib-inline"]
# the course's runner, as bench/results.py calls it (argv: notebook, per-cell timeout)
NBCLIENT = ("import sys, nbformat\nfrom pathlib import Path\n"
            "from gan_helpers.course import runner\n"
            "path = Path(sys.argv[1])\n"
            "runner.execute(nbformat.read(path, as_version=4), path.parent, "
            "timeout=int(sys.argv[2]), name=path.name)\n")
# nbclient as it comes, as the course's runner called it before it looked again for messages
NBCLIENT_PLAIN = ("import sys, nbformat\nfrom pathlib import Path\n"
                  "from nbclient import NotebookClient\n"
                  "path = Path(sys.argv[1])\n"
                  "NotebookClient(nbformat.read(path, as_version=4), timeout=int(sys.argv[2]), "
                  "kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}"
                  ").execute()\n")
CELL_TIMED_OUT = re.compile(r"ran over \d+ s and was stopped|Timeout of \d+ (seconds )?exceeded"
                            r"|Cell execution timed out")
WHICH_CELL = re.compile(r"code cell (\d+)|::Cell (\d+)")


def versions(python: str) -> dict[str, str]:
    """The versions of ``PACKAGES`` that ``python`` imports."""
    code = ("import importlib.metadata as m, json, sys\n"
            f"print(json.dumps({{p: m.version(p) for p in {PACKAGES!r}}} | "
            "{'python': sys.version.split()[0]}))")
    return json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True,
                                     check=True).stdout)


def command(client: str, python: str, path: Path, cell_timeout: int) -> list[str]:
    if client.startswith("nbclient"):
        code = NBCLIENT_PLAIN if client == "nbclient-plain" else NBCLIENT
        return [python, "-c", code, str(path), str(cell_timeout)]
    return [python, "-m", "pytest", str(path), "--nbval-lax", "--nbval-current-env",
            f"--nbval-cell-timeout={cell_timeout}", "-p", "no:cacheprovider", "-q"]


def _descendants(pid: int) -> list[int]:
    import psutil  # comes with ipykernel

    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _stacks(pids: list[int]) -> str:
    spy = shutil.which("py-spy")
    if spy is None:
        return "(no py-spy on the PATH: no stacks; `pip install py-spy` to get them)\n"
    dumps = []
    for pid in pids:
        done = subprocess.run([spy, "dump", "--pid", str(pid)], capture_output=True, text=True,
                              timeout=60)
        dumps.append(f"--- py-spy dump of {pid}\n{done.stdout}{done.stderr}")
    return "".join(dumps)


def run_once(client: str, python: str, path: Path, cell_timeout: int, run_timeout: int,
             log: Path, threads: int | None = None) -> dict:
    """One run in its own process group, its kernel on ``threads`` CPU threads (default: as
    PyTorch chooses); every process of it is gone when this returns."""
    env = {**os.environ, "GAN_PROFILE": "smoke", "PYTHONUNBUFFERED": "1"}
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    start = time.perf_counter()
    process = subprocess.Popen(command(client, python, path, cell_timeout), cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=run_timeout)
        outcome = ("ok" if process.returncode == 0
                   else "hang" if CELL_TIMED_OUT.search(output) else "failed")
    except subprocess.TimeoutExpired:
        pids = [process.pid, *_descendants(process.pid)]
        stacks = _stacks(pids)
        for pid in reversed(pids):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        output, _ = process.communicate()
        output += f"\n=== over the run limit of {run_timeout} s; stacks:\n{stacks}"
        outcome = "hang"
    seconds = round(time.perf_counter() - start, 1)
    if outcome == "ok" and seconds >= cell_timeout:  # a cell waited out its limit, then went on
        outcome = "hang"
        output += (f"\n=== ran {seconds} s, over the cell limit of {cell_timeout} s: a cell waited "
                   "that long, although no cell needs a tenth of it in smoke")
    cell = next((int(a or b) for a, b in WHICH_CELL.findall(output)), None)
    if outcome != "ok":
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(output)
    return {"notebook": path.name[:2], "outcome": outcome, "seconds": seconds,
            "cell": cell if outcome == "hang" else None,
            "log": str(log) if outcome != "ok" else None}


def run_all(args: argparse.Namespace) -> list[dict]:
    """``args.runs`` runs, round robin over the notebooks, ``args.parallel`` at a time but never
    two of one notebook at once (they would write the same files)."""
    paths = {path.name[:2]: path for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*"))}
    pending = [args.notebooks[i % len(args.notebooks)] for i in range(args.runs)]
    busy: set[str] = set()
    results: list[dict] = []
    ready = threading.Condition()

    def worker() -> None:
        while True:
            with ready:
                ready.wait_for(lambda: not pending or any(n not in busy for n in pending))
                if not pending:
                    return
                key = next(n for n in pending if n not in busy)
                pending.remove(key)
                busy.add(key)
                number = len(results) + len(busy)
            log = args.logs / f"{args.client}-{key}-run{number}.log"
            threads = max(1, (os.cpu_count() or 1) // args.parallel) if args.parallel > 1 else None
            result = run_once(args.client, args.python, paths[key], args.cell_timeout,
                              args.run_timeout, log, threads)
            with ready:
                busy.discard(key)
                results.append(result)
                print(f"{len(results):3d}/{args.runs} {paths[key].name}: {result['outcome']} "
                      f"({result['seconds']} s)", file=sys.stderr, flush=True)
                ready.notify_all()

    threads = [threading.Thread(target=worker) for _ in range(args.parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summary(results: list[dict]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for result in results:
        row = counts.setdefault(result["notebook"], {"runs": 0, "ok": 0, "hang": 0, "failed": 0})
        row["runs"] += 1
        row[result["outcome"]] += 1
    return dict(sorted(counts.items()))


def table(files: list[Path]) -> str:
    """The README's table: one row per file (client, versions), hangs of runs per notebook."""
    rows = ["| batch | client | ipykernel | runs | hangs | failed | hangs per notebook |",
            "|---|---|---|---|---|---|---|"]
    for file in files:
        data = json.loads(file.read_text())
        counts, version = data["summary"], data["versions"]
        total = {key: sum(row[key] for row in counts.values()) for key in ("runs", "hang",
                                                                            "failed")}
        per = ", ".join(f"{nb}: {row['hang']}/{row['runs']}" for nb, row in counts.items())
        rows.append(f"| {data.get('label', '')} | {data['client']} | {version['ipykernel']} "
                    f"| {total['runs']} | {total['hang']} | {total['failed']} | {per} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--client", choices=["nbclient", "nbclient-plain", "nbval"],
                        help="nbclient: the course's runner; nbclient-plain: nbclient as it comes")
    parser.add_argument("--notebooks", nargs="+", default=WIDGET_NOTEBOOKS)
    parser.add_argument("--runs", type=int, default=52, help="in all, round robin (default 52)")
    parser.add_argument("--parallel", type=int, default=1,
                        help="runs at once, the CPU's threads shared between them (default 1)")
    parser.add_argument("--cell-timeout", type=int, default=120, help="seconds (default 120)")
    parser.add_argument("--run-timeout", type=int, default=900, help="seconds (default 900)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter of client and kernel (default: this one)")
    parser.add_argument("--logs", type=Path, default=ROOT / "files" / "headless_runs")
    parser.add_argument("--out", type=Path, help="write every run as JSON")
    parser.add_argument("--table", type=Path, nargs="+", help="print the table of these files")
    parser.add_argument("--label", default="", help="what this batch runs, for the table (e.g. "
                        "which course code: PYTHONPATH=DIR makes the kernels import another)")
    args = parser.parse_args()
    if args.table:
        print(table(args.table))
        return 0
    if args.client is None:
        parser.error("--client nbclient or --client nbval (or --table FILES)")
    report = {"client": args.client, "label": args.label, "versions": versions(args.python),
              "cell_timeout": args.cell_timeout, "run_timeout": args.run_timeout,
              "parallel": args.parallel, "date": time.strftime("%Y-%m-%d %H:%M")}
    print(f"{args.runs} runs through {args.client} with {report['versions']}", file=sys.stderr)
    start = time.perf_counter()
    report["runs"] = run_all(args)
    report["minutes"] = round((time.perf_counter() - start) / 60, 1)
    report["summary"] = summary(report["runs"])
    for notebook, row in report["summary"].items():
        print(f"{notebook}: {row['hang']} hangs, {row['failed']} failed, of {row['runs']} runs")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
