import subprocess
import sys

import torch
import pytest

from gan_helpers import settings


@pytest.mark.parametrize("name", settings.PROFILES)
def test_profile_from_environment(profile, name):
    profile(name.upper() + " ")  # case and spaces are forgiven
    assert settings.get_profile() == name


@pytest.mark.parametrize("accelerator, expected", [(True, "full"), (False, "quick")])
def test_default_profile_depends_on_accelerator(monkeypatch, accelerator, expected):
    monkeypatch.delenv("GAN_PROFILE", raising=False)
    monkeypatch.setattr(settings, "has_accelerator", lambda: accelerator)
    assert settings.get_profile() == expected


def test_unknown_profile_lists_the_valid_ones(profile):
    profile("fast")
    with pytest.raises(ValueError) as error:
        settings.get_profile()
    message = str(error.value)
    assert "'fast'" in message
    assert "smoke, quick, full" in message


@pytest.mark.parametrize(
    "cuda, mps, expected", [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")]
)
def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.delenv("GAN_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert settings.get_device() == torch.device(expected)


def test_device_override(monkeypatch):
    monkeypatch.setenv("GAN_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert settings.get_device() == torch.device("cpu")


BOOK = dict(batch_size=64, lr=1e-3, epochs=50)


def test_choose_full_is_the_book(capsys):
    hp = settings.choose(BOOK, quick=dict(epochs=5), smoke=dict(epochs=1), profile="full")
    assert vars(hp) == BOOK
    assert "full (in use)" in capsys.readouterr().out


def test_choose_quick_changes_only_its_values(capsys):
    hp = settings.choose(BOOK, quick=dict(epochs=5), smoke=dict(epochs=1, batch_size=8), profile="quick")
    assert vars(hp) == dict(batch_size=64, lr=1e-3, epochs=5)
    table = capsys.readouterr().out.splitlines()
    epochs_row = next(line for line in table if line.startswith("epochs"))
    assert "50" in epochs_row and "5" in epochs_row and "changed" in epochs_row
    assert "changed" not in next(line for line in table if line.startswith("lr"))


def test_choose_smoke_starts_from_quick():
    hp = settings.choose(BOOK, quick=dict(epochs=5, lr=2e-3), smoke=dict(epochs=1), profile="smoke", show=False)
    assert vars(hp) == dict(batch_size=64, lr=2e-3, epochs=1)


def test_choose_reads_the_profile_from_the_environment(profile):
    profile("smoke")
    assert settings.choose(BOOK, smoke=dict(epochs=1), show=False).epochs == 1


def test_choose_course_values_apply_in_every_profile(capsys):
    for name in ("full", "quick"):
        hp = settings.choose(BOOK, course=dict(ema_decay=0.999), quick=dict(epochs=5), profile=name)
        assert hp.ema_decay == 0.999 and hp.lr == 1e-3
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("ema_decay"))
    assert row.split()[1] == "-" and "(course)" in row
    assert settings.choose(BOOK, course=dict(ema_decay=0.9), smoke=dict(ema_decay=0.5), profile="smoke",
                           show=False).ema_decay == 0.5


def test_choose_rejects_a_name_in_both_book_and_course():
    with pytest.raises(KeyError, match="once"):
        settings.choose(BOOK, course=dict(lr=1.0), profile="full")


def test_choose_rejects_a_misspelt_name():
    with pytest.raises(KeyError, match="epoch"):
        settings.choose(BOOK, quick=dict(epoch=5), profile="quick")


def test_seed_everything_repeats_random_draws():
    settings.seed_everything(3)
    first = torch.rand(4)
    settings.seed_everything(3)
    assert torch.equal(first, torch.rand(4))


def test_paths(monkeypatch, tmp_path, profile):
    monkeypatch.delenv("GAN_COURSE_ROOT", raising=False)
    assert (settings.project_root() / "pyproject.toml").is_file()
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    assert settings.data_dir() == tmp_path / "data"
    profile("quick")
    assert settings.output_dir() == tmp_path / "files"
    assert (tmp_path / "files").is_dir()


def test_smoke_runs_never_overwrite_real_checkpoints(monkeypatch, tmp_path, profile):
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    profile("smoke")
    assert settings.output_dir() == tmp_path / "files" / "smoke"


KEEP_FREED_MEMORY_PROBE = """
import resource, sys, torch
from gan_helpers import models, settings, training
if sys.argv[1] == "keep":
    print(settings.keep_freed_memory())
torch.manual_seed(0)
G, C = models.conditional_generator(features=4, image_size=32), models.wgan_critic(features=4, image_size=32)
losses = training.wgan_gp_step(G, C, torch.rand(4, 3, 32, 32) * 2 - 1, torch.eye(2).repeat(2, 1),
                               torch.optim.Adam(G.parameters()), torch.optim.Adam(C.parameters()), 100)
print(repr([loss.item() for loss in losses]))
torch.ones(2 ** 24).sum()  # 64 MB, allocated once before counting
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    torch.ones(2 ** 24).sum()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="keep_freed_memory acts on glibc, Linux's C library")
def test_keep_freed_memory_reuses_pages_and_changes_no_result():
    """Each in a fresh process (the setting holds for the rest of a process): the same WGAN-GP step gives the
    same losses, and ten 64 MB tensors made one after another fault in far fewer fresh pages."""
    def probe(mode):
        run = subprocess.run([sys.executable, "-c", KEEP_FREED_MEMORY_PROBE, mode], capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stdout.split("\n")
    plain, kept = probe("plain"), probe("keep")
    assert kept[0] == "True"
    assert kept[1] == plain[0]  # the losses, to the last digit
    faults_plain, faults_kept = int(plain[1]), int(kept[2])
    assert faults_plain >= 10  # each 64 MB tensor: fresh pages (16,384 of 4 KB; 32 of 2 MB with huge pages)
    assert faults_kept < faults_plain / 10, (faults_kept, faults_plain)
