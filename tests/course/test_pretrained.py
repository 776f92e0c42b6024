"""``make pretrained``: what it copies from a quick run, what it refuses, and what it records."""

import json

import pytest
import torch

from gan_helpers import checkpoints, models
from gan_helpers.course import pretrained


@pytest.fixture(autouse=True)
def no_git(monkeypatch):
    """The commit comes from git, a subprocess: the unit tests start none."""
    monkeypatch.setattr(pretrained, "_commit", lambda root: "abc123")


def quick_run(folder, profile="quick"):
    """A files/ folder with every file ``pretrained.FILES`` names, as tiny checkpoints."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    for names in pretrained.FILES.values():
        for name in names:
            checkpoints.save_run(models.shape_generator(), folder / name, profile=profile,
                                 epochs=3, history={"d_loss": [1.0, 0.9, 0.8]},
                                 snapshots={3: torch.randn(4, 2)}, figures={"error": 0.25})
    return folder


def test_it_ships_exact_weights_half_pictures_and_the_run(tmp_path, capsys):
    source = quick_run(tmp_path / "files")
    assert pretrained.main(["--source", str(source), "--target", str(tmp_path / "out")]) == 0
    name = "fashion_generator.pt"
    shipped = torch.load(tmp_path / "out" / name, weights_only=True)
    original = torch.load(source / name, weights_only=True)
    for key, tensor in original["state_dict"].items():
        assert torch.equal(shipped["state_dict"][key], tensor)  # float32, bit for bit
    assert shipped["info"]["snapshots"][3].dtype == torch.float16
    assert shipped["info"]["history"] == original["info"]["history"]
    runs = json.loads((tmp_path / "out" / "runs.json").read_text())
    assert runs["made_with"]["torch"] == torch.__version__ and runs["course_commit"] == "abc123"
    table = (tmp_path / "out" / "README.md").read_text()
    assert f"| `{name}` | 04 | {runs['files'][name]['bytes'] / 1e6:.2f} | quick | 3 |" in table
    assert runs["files"][name]["notebook"] == "04"
    assert runs["files"][name]["figures"] == {"error": 0.25}
    assert runs["files"][name]["bytes"] == (tmp_path / "out" / name).stat().st_size
    assert "12 files" in capsys.readouterr().out


def test_it_refuses_a_run_of_another_profile_and_writes_nothing(tmp_path, capsys):
    source = quick_run(tmp_path / "files", profile="smoke")
    assert pretrained.main(["--source", str(source), "--target", str(tmp_path / "out")]) == 2
    assert "trained in the smoke profile" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_it_says_what_is_missing(tmp_path, capsys):
    source = quick_run(tmp_path / "files")
    (source / "cgan_generator.pt").unlink()
    assert pretrained.main(["--source", str(source), "--target", str(tmp_path / "out")]) == 2
    assert "lacks cgan_generator.pt: run `make results`" in capsys.readouterr().err


@pytest.mark.parametrize("profile", ["quick", "smoke"])
def test_the_shipped_models_are_found_after_the_learners_own(course_root, profile, monkeypatch,
                                                            tmp_path):
    """A learner's own file wins; the course's pretrained/ serves the quick profile only."""
    monkeypatch.setenv("GAN_PROFILE", profile)
    quick_run(course_root / "pretrained")
    found = checkpoints.find_trained(checkpoints.settings.output_dir() / "cgan_generator.pt")
    expected = course_root / ("pretrained" if profile == "quick" else "files/smoke")
    assert found.parent == expected
    if profile == "quick":
        quick_run(course_root / "files")
        found = checkpoints.find_trained(course_root / "files" / "cgan_generator.pt")
        assert found.parent == course_root / "files"
