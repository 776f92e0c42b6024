import torch
from torch import nn

from gan_helpers import metrics


def test_predicted_labels_binary_and_multiclass():
    assert metrics.predicted_labels(torch.tensor([[0.2], [0.5], [0.9]])).tolist() == [0, 0, 1]
    assert metrics.predicted_labels(torch.tensor([[0.1, 2.0, 0.3], [5.0, 1.0, 0.0]])).tolist() == [1, 0]


def test_accuracy():
    assert metrics.accuracy(torch.tensor([1, 2, 3, 4]), torch.tensor([1, 2, 0, 0])) == 0.5
    assert metrics.accuracy(torch.tensor([1, 0]), torch.tensor([[1.0], [0.0]])) == 1.0  # binary float labels


def test_confusion_matrix_rows_are_true_classes():
    matrix = metrics.confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 0, 1, 2]), num_classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]


def test_predict_batches_in_eval_mode():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.9))
    x = torch.randn(25, 3)
    model.train()
    predictions = metrics.predict(model, x, batch_size=7)
    assert not model.training
    assert torch.equal(predictions, model(x).argmax(1))  # dropout off: same as one deterministic pass


def test_record_keeps_a_notebooks_figures_rounded_and_adds_to_them(monkeypatch, tmp_path, profile):
    import json

    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    profile("quick")
    metrics.record("04", frechet_distance=12.345678, dataset="procedural faces")
    metrics.record("04", smallest_class_share=0.0512345, rises=True)
    kept = json.loads((tmp_path / "files" / "results" / "04.json").read_text())
    assert kept == {"frechet_distance": 12.35, "dataset": "procedural faces", "smallest_class_share": 0.05123,
                    "rises": True}
