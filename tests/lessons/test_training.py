"""Training: EarlyStop and the classifier's loop (notebook 01), the moving average, the GAN step and
the one loop (notebook 02), the WGAN-GP penalty and step (notebook 07)."""

import copy
import io
from functools import partial

import pytest
import torch
from torch import nn

from gan_helpers import data, models, training


class TestEarlyStop:
    def test_stops_after_patience_checks_without_a_new_minimum(self):
        stop = training.EarlyStop(patience=3)
        decisions = [stop.stop(loss) for loss in [0.9, 0.7, 0.6, 0.65, 0.61, 0.62]]
        assert decisions == [False, False, False, False, False, True]
        assert stop.min_loss == 0.6 and stop.best_check == 3 and stop.checks == 6

    def test_a_new_minimum_resets_the_count(self):
        stop = training.EarlyStop(patience=2)
        assert [stop.stop(loss) for loss in [1.0, 1.1, 0.5, 0.6, 0.7]] == [False] * 4 + [True]
        assert stop.best_check == 3 and stop.waited == 2

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

    def test_restore_best_without_weights_says_why(self):
        stop = training.EarlyStop()
        stop.stop(0.1)
        with pytest.raises(ValueError, match="pass the model"):
            stop.restore_best(nn.Linear(2, 1))


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
    assert losses[0] == pytest.approx(before, rel=1e-5)  # the mean of the losses seen
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
    optimizer = torch.optim.Adam(model.parameters(), lr=0.5)  # too high: the val loss wanders
    history = training.fit_classifier(model, train_loader, loss_fn=nn.CrossEntropyLoss(),
                                      optimizer=optimizer, epochs=200, val_loader=val_loader,
                                      early_stop=stop)
    epochs = len(history["train_loss"])
    assert epochs < 200 and len(history["val_loss"]) == len(history["val_accuracy"]) == epochs
    assert epochs == stop.best_check + stop.patience
    out = capsys.readouterr().out
    assert f"(best at epoch {stop.best_check})" in out and "images/s on cpu" in out


def test_fit_classifier_can_stop_on_the_validation_error():
    class Recorder(training.EarlyStop):
        def stop(self, loss, model=None):
            self.seen = [*getattr(self, "seen", []), loss]
            return super().stop(loss, model)

    x, y = separable_problem()
    model, recorder = small_model(), Recorder(patience=100)
    history = training.fit_classifier(
        model, data.TensorLoader(x[:200], y[:200], batch_size=50), loss_fn=nn.CrossEntropyLoss(),
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1), epochs=3,
        val_loader=data.TensorLoader(x[200:], y[200:], batch_size=56), early_stop=recorder,
        stop_on="val_error")
    assert recorder.seen == pytest.approx([1 - accuracy for accuracy in history["val_accuracy"]])
    with pytest.raises(ValueError, match="'val_loss' or 'val_error'"):
        training.fit_classifier(small_model(), None, loss_fn=None, optimizer=None, epochs=1,
                                stop_on="val_acc")
    with pytest.raises(ValueError, match="pass val_loader"):
        training.fit_classifier(small_model(), None, loss_fn=None, optimizer=None, epochs=1,
                                early_stop=training.EarlyStop())


def test_fit_classifier_without_validation_runs_every_epoch():
    x, y = separable_problem()
    model = small_model()
    history = training.fit_classifier(model, data.TensorLoader(x, y, batch_size=64),
                                      loss_fn=nn.CrossEntropyLoss(),
                                      optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                                      epochs=3)
    assert len(history["train_loss"]) == 3 and history["val_loss"] == []
    assert history["train_loss"][-1] < history["train_loss"][0]


@pytest.mark.parametrize(("name", "disabled"), [("smoke", True), ("quick", False)])
def test_progress_bar_is_off_in_smoke(profile, monkeypatch, name, disabled):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    profile(name)
    assert training.progress(range(3), file=io.StringIO()).disable is disabled


def test_progress_bar_obeys_tqdm_disable(profile, monkeypatch):
    profile("quick")
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert training.progress(range(3)).disable is True


# ---- the moving average


def test_moving_average_warms_up_then_keeps_its_decay():
    torch.manual_seed(0)
    network = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    ours = training.MovingAverage(network, decay=0.9)
    expected = {name: value.clone() for name, value in network.state_dict().items()}
    for t in range(30):
        with torch.no_grad():
            network[0].weight.add_(torch.randn(4, 3))
        network(torch.randn(8, 3))  # training mode: BatchNorm's running statistics move
        ours.update_parameters(network)
        decay = min(0.9, (1 + t) / (10 + t))  # 0.1, 0.18, ... then 0.9 from t = 71/9 on
        for name, value in network.state_dict().items():
            expected[name] = (decay * expected[name] + (1 - decay) * value
                              if value.is_floating_point() else value.clone())
    for name, value in ours.module.state_dict().items():
        assert torch.allclose(value, expected[name], atol=1e-5), name
    assert ours.module[1].num_batches_tracked == 30  # a count is copied, not averaged
    assert ours.updates == 30 and not any(p.requires_grad for p in ours.parameters())


def test_moving_average_of_a_short_run_forgets_its_random_start():
    """The reason for the warm-up: 938 updates (notebook 04's exercise in quick) at decay 0.999
    would leave 0.999 ** 938 = 39% of the first network in a plain average."""
    network = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        network.weight.fill_(1.0)
    average = training.MovingAverage(network, decay=0.999)
    with torch.no_grad():
        network.weight.fill_(0.0)
    for _ in range(938):
        average.update_parameters(network)
    left = average.module.weight.item()  # the share of the first network still in the average
    assert left < 1e-6 < 0.999 ** 938


def test_moving_average_rejects_a_decay_outside_0_1():
    with pytest.raises(ValueError, match="between 0 and 1"):
        training.MovingAverage(nn.Linear(2, 2), decay=1.5)


# ---- the GAN step and the loop


def optimizers(*networks, lr=1e-3):
    return [torch.optim.Adam(network.parameters(), lr=lr) for network in networks]


def test_gan_step_lowers_each_players_loss_on_a_fixed_batch():
    torch.manual_seed(0)
    G, D = models.shape_generator(), models.shape_discriminator().eval()  # eval: no dropout noise
    real = data.sample_curve(64)
    g_opt, d_opt = optimizers(G, D)
    bce = nn.BCELoss()
    old_G, old_D = copy.deepcopy(G), copy.deepcopy(D)

    torch.manual_seed(1)
    noise = torch.randn(64, 2)
    torch.manual_seed(1)  # gan_step draws the same noise
    stats = training.gan_step(G, D, real, g_optimizer=g_opt, d_optimizer=d_opt, latent_size=2)

    def d_loss_of(disc, fake):
        return (bce(disc(real), torch.ones(64, 1)) + bce(disc(fake), torch.zeros(64, 1))).item()

    with torch.no_grad():
        old_fake = old_G(noise)
        assert stats["d_loss"].item() == pytest.approx(d_loss_of(old_D, old_fake), rel=1e-5)
        assert stats["d_real"].item() == pytest.approx(old_D(real).mean().item(), rel=1e-5)
        assert stats["d_fake"].item() == pytest.approx(old_D(old_fake).mean().item(), rel=1e-5)
        assert not any(value.requires_grad for value in stats.values())
        assert d_loss_of(D, old_fake) < stats["d_loss"].item()  # D got better at telling them apart
        g_before = bce(D(old_fake), torch.ones(64, 1)).item()
        g_after = bce(D(G(noise)), torch.ones(64, 1)).item()
        assert g_after < g_before  # G got better at fooling the updated D


def tiny_fashion_players():
    torch.manual_seed(0)
    return models.fashion_generator(widths=(8, 8, 8)), models.fashion_discriminator((8, 8, 8))


def test_train_gan_keeps_statistics_and_snapshots_of_the_average(capsys):
    loader = data.TensorLoader(torch.rand(64, 1, 28, 28) * 2 - 1, batch_size=16)
    G, D = tiny_fashion_players()
    g_opt, d_opt = optimizers(G, D)
    average = training.MovingAverage(G, decay=0.9)
    noise = torch.randn(4, 100)
    returned = []  # what the step returned, batch by batch

    def recorded_step(*args, **kwargs):
        stats = training.gan_step(*args, **kwargs)
        returned.append({key: value.item() for key, value in stats.items()})
        return stats

    history, snapshots = training.train_gan(G, D, loader, step=recorded_step, g_optimizer=g_opt,
                                            d_optimizer=d_opt, latent_size=100, epochs=3,
                                            average=average, fixed_input=noise, show_every=2)
    assert {key: len(values) for key, values in history.items()} == {
        "d_loss": 3, "g_loss": 3, "d_real": 3, "d_fake": 3}
    for key, values in history.items():  # each epoch's value: the mean over its 4 batches
        means = [sum(b[key] for b in returned[e * 4:(e + 1) * 4]) / 4 for e in range(3)]
        assert values == pytest.approx(means, rel=1e-5), key
    assert list(snapshots) == [2, 3]
    with torch.no_grad():
        assert torch.allclose(snapshots[3], average.module.eval()(noise))
        assert not torch.allclose(snapshots[3], G.eval()(noise))  # the average drew them
    summary = capsys.readouterr().out
    assert "3 epochs in" in summary and "examples/s on cpu" in summary and "d_loss" in summary


def test_train_gan_calls_the_step_it_is_given():
    calls = []

    def doubled_g_loss(generator, discriminator, real, **kwargs):
        stats = training.gan_step(generator, discriminator, real, **kwargs)
        calls.append(len(real))
        return {**stats, "g_loss": 2 * stats["g_loss"]}

    loader = data.TensorLoader(torch.rand(40, 1, 28, 28) * 2 - 1, batch_size=16)
    G, D = tiny_fashion_players()
    history, _ = training.train_gan(G, D, loader, step=doubled_g_loss,
                                    **dict(zip(["g_optimizer", "d_optimizer"], optimizers(G, D))),
                                    latent_size=100, epochs=2)
    assert calls == [16, 16, 8] * 2
    assert history["g_loss"][0] > 2 * 0.5  # BCE near ln 2 = 0.69, doubled by the step given


def curve_loader(count=128, seed=0):
    points = data.sample_curve(count, generator=torch.Generator().manual_seed(seed))
    return data.TensorLoader(points, batch_size=64, shuffle=True,
                             generator=torch.Generator().manual_seed(seed))


def on_curve_mse(generator):
    fake = generator(torch.randn(500, 2, generator=torch.Generator().manual_seed(1)))
    return ((fake[:, 1] - data.exponential_curve(fake[:, 0])) ** 2).mean().item()


def test_train_gan_stops_early_on_the_first_measure_and_leaves_g_as_the_book_does(capsys):
    torch.manual_seed(0)
    G, D = models.shape_generator(), models.shape_discriminator()
    g_opt, d_opt = optimizers(G, D, lr=5e-4)
    stop = training.EarlyStop(patience=3)
    history, _ = training.train_gan(G, D, curve_loader(), step=training.gan_step, g_optimizer=g_opt,
                                    d_optimizer=d_opt, latent_size=2, epochs=200,
                                    measures={"on_curve_mse": on_curve_mse}, early_stop=stop)
    best = min(history["on_curve_mse"])
    assert len(history["on_curve_mse"]) == history["on_curve_mse"].index(best) + 1 + 3
    epochs = len(history["on_curve_mse"])
    assert (f"stopped early at epoch {epochs}; the lowest on_curve_mse ({best:.4g}) was at epoch "
            f"{epochs - 3}" in capsys.readouterr().out)
    with torch.no_grad():  # G as training left it, the last epoch; the best is kept beside it
        assert on_curve_mse(G) == pytest.approx(history["on_curve_mse"][-1], rel=1e-5)
        stop.restore_best(G)
        assert on_curve_mse(G) == pytest.approx(best, rel=1e-5)


def test_train_gan_steps_the_schedulers_once_per_epoch():
    torch.manual_seed(0)
    G, D = models.shape_generator(), models.shape_discriminator()
    g_opt, d_opt = optimizers(G, D)
    schedules = [torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 - epoch / 4)
                 for opt in (g_opt, d_opt)]
    training.train_gan(G, D, curve_loader(), step=training.gan_step, g_optimizer=g_opt,
                       d_optimizer=d_opt, latent_size=2, epochs=3, schedulers=schedules)
    assert g_opt.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.25)


def test_train_gan_asks_for_a_measure_to_stop_on():
    G, D = tiny_fashion_players()
    with pytest.raises(ValueError, match="measure"):
        training.train_gan(G, D, [], step=training.gan_step, g_optimizer=None, d_optimizer=None,
                           latent_size=100, epochs=1, early_stop=training.EarlyStop())


def test_capture_changes_nothing_on_the_cpu():
    """``capture`` (the cuda_graphs switch) runs exactly the same code without CUDA."""
    def run(capture):
        torch.manual_seed(0)
        G, D = tiny_fashion_players()
        g_opt, d_opt = optimizers(G, D)
        loader = data.TensorLoader(torch.rand(32, 1, 28, 28) * 2 - 1, batch_size=16)
        history, _ = training.train_gan(G, D, loader, step=training.gan_step, g_optimizer=g_opt,
                                        d_optimizer=d_opt, latent_size=100, epochs=2,
                                        capture=capture)
        return history, G.state_dict()

    (plain, plain_weights), (captured, captured_weights) = run(False), run(True)
    assert plain == captured
    assert all(torch.equal(plain_weights[k], captured_weights[k]) for k in plain_weights)


# ---- chapter 5: the gradient penalty and the WGAN-GP step


def test_gradient_penalty_of_a_critic_with_a_known_gradient():
    # a linear critic, score = sum(w * x): its gradient is w at every input, so the penalty is
    # (|w| - 1)^2
    critic = nn.Sequential(nn.Flatten(), nn.Linear(5 * 4 * 4, 1))
    with torch.no_grad():
        critic[1].weight.fill_(0.5)  # |w| = 0.5 * sqrt(80)
    real, fake = torch.randn(6, 5, 4, 4), torch.randn(6, 5, 4, 4)
    expected = (0.5 * 80**0.5 - 1) ** 2
    assert training.gradient_penalty(critic, real, fake).item() == pytest.approx(expected, rel=1e-5)
    with torch.no_grad():
        critic[1].weight.fill_(80**-0.5)  # |w| = 1: no penalty
    assert training.gradient_penalty(critic, real, fake).item() == pytest.approx(0.0, abs=1e-10)


def test_gradient_penalty_trains_the_critic_towards_unit_gradients():
    critic = nn.Sequential(nn.Flatten(), nn.Linear(5 * 4 * 4, 1))
    real, fake = torch.randn(6, 5, 4, 4), torch.randn(6, 5, 4, 4)
    training.gradient_penalty(critic, real, fake).backward()  # create_graph: a gradient w.r.t. w
    assert critic[1].weight.grad is not None and critic[1].weight.grad.abs().sum() > 0


def small_cgan(size=16, inputs=102, channels=5):
    torch.manual_seed(0)
    G = models.conditional_generator(inputs=inputs, features=4, image_size=size)
    C = models.wgan_critic(channels=channels, features=4, image_size=size)
    return G.apply(models.init_weights), C.apply(models.init_weights)


def labelled_batch(count=8, size=16):
    real = torch.rand(count, 3, size, size) * 2 - 1
    return real, nn.functional.one_hot(torch.arange(count) % 2, 2).float()


def wgan_optimizers(G, C):
    return {"g_optimizer": torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.0, 0.9)),
            "d_optimizer": torch.optim.Adam(C.parameters(), lr=1e-4, betas=(0.0, 0.9))}


def test_wgan_gp_step_widens_the_critics_gap_on_a_fixed_batch():
    G, C = small_cgan()
    real, labels = labelled_batch()
    step = partial(training.wgan_gp_step, **wgan_optimizers(G, C), latent_size=100)
    first = step(G, C, real, labels)
    for _ in range(5):
        last = step(G, C, real, labels)
    assert last["critic_loss"] < first["critic_loss"]  # the critic tells real from fake better
    assert last["critic_real"] - last["critic_fake"] > first["critic_real"] - first["critic_fake"]
    assert not last["critic_loss"].requires_grad and last["penalty"] >= 0


@pytest.mark.parametrize("critic_steps", [1, 3])
def test_critic_steps_is_how_often_the_critic_learns_per_g_step(critic_steps):
    G, C = small_cgan()
    real, labels = labelled_batch()
    opts = wgan_optimizers(G, C)
    training.wgan_gp_step(G, C, real, labels, **opts, latent_size=100, critic_steps=critic_steps)
    assert opts["d_optimizer"].state[C[0].weight]["step"] == critic_steps
    assert opts["g_optimizer"].state[G[0].weight]["step"] == 1
    with pytest.raises(ValueError, match="at least once"):
        training.wgan_gp_step(G, C, real, labels, **opts, latent_size=100, critic_steps=0)


def test_penalty_weight_0_trains_without_the_penalty():
    """With weight 0 the critic's update is that of the plain Wasserstein loss."""
    def critic_after_one_step(weight):
        G, C = small_cgan()
        real, labels = labelled_batch()
        torch.manual_seed(3)
        stats = training.wgan_gp_step(G, C, real, labels, **wgan_optimizers(G, C), latent_size=100,
                                      critic_steps=1, penalty_weight=weight)
        return C[0].weight.detach().clone(), stats

    (no_penalty, stats), (penalised, _) = critic_after_one_step(0.0), critic_after_one_step(10.0)
    assert stats["critic_loss"] == pytest.approx(-(stats["critic_real"] - stats["critic_fake"]))
    assert not torch.equal(no_penalty, penalised)


def test_train_gan_runs_the_wgan_gp_step_with_labels():
    G, C = small_cgan(size=8)
    real, labels = labelled_batch(12, 8)
    loader = data.TensorLoader(real, labels, batch_size=4)
    fixed = models.generator_input(torch.randn(2, 100), torch.eye(2))
    history, snapshots = training.train_gan(
        G, C, loader, step=partial(training.wgan_gp_step, critic_steps=2), **wgan_optimizers(G, C),
        latent_size=100, epochs=3, fixed_input=fixed, show_every=2)
    assert set(history) == {"critic_loss", "g_loss", "critic_real", "critic_fake", "penalty"}
    assert all(len(values) == 3 and all(isinstance(v, float) for v in values)
               for values in history.values())
    assert sorted(snapshots) == [2, 3] and snapshots[3].shape == (2, 3, 8, 8)


def test_a_single_binary_label_works_with_the_same_step():
    # exercise 5.4: one label value instead of the one-hot: 101 generator inputs, 4 critic channels
    G, C = small_cgan(size=8, inputs=101, channels=4)
    labels = torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    stats = training.wgan_gp_step(G, C, torch.rand(4, 3, 8, 8), labels, **wgan_optimizers(G, C),
                                  latent_size=100)
    assert all(torch.isfinite(value) for value in stats.values())
