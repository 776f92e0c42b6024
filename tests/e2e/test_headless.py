"""Headless runs never hang the course's commands: a cell that runs past its limit stops the run
with an error naming the notebook and the cell (gan_helpers.course.runner.execute, which
``make results``, ``bench/time_to_sliders.py`` and ``editions outputs`` use), and
``bench/headless_runs.py`` counts a run over its limit as a hang, kills all of it, keeps its log."""

import importlib.util
import json
import subprocess
import sys

import nbformat
import pytest

from gan_helpers.course import runner

from support import ROOT

_spec = importlib.util.spec_from_file_location("headless_runs", ROOT / "bench" / "headless_runs.py")
headless_runs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(headless_runs)


def test_a_cell_past_its_limit_names_the_notebook_and_the_cell(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("a stuck cell below"), nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("import time\ntime.sleep(60)  # stuck")])
    with pytest.raises(runner.CellTimeout) as error:
        runner.execute(notebook, tmp_path, timeout=3, name="09_stuck.ipynb")
    message = str(error.value)
    assert message.startswith("09_stuck.ipynb, code cell 2 (cell 2 of the file, `import time`): "
                              "it ran over 3 s and was stopped")
    assert "bench/README.md" in message


def test_a_run_over_its_limit_is_a_hang_and_nothing_of_it_is_left(tmp_path, monkeypatch):
    monkeypatch.setattr(headless_runs, "command", lambda *args: [
        sys.executable, "-c", "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        "print('started', flush=True); time.sleep(120)"])
    log = tmp_path / "run.log"
    result = headless_runs.run_once("nbclient", sys.executable,
                                    ROOT / "notebooks" / "02_shape_gan.ipynb", 300, 3, log)
    assert result["outcome"] == "hang" and result["notebook"] == "02"
    assert "over the run limit of 3 s" in log.read_text() and "started" in log.read_text()
    children = subprocess.run(["pgrep", "-f", "time.sleep\\(120\\)"], capture_output=True,
                              text=True).stdout.split()
    assert children == [], "a process of the run was left behind"


def test_the_table_counts_hangs_per_notebook(tmp_path):
    runs = [{"notebook": "02", "outcome": "ok"}, {"notebook": "02", "outcome": "hang"},
            {"notebook": "06", "outcome": "failed"}]
    report = {"client": "nbval", "label": "today", "summary": headless_runs.summary(runs),
              "versions": {"ipykernel": "7.4.0", "jupyter_client": "8.10.0",
                           "nbclient": "0.11.0", "nbval": "0.11.0"}}
    (tmp_path / "a.json").write_text(json.dumps(report))
    row = headless_runs.table([tmp_path / "a.json"]).splitlines()[-1]
    assert row == "| today | nbval | 7.4.0 | 3 | 1 | 1 | 02: 1/2, 06: 0/1 |"
