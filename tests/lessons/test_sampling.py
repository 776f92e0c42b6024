"""Drawing from generators and moving through latent space, without any slider."""

import math

import pytest
import torch
from torch import nn

from gan_helpers import models, sampling

from support import pixel_copier, pixel_reader


def test_seeded_noise_is_the_same_for_a_seed_whatever_ran_before():
    first = sampling.seeded_noise(3, 10, count=4)
    torch.rand(100)
    assert torch.equal(first, sampling.seeded_noise(3, 10, count=4))
    assert not torch.equal(first, sampling.seeded_noise(4, 10, count=4))


def test_generate_runs_in_eval_mode_without_gradients():
    generator = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.9))
    generator.train()
    out = sampling.generate(generator, torch.ones(3, 4))
    assert not generator.training and not out.requires_grad
    assert torch.equal(out, sampling.generate(generator, torch.ones(3, 4)))  # dropout off


def test_generator_latent_size_reads_the_first_layer():
    assert sampling.generator_latent_size(models.fashion_generator(latent_size=64)) == 64
    assert sampling.generator_latent_size(models.dcgan_generator(latent_size=32, features=4)) == 32


def test_latent_square_maps_every_latent_vector():
    generator = models.shape_generator()
    z, outputs = sampling.latent_square(generator, limit=2.0, steps=5)
    assert z.shape == (25, 2) and outputs.shape == (5, 5, 2)
    assert torch.allclose(outputs[1, 3], generator(z[1 * 5 + 3 : 1 * 5 + 4])[0].detach())


def test_sample_numbers_decodes_the_argmax():
    generator = nn.Sequential(nn.Linear(100, 100, bias=False))
    with torch.no_grad():
        generator[0].weight.zero_()
        generator[0].weight[35, 0] = 1.0  # position 35 lights up when the first noise value is > 0
    numbers = sampling.sample_numbers(generator, 50, 100, seed=0)
    assert set(numbers.tolist()) <= {0, 35} and 35 in numbers.tolist()


def test_class_directions_point_from_the_mean_towards_each_class():
    # the classifier says class 3 when G's first pixel (z[0]) is positive, 7 otherwise
    classifier = pixel_reader([0, 0, 0, 1.0, 0, 0, 0, -1.0, 0, 0])
    directions = sampling.class_directions(pixel_copier(), classifier, count=2000)
    assert directions.shape == (10, 4)
    assert torch.allclose(directions[3], torch.tensor([1.0, 0, 0, 0]), atol=0.1)
    assert torch.allclose(directions[7], torch.tensor([-1.0, 0, 0, 0]), atol=0.1)
    assert torch.allclose(directions[[3, 7]].norm(dim=1), torch.ones(2))
    assert (directions[[0, 1, 2, 4, 5, 6, 8, 9]] == 0).all()  # classes G never makes


def test_attribute_directions_point_from_without_to_with():
    # "bright" is seen when z[0] > 0, "dark" when z[0] < 0, "never" never
    classifier = pixel_reader([1.0, -1.0, 0.0])
    names = ["bright", "dark", "never"]
    directions = sampling.attribute_directions(pixel_copier(), classifier, names)
    assert torch.allclose(directions["bright"], torch.tensor([1.0, 0, 0, 0]), atol=0.1)
    assert torch.allclose(directions["dark"], torch.tensor([-1.0, 0, 0, 0]), atol=0.1)
    assert (directions["never"] == 0).all()


def test_glasses_label_blends_the_two_one_hot_labels():
    assert sampling.glasses_label(1.0).tolist() == [[1.0, 0.0]]  # the book's [1, 0]: glasses
    assert sampling.glasses_label(torch.tensor([0.0, 0.25])).tolist() == [[0.0, 1.0], [0.25, 0.75]]


def test_conditional_faces_pairs_each_noise_row_with_a_label():
    generator = nn.Sequential(nn.Flatten(), nn.Linear(102, 2, bias=False))
    with torch.no_grad():
        generator[1].weight.zero_()
        generator[1].weight[0, 100] = 1.0  # output 0: the label's first value (glasses)
    noise = torch.zeros(3, 100)
    one = sampling.conditional_faces(generator, noise, sampling.glasses_label(1.0))
    labels = sampling.glasses_label(torch.tensor([0.0, 0.5, 1.0]))
    each = sampling.conditional_faces(generator, noise, labels)
    assert one[:, 0].tolist() == [1.0, 1.0, 1.0] and each[:, 0].tolist() == [0.0, 0.5, 1.0]


def test_slerp_ends_at_both_vectors_and_keeps_a_typical_length():
    a, b = sampling.seeded_noise(0, 100)[0], sampling.seeded_noise(1, 100)[0]
    path = sampling.slerp(a, b, torch.linspace(0, 1, 5))
    assert torch.allclose(path[0], a, atol=1e-5) and torch.allclose(path[-1], b, atol=1e-5)
    lengths = path.norm(dim=1)
    expected = torch.linspace(0, 1, 5) * (b.norm() - a.norm()) + a.norm()
    assert torch.allclose(lengths, expected, rtol=1e-4)
    straight = 0.5 * a + 0.5 * b  # the straight line's middle is shorter, about |a| / sqrt(2)
    assert straight.norm() < 0.8 * path[2].norm()


def test_slerp_walks_evenly_along_the_arc():
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    middle = sampling.slerp(a, b, 0.5)[0]
    assert middle.tolist() == pytest.approx([math.sqrt(0.5)] * 2)
    # no arc: a line
    assert torch.allclose(sampling.slerp(a, -a, 0.25)[0], torch.tensor([0.5, 0.0]))
