import pickle

import pytest
import torch
from torch import nn

from gan_helpers import checkpoints, models


def trained_like_model():
    torch.manual_seed(0)
    return models.fashion_classifier()


def test_round_trip_restores_weights_and_info(tmp_path):
    model = trained_like_model()
    path = checkpoints.save_checkpoint(model, tmp_path / "sub" / "m.pt", test_accuracy=0.9, profile="quick")
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


def test_weights_only_refuses_pickled_code(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"architecture": [], "payload": Payload()}, path)
    with pytest.raises(pickle.UnpicklingError):
        checkpoints.load_checkpoint(trained_like_model(), path)


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
