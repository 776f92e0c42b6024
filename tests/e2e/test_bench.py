"""The benchmark commands run and report what they say, and the book-style reference loops of
bench/speed.py take the optimizer steps the book's loops take."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from gan_helpers import models

from support import ROOT

BENCH = ROOT / "bench"


def bench_module(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py",
                                                  submodule_search_locations=[str(BENCH)])
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCH))  # bench scripts import their neighbour timing.py
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_book_style_gan_loop_takes_three_optimizer_steps_per_batch():
    speed = bench_module("speed")
    torch.manual_seed(0)
    G, D = models.fashion_generator()[:-1], models.fashion_discriminator()[1:]
    g_opt, d_opt = torch.optim.Adam(G.parameters()), torch.optim.Adam(D.parameters())
    loader = DataLoader(TensorDataset(torch.rand(12, 1, 28, 28), torch.zeros(12)), batch_size=4)
    speed.book_style_gan(G, D, loader, g_opt, d_opt, torch.device("cpu"), steps=2,
                         reshape=lambda x: x.reshape(-1, 28 * 28))
    assert d_opt.state[D[0].weight]["step"] == 4  # D: real, then fakes, per batch
    assert g_opt.state[G[0].weight]["step"] == 2


def test_book_style_wgan_gp_loop_takes_five_critic_steps_per_generator_step():
    speed = bench_module("speed")
    torch.manual_seed(0)
    G = models.conditional_generator(features=4, image_size=32)
    C = models.wgan_critic(features=4, image_size=32)
    g_opt, c_opt = torch.optim.Adam(G.parameters()), torch.optim.Adam(C.parameters())
    loader = DataLoader(TensorDataset(torch.rand(8, 3, 32, 32), torch.tensor([0, 1] * 4)),
                        batch_size=4)
    speed.book_style_wgan_gp(G, C, loader, g_opt, c_opt, torch.device("cpu"), steps=1)
    assert c_opt.state[C[0].weight]["step"] == 5
    assert g_opt.state[G[0].weight]["step"] == 1


def test_speed_command_times_both_loops_and_prints_the_ratio(tmp_path):
    out = tmp_path / "speed.json"
    run = subprocess.run([sys.executable, str(BENCH / "speed.py"), "--notebooks", "04", "--steps",
                          "04=3", "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "ratio book/course" in run.stdout and "torch " in run.stdout
    figures = json.loads(out.read_text())
    assert figures["04"]["steps"] == 3 and figures["04"]["batch"] == 32
    assert figures["04"]["book_s"] > 0 and figures["04"]["course_s"] > 0
    ratio = figures["04"]["book_s"] / figures["04"]["course_s"]
    assert figures["04"]["ratio"] == pytest.approx(ratio, rel=0.02)


def test_speed_command_rejects_malformed_steps():
    run = subprocess.run([sys.executable, str(BENCH / "speed.py"), "--steps", "six"],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "NB=N pairs" in run.stderr


def test_notebook_seeds_runs_a_notebook_per_seed_and_tables_its_claims(tmp_path):
    out = tmp_path / "seeds.json"
    run = subprocess.run([sys.executable, str(BENCH / "notebook_seeds.py"), "--notebooks", "03",
                          "--seeds", "1", "2", "--profile", "smoke", "--json", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr  # smoke: claims are tabled, never enforced
    runs = json.loads(out.read_text())["runs"]
    assert [r["seed"] for r in runs] == [1, 2]
    assert all(r["claims"] and r["figures"]["validity"] >= 0 for r in runs)
    assert "| claim | seed 1 | seed 2 |" in run.stdout
    assert runs[0]["figures"] != runs[1]["figures"]  # the seed reached the notebook


def test_results_command_runs_a_notebook_and_collects_what_it_made(tmp_path):
    out, pictures, executed = tmp_path / "results.json", tmp_path / "pictures", tmp_path / "read"
    run = subprocess.run([sys.executable, str(BENCH / "results.py"), "--profile", "smoke",
                          "--notebooks", "03", "--pictures", str(pictures), "--out", str(out),
                          "--executed", str(executed)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["profile"] == "smoke" and "torch" in report["machine"]
    result = report["notebooks"]["03_number_pattern_gan"]
    assert result["seconds"] > 0 and result["peak_memory_mb"] > 100
    assert {"validity", "coverage", "total_variation"} <= set(result["figures"])
    assert result["pictures"] == ["03_histogram.png"]
    assert (pictures / "03_histogram.png").stat().st_size > 1000
    notebook = json.loads((executed / "03_number_pattern_gan.ipynb").read_text())
    images = [output for cell in notebook["cells"] for output in cell.get("outputs", [])
              if "image/png" in output.get("data", {})]
    assert images, "the executed notebook keeps its figures"
    # with the generator it saved, the notebook reaches its sliders without training
    run = subprocess.run([sys.executable, str(BENCH / "time_to_sliders.py"), "--profile", "smoke",
                          "--notebooks", "03"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    seconds = json.loads(run.stdout)["seconds_to_sliders"]["03_number_pattern_gan"]
    assert 0 < seconds < result["seconds"] + 60


def test_time_to_sliders_stops_at_the_first_explorer_and_does_not_train():
    path = ROOT / "notebooks" / "04_fashion_mnist_gan.ipynb"
    cells = [cell.source for cell in bench_module("time_to_sliders").up_to_the_sliders(path).cells
             if cell.cell_type == "code"]
    table = next(i for i, source in enumerate(cells) if "settings.choose(" in source)
    assert cells[table + 1] == "hp.train = False"
    assert "_explorer(" in cells[-1] and not any("_explorer(" in s for s in cells[:-1])


def test_results_command_names_the_notebooks_when_one_is_unknown():
    run = subprocess.run([sys.executable, str(BENCH / "results.py"), "--profile", "smoke",
                          "--notebooks", "09"], capture_output=True, text=True)
    assert run.returncode != 0 and "starts with 09" in run.stderr
    assert "01_classifier" in run.stderr


def test_gpu_check_refuses_without_cuda_and_says_how_to_try_it():
    run = subprocess.run([sys.executable, str(BENCH / "gpu_check.py"), "--cap"],
                         capture_output=True, text=True, env={**os.environ,
                                                              "CUDA_VISIBLE_DEVICES": ""})
    assert run.returncode == 2
    assert "CUDA GPU" in run.stderr and "--smoke" in run.stderr


def test_gpu_check_runs_its_steps_in_smoke_on_the_cpu(tmp_path):
    summary = tmp_path / "gpu.json"
    run = subprocess.run([sys.executable, str(BENCH / "gpu_check.py"), "--smoke", "--skip-tests",
                          "--skip-speed", "--notebooks", "05", "--out", str(summary)],
                         capture_output=True, text=True, env={**os.environ,
                                                              "CUDA_VISIBLE_DEVICES": ""})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(summary.read_text())
    assert result["profile"] == "smoke" and result["failed"] == []
    assert result["notebooks"]["05_conv_transposed_conv_batchnorm"]["seconds"] > 0
