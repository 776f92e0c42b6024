"""Every network of the course: the book's shapes and sizes, weight init, instance noise, and the
conditional GAN's inputs."""

import pytest
import torch
from torch import nn

from gan_helpers import data, models


@pytest.mark.parametrize(("build", "noise", "out"), [
    (models.shape_generator, (7, 2), (7, 2)),
    (models.number_generator, (7, 100), (7, 100)),
])
def test_generator_shapes(build, noise, out):
    assert build()(torch.randn(*noise)).shape == out


@pytest.mark.parametrize(("build", "inputs"), [
    (models.shape_discriminator, (7, 2)),
    (lambda: models.CrowdAwareShapeDiscriminator(spread=50), (7, 2)),
    (models.number_discriminator, (7, 100)),
])
def test_discriminators_give_probabilities(build, inputs):
    p = build()(torch.randn(*inputs))
    assert p.shape == (7, 1) and (p > 0).all() and (p < 1).all()


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
    seeded = torch.Generator().manual_seed(0)
    spread_out = data.sample_curve(128, x_range=(0, 50), generator=seeded)
    piled_up = data.sample_curve(128, x_range=(4, 6), generator=torch.Generator().manual_seed(0))
    D(spread_out), D(piled_up)
    (even, crowded) = (inputs[:, 2] for inputs in seen)
    assert torch.equal(seen[0][:, :2], spread_out)
    assert 0.3 < even.mean() < 3  # "about 1 for evenly spread points"
    assert crowded.min() > 5 * even.max()


def linear_widths(network):
    return [(m.in_features, m.out_features) for m in network if isinstance(m, nn.Linear)]


def test_fashion_players_mirror_each_other_and_take_images():
    D, G = models.fashion_discriminator(), models.fashion_generator()
    assert linear_widths(D) == [(784, 1024), (1024, 512), (512, 256), (256, 1)]
    assert linear_widths(G) == [(100, 256), (256, 512), (512, 1024), (1024, 784)]
    images = G(torch.randn(5, 100))
    assert images.shape == (5, 1, 28, 28) and images.abs().max() <= 1
    p = D(images)
    assert p.shape == (5, 1) and ((p > 0) & (p < 1)).all()
    assert sum(isinstance(m, nn.Dropout) and m.p == 0.3 for m in D) == 3


def test_exercise_widths():
    d_widths = linear_widths(models.fashion_discriminator((1000, 500, 200)))
    assert d_widths[:3] == [(784, 1000), (1000, 500), (500, 200)]
    g_widths = linear_widths(models.fashion_generator(widths=(200, 500, 1000)))
    assert g_widths[1:] == [(200, 500), (500, 1000), (1000, 784)]


def test_dcgan_players_have_the_books_shapes():
    D, G = models.dcgan_discriminator(), models.dcgan_generator()
    images = G(torch.randn(2, 100, 1, 1))
    assert images.shape == (2, 3, 64, 64)
    assert D(images).shape == (2, 1)
    # the parameter counts of the DCGAN of the book (and of PyTorch's DCGAN tutorial)
    assert models.parameter_count(D) == 2_765_568
    assert models.parameter_count(G) == 3_576_704
    convolutions = [m for m in [*D, *G] if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    assert not any(m.bias is not None for m in convolutions)


def test_notebook_06s_players_take_flat_noise_and_are_initialised_the_books_way():
    torch.manual_seed(0)
    G, D = models.dcgan_players(latent_size=10, features=4, instance_noise=0.3)
    images = G(torch.randn(2, 10))
    assert images.shape == (2, 3, 64, 64) and D(images).shape == (2, 1)
    assert isinstance(D[0], models.InstanceNoise) and D[0].std == 0.3
    first = next(m for m in G.modules() if isinstance(m, nn.ConvTranspose2d))
    assert abs(first.weight.std() - 0.02) < 0.005  # init_weights, not PyTorch's default


def test_layer_shapes_lists_each_layers_output():
    generator = models.dcgan_generator(features=4).eval()
    lines = models.layer_shapes(generator, torch.zeros(1, 100, 1, 1))
    assert lines[0].split(maxsplit=1) == ["ConvTranspose2d", "(32, 4, 4)"]
    assert lines[-1].split(maxsplit=1) == ["Tanh", "(3, 64, 64)"]


def test_init_weights_follows_the_book():
    torch.manual_seed(0)
    G = models.dcgan_generator(features=16)
    G.apply(models.init_weights)
    weights = torch.cat([m.weight.flatten() for m in G if isinstance(m, nn.ConvTranspose2d)])
    assert abs(weights.mean()) < 1e-3 and abs(weights.std() - 0.02) < 1e-3
    norms = [m for m in G if isinstance(m, nn.BatchNorm2d)]
    scales = torch.cat([m.weight.detach() for m in norms])
    assert abs(scales.mean() - 1) < 0.01 and abs(scales.std() - 0.02) < 0.01
    assert all((m.bias == 0).all() for m in norms)


def test_instance_noise_blurs_only_while_training():
    noise = models.InstanceNoise(0.5)
    images = torch.zeros(200, 3, 8, 8)
    assert abs(noise(images).std() - 0.5) < 0.01
    assert torch.equal(noise.eval()(images), images)
    assert torch.equal(models.InstanceNoise(0.0).train()(images), images)


def test_face_classifier_takes_any_image_size():
    classifier = models.face_classifier(outputs=2)
    assert classifier(torch.randn(3, 3, 64, 64)).shape == (3, 2)
    assert classifier(torch.randn(3, 3, 32, 32)).shape == (3, 2)


@pytest.mark.parametrize(("size", "g_widths"), [(64, [256, 128, 64, 32, 3]),
                                            (256, [1024, 512, 256, 128, 64, 32, 3])])
def test_critic_and_generator_fit_the_image_size(size, g_widths):
    G, C = models.conditional_generator(image_size=size), models.wgan_critic(image_size=size)
    images = G(torch.randn(2, 102, 1, 1))
    assert images.shape == (2, 3, size, size) and images.abs().max() <= 1
    assert C(torch.randn(2, 5, size, size)).shape == (2, 1)
    assert [m.out_channels for m in G if isinstance(m, nn.ConvTranspose2d)] == g_widths
    # InstanceNorm, raw scores
    assert not any(isinstance(m, (nn.BatchNorm2d, nn.Sigmoid)) for m in C)
    with pytest.raises(ValueError, match="power of 2"):
        models.wgan_critic(image_size=48)


def test_labels_become_constant_channels_and_generator_inputs():
    images = torch.zeros(2, 3, 8, 8)
    labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    combined = models.label_channels(images, labels)
    assert combined.shape == (2, 5, 8, 8)
    assert (combined[0, 3] == 1).all() and (combined[0, 4] == 0).all()
    assert (combined[1, 4] == 1).all()
    assert models.generator_input(torch.randn(2, 100), labels).shape == (2, 102, 1, 1)
