"""Notebook 07's pieces: the ch. 5 critic and generator, labels as channels, the gradient penalty, the step."""

import pytest
import torch
from torch import nn

from gan_helpers import data, models, training


@pytest.mark.parametrize("size, g_widths", [(64, [256, 128, 64, 32, 3]), (256, [1024, 512, 256, 128, 64, 32, 3])])
def test_critic_and_generator_fit_the_image_size(size, g_widths):
    G, C = models.conditional_generator(image_size=size), models.wgan_critic(image_size=size)
    images = G(torch.randn(2, 102, 1, 1))
    assert images.shape == (2, 3, size, size) and images.abs().max() <= 1
    assert C(torch.randn(2, 5, size, size)).shape == (2, 1)
    assert [m.out_channels for m in G if isinstance(m, nn.ConvTranspose2d)] == g_widths
    assert not any(isinstance(m, (nn.BatchNorm2d, nn.Sigmoid)) for m in C)  # InstanceNorm, raw scores
    with pytest.raises(ValueError, match="power of 2"):
        models.wgan_critic(image_size=48)


def test_labels_become_constant_channels_and_generator_inputs():
    images = torch.zeros(2, 3, 8, 8)
    labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    combined = training.label_channels(images, labels)
    assert combined.shape == (2, 5, 8, 8)
    assert (combined[0, 3] == 1).all() and (combined[0, 4] == 0).all() and (combined[1, 4] == 1).all()
    assert training.generator_input(torch.randn(2, 100), labels).shape == (2, 102, 1, 1)


def test_gradient_penalty_of_a_critic_with_a_known_gradient():
    # a linear critic, score = sum(w * x): its gradient is w at every input, so the penalty is (|w| - 1)^2
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
    penalty = training.gradient_penalty(critic, real, fake)
    penalty.backward()  # create_graph: the penalty has a gradient with respect to the critic's weights
    assert critic[1].weight.grad is not None and critic[1].weight.grad.abs().sum() > 0


def test_wgan_gp_step_widens_the_critics_gap_on_a_fixed_batch():
    torch.manual_seed(0)
    G = models.conditional_generator(features=4, image_size=16)
    C = models.wgan_critic(features=4, image_size=16)
    G.apply(models.init_weights)
    C.apply(models.init_weights)
    real = torch.rand(8, 3, 16, 16) * 2 - 1
    labels = nn.functional.one_hot(torch.arange(8) % 2, 2).float()
    g_opt = torch.optim.Adam(G.parameters(), lr=1e-4, betas=(0.0, 0.9))
    c_opt = torch.optim.Adam(C.parameters(), lr=1e-4, betas=(0.0, 0.9))
    first, *_ = training.wgan_gp_step(G, C, real, labels, g_opt, c_opt, latent_size=100)
    for _ in range(5):
        last, g_loss, penalty = training.wgan_gp_step(G, C, real, labels, g_opt, c_opt, latent_size=100)
    assert last < first  # the critic tells real from fake better
    assert not last.requires_grad and penalty >= 0


def test_train_wgan_gp_records_each_epoch_and_draws_each_label():
    torch.manual_seed(0)
    G = models.conditional_generator(features=4, image_size=8)
    C = models.wgan_critic(features=4, image_size=8)
    real = torch.rand(12, 3, 8, 8) * 2 - 1
    labels = nn.functional.one_hot(torch.arange(12) % 2, 2).float()
    loader = data.TensorLoader(real, labels, batch_size=4)
    fixed = training.generator_input(torch.randn(2, 100), torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    history, snapshots = training.train_wgan_gp(
        G, C, loader, torch.optim.Adam(G.parameters()), torch.optim.Adam(C.parameters()), 3, 100, fixed, 2)
    assert {key: len(values) for key, values in history.items()} == {"c_loss": 3, "g_loss": 3, "penalty": 3}
    assert all(isinstance(value, float) for values in history.values() for value in values)
    assert sorted(snapshots) == [2, 3] and snapshots[3].shape == (2, 3, 8, 8)


def test_a_single_binary_label_works_with_the_same_step():
    # exercise 5.4: one label value instead of the one-hot, so 101 generator inputs and 4 critic channels
    G = models.conditional_generator(inputs=101, features=4, image_size=8)
    C = models.wgan_critic(channels=4, features=4, image_size=8)
    labels = torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    losses = training.wgan_gp_step(G, C, torch.rand(4, 3, 8, 8), labels, torch.optim.Adam(G.parameters()),
                                   torch.optim.Adam(C.parameters()), latent_size=100)
    assert all(torch.isfinite(loss) for loss in losses)
