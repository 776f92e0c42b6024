"""The speed work: the course's loops on every device there is, with the notebooks' speed switches; the
book-style reference loops of bench/speed.py; and the two bench commands (speed and results)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from torch.utils.data import DataLoader, TensorDataset

from gan_helpers import data, models, training

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
import speed  # noqa: E402  bench/speed.py

DEVICES = ["cpu",
           pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")),
           pytest.param("mps", marks=pytest.mark.skipif(not torch.backends.mps.is_available(), reason="no Apple MPS here"))]


def weights(module: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


@pytest.mark.parametrize("device", DEVICES)
def test_notebook_06_loop_trains_on_every_device_with_its_speed_switches(device):
    """Fused Adam, channels_last images and weights, the moving average: one epoch of train_gan on ``device``."""
    device = torch.device(device)
    torch.manual_seed(0)
    G = nn.Sequential(nn.Unflatten(1, (100, 1, 1)), models.dcgan_generator(features=4)).to(device, memory_format=torch.channels_last)
    D = nn.Sequential(models.InstanceNoise(0.5), models.dcgan_discriminator(features=4)).to(device, memory_format=torch.channels_last)
    images = (torch.rand(16, 3, 64, 64, device=device) * 2 - 1).contiguous(memory_format=torch.channels_last)
    g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999), fused=True)
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999), fused=True)
    average = AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(0.9), use_buffers=True)
    before_g, before_d = weights(G), weights(D)
    history, snapshots = training.train_gan(G, D, data.TensorLoader(images, batch_size=8, shuffle=True), g_opt, d_opt,
                                            1, 100, torch.randn(4, 100, device=device), 1, average)
    assert all(not torch.equal(a, b) for a, b in zip(before_g, weights(G)))
    assert all(not torch.equal(a, b) for a, b in zip(before_d, weights(D)))
    assert snapshots[1].shape == (4, 3, 64, 64) and torch.isfinite(snapshots[1]).all()
    assert all(torch.isfinite(torch.tensor(v)).all() for v in history.values())


@pytest.mark.parametrize("device", DEVICES)
def test_notebook_07_loop_trains_on_every_device_with_fused_adam(device):
    device = torch.device(device)
    torch.manual_seed(0)
    G = models.conditional_generator(features=4, image_size=32).to(device)
    C = models.wgan_critic(features=4, image_size=32).to(device)
    g_opt = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.0, 0.9), fused=True)
    c_opt = torch.optim.Adam(C.parameters(), lr=1e-4, betas=(0.0, 0.9), fused=True)
    loader = data.TensorLoader(torch.rand(8, 3, 32, 32, device=device) * 2 - 1,
                               torch.eye(2, device=device).repeat(4, 1), batch_size=4)
    before = weights(G)
    history, _ = training.train_wgan_gp(G, C, loader, g_opt, c_opt, 1, 100,
                                        training.generator_input(torch.randn(2, 100), torch.eye(2)).to(device), 1)
    assert all(not torch.equal(a, b) for a, b in zip(before, weights(G)))
    assert all(len(v) == 1 for v in history.values())


def test_book_style_gan_loop_takes_three_optimizer_steps_per_batch():
    torch.manual_seed(0)
    G, D = models.fashion_generator()[:-1], models.fashion_discriminator()[1:]
    g_opt, d_opt = torch.optim.Adam(G.parameters()), torch.optim.Adam(D.parameters())
    loader = DataLoader(TensorDataset(torch.rand(12, 1, 28, 28), torch.zeros(12)), batch_size=4)
    speed.book_style_gan(G, D, loader, g_opt, d_opt, torch.device("cpu"), steps=2,
                         reshape=lambda x: x.reshape(-1, 28 * 28))
    assert d_opt.state[D[0].weight]["step"] == 4  # D: real, then fakes, per batch
    assert g_opt.state[G[0].weight]["step"] == 2


def test_book_style_wgan_gp_loop_takes_five_critic_steps_per_generator_step():
    torch.manual_seed(0)
    G, C = models.conditional_generator(features=4, image_size=32), models.wgan_critic(features=4, image_size=32)
    g_opt, c_opt = torch.optim.Adam(G.parameters()), torch.optim.Adam(C.parameters())
    loader = DataLoader(TensorDataset(torch.rand(8, 3, 32, 32), torch.tensor([0, 1] * 4)), batch_size=4)
    speed.book_style_wgan_gp(G, C, loader, g_opt, c_opt, torch.device("cpu"), steps=1)
    assert c_opt.state[C[0].weight]["step"] == 5
    assert g_opt.state[G[0].weight]["step"] == 1


def test_speed_command_times_both_loops_and_prints_the_ratio(tmp_path):
    out = tmp_path / "speed.json"
    run = subprocess.run([sys.executable, str(BENCH / "speed.py"), "--notebooks", "04", "--steps", "04=3",
                          "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "ratio book/course" in run.stdout and "torch " in run.stdout
    figures = json.loads(out.read_text())
    assert figures["04"]["steps"] == 3 and figures["04"]["batch"] == 32
    assert figures["04"]["book_s"] > 0 and figures["04"]["course_s"] > 0
    assert figures["04"]["ratio"] == pytest.approx(figures["04"]["book_s"] / figures["04"]["course_s"], rel=0.02)


def test_speed_command_rejects_malformed_steps():
    run = subprocess.run([sys.executable, str(BENCH / "speed.py"), "--steps", "six"], capture_output=True, text=True)
    assert run.returncode != 0 and "NB=N pairs" in run.stderr


def test_results_command_runs_a_notebook_and_collects_its_figures_and_pictures(tmp_path):
    out, pictures = tmp_path / "results.json", tmp_path / "pictures"
    run = subprocess.run([sys.executable, str(BENCH / "results.py"), "--profile", "smoke", "--notebooks", "03",
                          "--pictures", str(pictures), "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["profile"] == "smoke" and "torch" in report["machine"]
    result = report["notebooks"]["03_number_pattern_gan"]
    assert result["seconds"] > 0
    assert set(result["figures"]) == {"validity", "coverage", "total_variation"}
    assert 0 <= result["figures"]["validity"] <= 1
    assert result["pictures"] == ["03_histogram.png"] and (pictures / "03_histogram.png").stat().st_size > 1000


def test_results_command_names_the_notebooks_when_one_is_unknown():
    run = subprocess.run([sys.executable, str(BENCH / "results.py"), "--profile", "smoke", "--notebooks", "09"],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "no notebook starts with 09" in run.stderr and "01_classifier" in run.stderr
