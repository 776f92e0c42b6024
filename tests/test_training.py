import pytest
import torch
from torch import nn

from gan_helpers import data, training


class TestEarlyStop:
    def test_stops_after_patience_checks_without_a_new_minimum(self):
        stop = training.EarlyStop(patience=3)
        decisions = [stop.stop(loss) for loss in [0.9, 0.7, 0.6, 0.65, 0.61, 0.62]]
        assert decisions == [False, False, False, False, False, True]
        assert stop.min_loss == 0.6 and stop.best_step == 2

    def test_a_new_minimum_resets_the_count(self):
        stop = training.EarlyStop(patience=2)
        assert [stop.stop(loss) for loss in [1.0, 1.1, 0.5, 0.6, 0.7]] == [False, False, False, False, True]
        assert stop.best_step == 2

    def test_an_equal_loss_is_no_improvement(self):
        stop = training.EarlyStop(patience=1)
        assert [stop.stop(loss) for loss in [1.0, 1.0]] == [False, True]

    def test_restore_best_brings_back_the_best_weights(self):
        model = nn.Linear(2, 1)
        stop = training.EarlyStop(patience=5)
        stop.stop(0.1, model)
        best = model.weight.detach().clone()
        with torch.no_grad():
            model.weight.add_(1.0)
        stop.stop(0.2, model)  # worse: not remembered
        stop.restore_best(model)
        assert torch.equal(model.weight, best)


def separable_problem(n=256):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, 1, 2, 2, generator=generator)
    y = (x.flatten(1).sum(1) > 0).long()
    return x, y


def small_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))


def test_train_epoch_lowers_the_loss_on_a_fixed_batch():
    x, y = separable_problem()
    model, loss_fn = small_model(), nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loader = data.TensorLoader(x, y, batch_size=len(x))
    before = loss_fn(model(x), y).item()
    losses = [training.train_epoch(model, loader, loss_fn, optimizer) for _ in range(20)]
    assert losses[0] == pytest.approx(before, rel=1e-5)  # the mean of the losses seen, not a recomputation
    assert loss_fn(model(x), y).item() < 0.5 * before


def test_evaluate_counts_correct_predictions_in_eval_mode():
    class Fixed(nn.Module):  # predicts class 1 in eval mode, class 0 in training mode
        def forward(self, x):
            logits = torch.zeros(len(x), 2)
            logits[:, 0 if self.training else 1] = 5.0
            return logits

    labels = torch.tensor([1, 1, 1, 0])
    loader = data.TensorLoader(torch.zeros(4, 1), labels, batch_size=3)
    loss, accuracy = training.evaluate(Fixed(), loader, nn.CrossEntropyLoss(reduction="mean"))
    assert accuracy == 0.75
    expected = nn.CrossEntropyLoss()(torch.tensor([[0.0, 5.0]] * 4), labels).item()
    assert loss == pytest.approx(expected)


def test_evaluate_binary_outputs_use_the_half_threshold():
    model = nn.Sequential(nn.Flatten(), nn.Sigmoid())
    x = torch.tensor([[-2.0], [3.0], [0.0]]).view(3, 1, 1)
    y = torch.tensor([[0.0], [1.0], [1.0]])  # sigmoid(0) = 0.5 is not > 0.5: predicted 0, wrong
    _, accuracy = training.evaluate(model, data.TensorLoader(x, y, batch_size=3), nn.BCELoss())
    assert accuracy == pytest.approx(2 / 3)


def test_fit_classifier_stops_early_and_keeps_a_history(capsys):
    x, y = separable_problem()
    model = small_model()
    train_loader = data.TensorLoader(x[:200], y[:200], batch_size=50, shuffle=True,
                                     generator=torch.Generator().manual_seed(0))
    val_loader = data.TensorLoader(x[200:], y[200:], batch_size=100)
    stop = training.EarlyStop(patience=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.5)  # far too high: the validation loss will wander
    history = training.fit_classifier(model, train_loader, nn.CrossEntropyLoss(), optimizer, 200,
                                      val_loader=val_loader, early_stop=stop)
    epochs = len(history["train_loss"])
    assert epochs < 200 and len(history["val_loss"]) == len(history["val_accuracy"]) == epochs
    assert epochs == stop.best_step + 1 + stop.patience
    out = capsys.readouterr().out
    assert "early stop at epoch" in out and "images/s on cpu" in out


def test_fit_classifier_can_stop_on_the_validation_error():
    class Recorder(training.EarlyStop):
        def stop(self, loss, model=None):
            self.seen = getattr(self, "seen", []) + [loss]
            return super().stop(loss, model)

    x, y = separable_problem()
    model, recorder = small_model(), Recorder(patience=100)
    history = training.fit_classifier(model, data.TensorLoader(x[:200], y[:200], batch_size=50),
                                      nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), 3,
                                      val_loader=data.TensorLoader(x[200:], y[200:], batch_size=56),
                                      early_stop=recorder, stop_on="val_error")
    assert recorder.seen == pytest.approx([1 - accuracy for accuracy in history["val_accuracy"]])
    with pytest.raises(ValueError, match="'val_loss' or 'val_error'"):
        training.fit_classifier(small_model(), None, None, None, 1, stop_on="val_acc")


def test_fit_classifier_without_validation_runs_every_epoch(capsys):
    x, y = separable_problem()
    model = small_model()
    history = training.fit_classifier(model, data.TensorLoader(x, y, batch_size=64), nn.CrossEntropyLoss(),
                                      torch.optim.SGD(model.parameters(), lr=0.1), 3)
    assert len(history["train_loss"]) == 3 and history["val_loss"] == []
    assert history["train_loss"][-1] < history["train_loss"][0]


@pytest.mark.parametrize("name, disabled", [("smoke", True), ("quick", False)])
def test_progress_bar_is_off_in_smoke(profile, name, disabled):
    profile(name)
    assert training.progress(range(3)).disable is disabled
