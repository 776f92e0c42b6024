"""The profile, the device, the hyperparameter table, and the course's folders."""

from pathlib import Path

import pytest
import torch

from gan_helpers import settings


@pytest.mark.parametrize("name", settings.PROFILES)
def test_profile_from_environment(profile, name):
    profile(name.upper() + " ")  # case and spaces are forgiven
    assert settings.get_profile() == name


@pytest.mark.parametrize(("cuda", "mps", "expected"),
                         [(True, False, "full"), (False, True, "quick"), (False, False, "quick")])
def test_full_is_the_default_only_with_cuda(monkeypatch, cuda, mps, expected):
    """Apple's MPS gets `quick`: nothing was measured there, so no hours of work unannounced."""
    monkeypatch.delenv("GAN_PROFILE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert settings.get_profile() == expected


def test_unknown_profile_lists_the_valid_ones(profile):
    profile("fast")
    with pytest.raises(ValueError, match="fast") as error:
        settings.get_profile()
    message = str(error.value)
    assert "'fast'" in message
    assert "smoke, quick, full" in message


@pytest.mark.parametrize(("cuda", "mps", "expected"), [(True, True, "cuda"), (False, True, "mps"),
                                                (False, False, "cpu")])
def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.delenv("GAN_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert settings.get_device() == torch.device(expected)


def test_device_override_also_sets_the_default_profile(monkeypatch):
    monkeypatch.setenv("GAN_DEVICE", "cpu")
    monkeypatch.delenv("GAN_PROFILE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert settings.get_device() == torch.device("cpu")
    assert settings.get_profile() == "quick"  # not the book's scale on a CPU


@pytest.mark.parametrize("value", ["gpu", "cuda"])
def test_a_device_this_machine_lacks_is_named(monkeypatch, value):
    monkeypatch.setenv("GAN_DEVICE", value)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ValueError, match=f"GAN_DEVICE='{value}' is not a device .* here: cpu"):
        settings.get_device()


BOOK = dict(batch_size=64, lr=1e-3, epochs=50)


def test_choose_full_is_the_book(capsys):
    hp = settings.choose(BOOK, quick=dict(epochs=5), smoke=dict(epochs=1), profile="full")
    assert vars(hp) == BOOK
    assert "full (in use)" in capsys.readouterr().out


def test_choose_quick_changes_only_its_values(capsys):
    hp = settings.choose(BOOK, quick=dict(epochs=5), smoke=dict(epochs=1, batch_size=8),
                         profile="quick")
    assert vars(hp) == dict(batch_size=64, lr=1e-3, epochs=5)
    table = capsys.readouterr().out.splitlines()
    epochs_row = next(line for line in table if line.startswith("epochs"))
    assert "50" in epochs_row and "5" in epochs_row and "changed" in epochs_row
    assert "changed" not in next(line for line in table if line.startswith("lr"))


def test_choose_smoke_starts_from_quick():
    hp = settings.choose(BOOK, quick=dict(epochs=5, lr=2e-3), smoke=dict(epochs=1),
                         profile="smoke", show=False)
    assert vars(hp) == dict(batch_size=64, lr=2e-3, epochs=1)


def test_choose_reads_the_profile_from_the_environment(profile):
    profile("smoke")
    assert settings.choose(BOOK, smoke=dict(epochs=1), show=False).epochs == 1


def test_choose_course_values_apply_in_every_profile(capsys):
    for name in ("full", "quick"):
        hp = settings.choose(BOOK, course=dict(ema_decay=0.999), quick=dict(epochs=5),
                             profile=name)
        assert hp.ema_decay == 0.999 and hp.lr == 1e-3
    table = capsys.readouterr().out.splitlines()
    row = next(line for line in table if line.startswith("ema_decay"))
    assert row.split()[1] == "-" and "(course)" in row
    hp = settings.choose(BOOK, course=dict(ema_decay=0.9), smoke=dict(ema_decay=0.5),
                         profile="smoke", show=False)
    assert hp.ema_decay == 0.5


def test_choose_rejects_a_name_in_two_groups():
    with pytest.raises(KeyError, match="once"):
        settings.choose(BOOK, course=dict(lr=1.0), profile="full")
    with pytest.raises(KeyError, match="once"):
        settings.choose(BOOK, course=dict(fused=True), speed=dict(fused=True), profile="full")


def test_choose_lists_speed_switches_apart_and_full_can_change_a_course_value(capsys):
    hp = settings.choose(BOOK, course=dict(exercise_epochs=50), speed=dict(fused_adam=True),
                         full=dict(exercise_epochs=10), profile="full")
    assert hp.fused_adam is True and hp.exercise_epochs == 10 and hp.epochs == 50
    table = capsys.readouterr().out.splitlines()
    heading = table.index("speed switches: how fast a step runs; the maths stays the same")
    assert table[heading + 1].startswith("fused_adam")
    assert "changed" in next(line for line in table if line.startswith("exercise_epochs"))


def test_choose_rejects_a_misspelt_name():
    with pytest.raises(KeyError, match="epoch"):
        settings.choose(BOOK, quick=dict(epoch=5), profile="quick")


def test_paths(monkeypatch, tmp_path, profile):
    monkeypatch.delenv("GAN_COURSE_ROOT", raising=False)
    monkeypatch.delenv("GAN_DATA_DIR", raising=False)
    assert (settings.project_root() / "pyproject.toml").is_file()
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    assert settings.data_dir() == settings.own_data_dir() == tmp_path / "data"
    assert not settings.shared_data()
    profile("quick")
    assert settings.output_dir() == tmp_path / "files"
    assert (tmp_path / "files").is_dir()


def test_each_copy_of_the_course_is_its_own_root(monkeypatch, tmp_path):
    """On a server where the package is installed once, a learner's notebook runs in the
    learner's copy of the course: that copy, not the installed one, gets the files."""
    monkeypatch.delenv("GAN_COURSE_ROOT", raising=False)
    learner = tmp_path / "home" / "ada" / "gan-course"
    (learner / "gan_helpers").mkdir(parents=True)
    (learner / "pyproject.toml").write_text("[project]\n")
    (learner / "student").mkdir()
    monkeypatch.chdir(learner / "student")  # where Jupyter starts a notebook's kernel
    assert settings.project_root() == learner
    monkeypatch.chdir(tmp_path)  # outside any copy: the copy holding the package
    assert settings.project_root() == Path(settings.__file__).resolve().parent.parent


def test_a_shared_data_folder_is_read_and_the_learners_own_written(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path / "learner"))
    monkeypatch.setenv("GAN_DATA_DIR", str(tmp_path / "shared"))
    assert settings.shared_data() and settings.data_dir() == tmp_path / "shared"
    assert settings.own_data_dir() == tmp_path / "learner" / "data"


def test_smoke_runs_never_overwrite_real_checkpoints(monkeypatch, tmp_path, profile):
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    profile("smoke")
    assert settings.output_dir() == tmp_path / "files" / "smoke"
