"""Chapter 3 helpers: samplers, the small GANs, the GAN step, and their measures (notebooks 02 and 03)."""

import copy

import pytest
import torch
from torch import nn

from gan_helpers import data, metrics, models, training


def test_sample_curve_is_on_the_curve_with_x_in_range():
    points = data.sample_curve(500, generator=torch.Generator().manual_seed(0))
    assert points.shape == (500, 2)
    assert points[:, 0].min() >= 0 and points[:, 0].max() <= 50
    assert torch.allclose(points[:, 1], 1.08 ** points[:, 0])
    sine = data.sample_curve(100, torch.sin, x_range=(-5, 5))
    assert sine[:, 0].min() >= -5 and torch.allclose(sine[:, 1], torch.sin(sine[:, 0]))


def test_one_hot_and_its_decoding():
    vectors = data.one_hot(torch.tensor([0, 5, 95]))
    assert vectors.shape == (3, 100) and vectors.sum(1).tolist() == [1, 1, 1]
    assert vectors.argmax(1).tolist() == [0, 5, 95]
    with pytest.raises(ValueError, match="0..99"):
        data.one_hot(torch.tensor([100]))


def test_sample_multiples_covers_every_multiple_below_width():
    numbers = data.sample_multiples(4000, multiple=5, generator=torch.Generator().manual_seed(0))
    assert set(numbers.tolist()) == set(range(0, 100, 5))
    assert set(data.sample_multiples(3000, multiple=3).tolist()) == set(range(0, 100, 3))  # 0..99: 34 values


@pytest.mark.parametrize("build, noise, out", [
    (models.shape_generator, (7, 2), (7, 2)),
    (models.number_generator, (7, 100), (7, 100)),
])
def test_generator_shapes(build, noise, out):
    assert build()(torch.randn(*noise)).shape == out


@pytest.mark.parametrize("build, inputs", [
    (models.shape_discriminator, (7, 2)),
    (lambda: models.CrowdAwareShapeDiscriminator(spread=50), (7, 2)),
    (models.number_discriminator, (7, 100)),
])
def test_discriminators_give_probabilities(build, inputs):
    p = build()(torch.randn(*inputs))
    assert p.shape == (7, 1) and (p > 0).all() and (p < 1).all()


def test_gan_step_lowers_each_players_loss_on_a_fixed_batch():
    torch.manual_seed(0)
    G, D = models.shape_generator(), models.shape_discriminator().eval()  # eval: no dropout noise in the check
    real = data.sample_curve(64)
    g_opt, d_opt = (torch.optim.Adam(m.parameters(), lr=1e-3) for m in (G, D))
    bce = nn.BCELoss()
    old_G, old_D = copy.deepcopy(G), copy.deepcopy(D)

    torch.manual_seed(1)
    noise = torch.randn(64, 2)
    torch.manual_seed(1)  # gan_step draws the same noise
    d_loss, g_loss = training.gan_step(G, D, real, g_opt, d_opt, bce, latent_size=2)

    def d_loss_of(disc, fake):
        return (bce(disc(real), torch.ones(64, 1)) + bce(disc(fake), torch.zeros(64, 1))).item()

    with torch.no_grad():
        old_fake = old_G(noise)
        assert d_loss.item() == pytest.approx(d_loss_of(old_D, old_fake), rel=1e-5)
        assert not d_loss.requires_grad and not g_loss.requires_grad
        assert d_loss_of(D, old_fake) < d_loss.item()  # D got better at telling them apart
        g_before = bce(D(old_fake), torch.ones(64, 1)).item()
        g_after = bce(D(G(noise)), torch.ones(64, 1)).item()
        assert g_after < g_before  # G got better at fooling the updated D


def test_on_curve_error_is_relative():
    points = torch.tensor([[0.0, 1.0], [10.0, 1.08**10 * 1.1], [20.0, 1.08**20 * 0.95]])
    assert metrics.on_curve_error(points, data.exponential_curve).tolist() == pytest.approx([0, 0.1, 0.05], abs=1e-5)


def test_ks_statistic():
    even = (torch.arange(1000) + 0.5) / 1000 * 50
    assert metrics.ks_uniform(even, 0, 50) == pytest.approx(0.0005, abs=1e-6)
    left_half = even / 2  # everything in [0, 25]: the gap reaches 0.5 at the middle
    assert metrics.ks_uniform(left_half, 0, 50) == pytest.approx(0.5, abs=1e-3)
    assert metrics.ks_uniform(torch.full((100,), 10.0), 0, 50) == pytest.approx(0.8)


def test_share_inside():
    points = torch.tensor([[1.0, 1.0], [60.0, 1.0], [10.0, -5.0], [49.0, 40.0]])
    assert metrics.share_inside(points, (0, 50), (0, 50)) == 0.5


def test_number_quality_sees_mode_collapse_that_validity_misses():
    always_zero = metrics.number_quality(torch.zeros(1000, dtype=torch.long))
    assert always_zero["validity"] == 1.0  # the book's measure: perfect
    assert always_zero["coverage"] == 1 and always_zero["total_variation"] == pytest.approx(0.95)
    even = metrics.number_quality(torch.arange(0, 100, 5).repeat(50))
    assert even == {"validity": 1.0, "coverage": 20, "valid_values": 20, "total_variation": pytest.approx(0.0)}
    half_wrong = metrics.number_quality(torch.tensor([0, 1, 5, 6]))
    assert half_wrong["validity"] == 0.5 and half_wrong["coverage"] == 2
    assert half_wrong["total_variation"] == pytest.approx(0.5 * (0.2 + 0.2 + 0.25 + 0.25 + 18 * 0.05))


def test_crowd_aware_discriminator_sees_how_crowded_a_batch_is():
    D = models.CrowdAwareDiscriminator()
    with torch.no_grad():
        D.linear.weight.zero_()
        D.linear.bias.zero_()
        D.linear.weight[0, -1] = 1.0  # look only at the crowding input
    spread = data.one_hot(torch.arange(0, 100, 5))  # 20 different values: each 1/20 of the batch
    collapsed = data.one_hot(torch.zeros(20, dtype=torch.long))  # all the same value
    assert torch.allclose(D(spread), torch.sigmoid(torch.tensor(1 / 20)).expand(20, 1))
    assert torch.allclose(D(collapsed), torch.sigmoid(torch.tensor(1.0)).expand(20, 1))


def test_crowd_aware_shape_discriminator_feeds_its_net_how_crowded_each_point_is():
    D = models.CrowdAwareShapeDiscriminator(spread=50)
    seen = []
    D.net.register_forward_pre_hook(lambda module, inputs: seen.append(inputs[0]))
    spread_out = data.sample_curve(128, x_range=(0, 50), generator=torch.Generator().manual_seed(0))
    piled_up = data.sample_curve(128, x_range=(4, 6), generator=torch.Generator().manual_seed(0))
    D(spread_out), D(piled_up)
    (even, crowded) = (inputs[:, 2] for inputs in seen)
    assert torch.equal(seen[0][:, :2], spread_out)
    assert 0.3 < even.mean() < 3  # "about 1 for evenly spread points"
    assert crowded.min() > 5 * even.max()


def test_train_shape_gan_learns_towards_the_curve_and_keeps_the_average(capsys):
    torch.manual_seed(0)
    real = data.sample_curve(256)
    loader = data.TensorLoader(real, batch_size=64, shuffle=True)
    G, D = models.shape_generator(), models.CrowdAwareShapeDiscriminator(spread=50)
    history, snapshots = training.train_shape_gan(G, D, loader, data.exponential_curve, 1e-3, (0.5, 0.999), 40,
                                                  None, 20, ema_decay=0.9, lr_decay_from=0.5)
    assert len(history["on_curve_mse"]) == 40 and list(snapshots) == ["epoch 20", "epoch 40"]
    assert "trained 40 epochs" in capsys.readouterr().out
    with torch.no_grad():  # G now holds the average's weights: it makes the last snapshot's points
        assert torch.allclose(G(torch.randn(1000, 2, generator=torch.Generator().manual_seed(1))), snapshots["epoch 40"])


def test_train_shape_gan_stops_with_the_books_rule_and_keeps_the_best_epoch(capsys):
    torch.manual_seed(0)
    loader = data.TensorLoader(data.sample_curve(128), batch_size=64)
    G, D = models.shape_generator(), models.shape_discriminator()
    history, _ = training.train_shape_gan(G, D, loader, data.exponential_curve, 5e-4, (0.9, 0.999), 200, 3, 100)
    best = min(history["on_curve_mse"])
    assert len(history["on_curve_mse"]) == history["on_curve_mse"].index(best) + 1 + 3
    assert f"best on-curve MSE {best:.4f}" in capsys.readouterr().out
    with torch.no_grad():
        fake = G(torch.randn(1000, 2, generator=torch.Generator().manual_seed(1)))
    assert ((fake[:, 1] - data.exponential_curve(fake[:, 0])) ** 2).mean().item() == pytest.approx(best, rel=1e-5)


def test_remainder_mse_is_the_books_blind_measure():
    assert metrics.remainder_mse(torch.tensor([0, 5, 12, 13])) == pytest.approx((4 + 9) / 4)
    assert metrics.remainder_mse(torch.zeros(100, dtype=torch.long)) == 0.0  # collapsed, yet perfect
    assert metrics.remainder_mse(torch.tensor([3, 7]), multiple=3) == pytest.approx(0.5)
