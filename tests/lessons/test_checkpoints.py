import pickle

import pytest
import torch
from torch import nn

from gan_helpers import checkpoints, models

from support import listing


def trained_like_model():
    torch.manual_seed(0)
    return models.fashion_classifier()


def test_round_trip_restores_weights_and_info(tmp_path):
    model = trained_like_model()
    path = checkpoints.save_checkpoint(model, tmp_path / "sub" / "m.pt", test_accuracy=0.9,
                                       profile="quick")
    fresh = models.fashion_classifier()
    info = checkpoints.load_checkpoint(fresh, path)
    assert info == {"test_accuracy": 0.9, "profile": "quick"}
    x = torch.randn(3, 1, 28, 28)
    assert torch.equal(fresh(x), model(x))
    assert not list(tmp_path.rglob("*.partial"))


def test_other_architecture_is_named(tmp_path):
    path = checkpoints.save_checkpoint(trained_like_model(), tmp_path / "m.pt")
    other = nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 10))
    with pytest.raises(checkpoints.CheckpointMismatchError) as error:
        checkpoints.load_checkpoint(other, path)
    message = str(error.value)
    assert "1.weight has shape [256, 784] in the checkpoint but [200, 784] in the model" in message
    assert "retrain" in message


def test_missing_checkpoint_says_to_run_the_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the notebook"):
        checkpoints.load_checkpoint(trained_like_model(), tmp_path / "nothing.pt")


def test_a_file_from_elsewhere_is_refused(tmp_path):
    path = tmp_path / "plain.pt"
    torch.save(trained_like_model().state_dict(), path)
    with pytest.raises(checkpoints.CheckpointMismatchError, match="not written by"):
        checkpoints.load_checkpoint(trained_like_model(), path)


class Payload:
    def __reduce__(self):
        return (print, ("this code would run on load",))


def test_weights_only_refuses_pickled_code(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    torch.save({"architecture": [], "payload": Payload()}, path)
    with pytest.raises(checkpoints.DamagedCheckpointError, match="holds Python objects") as error:
        checkpoints.load_checkpoint(trained_like_model(), path)
    assert isinstance(error.value.__context__, pickle.UnpicklingError)
    assert "would run" not in capsys.readouterr().out


def test_export_runs_without_the_class(tmp_path):
    model = trained_like_model()
    x = torch.randn(4, 1, 28, 28)
    path = checkpoints.export_model(model, x, tmp_path / "m.pt2")
    loaded = checkpoints.load_exported(path)
    assert not isinstance(loaded, nn.Sequential)
    assert torch.allclose(loaded(x), model(x))
    other_batch = torch.randn(9, 1, 28, 28)
    assert torch.allclose(loaded(other_batch), model(other_batch), atol=1e-6)
    with pytest.raises(FileNotFoundError, match="export"):
        checkpoints.load_exported(tmp_path / "missing.pt2")


def test_add_info_keeps_the_weights_and_adds_figures(tmp_path):
    model = trained_like_model()
    path = checkpoints.save_checkpoint(model, tmp_path / "m.pt", profile="quick")
    checkpoints.add_info(path, figures={"accuracy": 0.9})
    fresh = models.fashion_classifier()
    assert checkpoints.load_checkpoint(fresh, path) == {"profile": "quick",
                                                        "figures": {"accuracy": 0.9}}
    assert all(torch.equal(a, b) for a, b in zip(fresh.parameters(), model.parameters()))


def test_a_saved_run_comes_back_with_its_history_and_snapshots(tmp_path, capsys):
    generator = models.shape_generator()
    history, snapshots = {"d_loss": [1.4, 1.3]}, {2: torch.randn(5, 2)}
    path = checkpoints.save_run(generator, tmp_path / "g.pt", history=history, snapshots=snapshots,
                                profile="quick", epochs=2)
    checkpoints.add_info(path, figures={"KS": 0.031})
    loaded, history_back, snapshots_back = checkpoints.load_run(models.shape_generator(), path,
                                                                notebook="02")
    assert history_back == history and torch.equal(snapshots_back[2], snapshots[2])
    assert not loaded.training
    said = capsys.readouterr().out
    assert "trained by notebook 02 (profile quick, epochs 2, date 20" in said and "KS 0.031" in said


def test_loading_a_run_that_is_not_there_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"hp.train = True.*make results"):
        checkpoints.load_run(models.shape_generator(), tmp_path / "none.pt", notebook="02")


def test_loading_a_run_of_another_size_names_its_profile(tmp_path):
    path = checkpoints.save_run(models.shape_generator(latent_size=3), tmp_path / "g.pt",
                                history={}, snapshots={}, profile="full")
    with pytest.raises(checkpoints.CheckpointMismatchError,
                       match=r"(?s)trained in the full profile.*hp.train = True"):
        checkpoints.load_run(models.shape_generator(), path, notebook="02")


def test_a_teachers_read_only_models_folder_is_read_and_never_written(course_root, monkeypatch,
                                                                     profile, capsys):
    """hp.train = False with no file of the learner's own: the generator comes from
    GAN_MODELS_DIR (laid out like files/), and nothing in that folder changes."""
    profile("smoke")
    teacher = course_root.parent / "teacher-models"
    torch.manual_seed(0)
    trained = models.shape_generator()
    checkpoints.save_run(trained, teacher / "smoke" / "g.pt", history={"d_loss": [1.0]},
                         snapshots={}, profile="smoke", epochs=1)
    monkeypatch.setenv("GAN_MODELS_DIR", str(teacher))
    before = listing(teacher)
    history, _ = checkpoints.train_or_load(models.shape_generator(), course_root / "files" /
                                           "smoke" / "g.pt", train=False, notebook="02",
                                           run=lambda: pytest.fail("trained instead of loading"))
    assert history == {"d_loss": [1.0]}
    assert f"loaded the generator from {teacher / 'smoke' / 'g.pt'}" in capsys.readouterr().out
    assert listing(teacher) == before


def test_no_trained_generator_anywhere_names_every_place_looked(course_root, profile, monkeypatch):
    profile("quick")
    monkeypatch.setenv("GAN_MODELS_DIR", str(course_root / "teacher"))
    with pytest.raises(FileNotFoundError, match=r"No trained generator named g\.pt in .*files, "
                       r".*teacher, .*pretrained\. Run notebook 02 with hp\.train = True"):
        checkpoints.load_run(models.shape_generator(), course_root / "files" / "g.pt",
                             notebook="02")


def test_best_of_run_saves_the_best_check_beside_the_last_and_loads_it_back(course_root, profile):
    profile("quick")
    from gan_helpers.training import EarlyStop

    generator, stop = nn.Linear(2, 2), EarlyStop(patience=2)
    for loss, value in ((0.5, 1.0), (0.2, 2.0), (0.4, 3.0)):  # the best check is the second
        with torch.no_grad():
            generator.weight.fill_(value)
        stop.stop(loss, generator)
    path = course_root / "files" / "best.pt"
    best = checkpoints.best_of_run(generator, stop, path, train=True, notebook="02",
                                   profile="quick")
    assert torch.all(best.weight == 2.0) and torch.all(generator.weight == 3.0)
    assert checkpoints.load_checkpoint(nn.Linear(2, 2), path)["epochs"] == 2
    loaded = checkpoints.best_of_run(nn.Linear(2, 2), EarlyStop(), path, train=False,
                                     notebook="02")
    assert torch.all(loaded.weight == 2.0) and not loaded.training
