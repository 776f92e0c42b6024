"""Every exercise check: the reference solution passes, typical wrong answers get their hint, and an
unfinished answer is "not yet", never an exception."""

import ast
import inspect
import itertools
import json
import math
from pathlib import Path

import pytest
import torch
from torch import nn

from gan_helpers import data, models, training
from gan_helpers.course import exercises

from support import ROOT, one_hot_decode, one_hot_encode


def passes(verdict):
    assert verdict.passed, verdict
    assert str(verdict).startswith(f"Exercise {verdict.exercise}: pass")


def not_yet(verdict, *words):
    assert not verdict.passed, verdict
    text = str(verdict)
    assert text.startswith(f"Exercise {verdict.exercise}: not yet")
    for word in words:
        assert word in text, (word, text)


UNFINISHED = [None, lambda *args, **kwargs: None, lambda *args, **kwargs: 1 / 0]


@pytest.fixture(autouse=True)
def _progress_elsewhere(course_root):
    """Every check records its verdict in the course folder's files/progress.json: here a
    temporary one, not the checkout's (test_progress.py tests the record)."""


# ---- notebook 01


def test_warmups():
    m = torch.arange(9).reshape(3, 3)
    values = torch.tensor([4.0, 2.0, 9.0, 1.0, 7.0])
    right = dict(numbers=torch.tensor([10, 20, 30, 40, 50]), zeros=torch.zeros(2, 3, 4),
                 middle=torch.arange(10)[3:7], element=m[1, 2], smallest=values.min(),
                 where=values.argmin())
    passes(exercises.check_warmups(**right))
    not_yet(exercises.check_warmups(**{**right, "middle": torch.arange(10)[3:6]}), "`middle`",
            "stops before its end")
    not_yet(exercises.check_warmups(**{**right, "element": m[2, 3 - 1 - 1]}), "count from 0")
    not_yet(exercises.check_warmups(numbers=None, zeros=None), "`numbers`", "5 more to do")


def test_should_stop():
    def book_rule(losses, patience):
        best, waited = math.inf, 0
        for loss in losses:
            best, waited = (loss, 0) if loss < best else (best, waited + 1)
        return waited >= patience

    passes(exercises.check_should_stop(book_rule))

    def since_start(losses, patience):
        return len(losses) > patience

    def equal_counts(losses, patience):
        best, waited = math.inf, 0
        for loss in losses:
            best, waited = (loss, 0) if loss <= best else (best, waited + 1)
        return waited >= patience

    def previous_epoch(losses, patience):
        waited = 0
        for before, loss in itertools.pairwise(losses):
            waited = 0 if loss < before else waited + 1
        return waited >= patience

    not_yet(exercises.check_should_stop(since_start), "since the last new minimum")
    not_yet(exercises.check_should_stop(equal_counts), "equal loss is no new minimum")
    not_yet(exercises.check_should_stop(previous_epoch), "lowest loss so far")
    for unfinished in UNFINISHED:
        not_yet(exercises.check_should_stop(unfinished))


def test_most_confused():
    confusion = torch.tensor([[50, 2, 9], [1, 60, 0], [4, 3, 40]])
    names = ["shirt", "coat", "t-shirt"]
    passes(exercises.check_most_confused(("shirt", "t-shirt"), confusion, names))
    not_yet(exercises.check_most_confused(("t-shirt", "shirt"), confusion, names),
            "wrong way round", "rows are true classes")
    not_yet(exercises.check_most_confused(("coat", "coat"), confusion, names),
            "leave out the diagonal")
    not_yet(exercises.check_most_confused(None, confusion, names), "two class names")


def binary_model(dropout_at):
    layers = [nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
              nn.Linear(128, 32), nn.ReLU(), nn.Linear(32, 1), nn.Sigmoid()]
    if dropout_at is not None:
        layers.insert(dropout_at, nn.Dropout(0.25))
    return nn.Sequential(*layers)


def test_dropout_placement():
    trained = [0.08, 0.03, 0.01]  # below the book placement's floor ln(2) / 4 = 0.173
    passes(exercises.check_dropout_placement(binary_model(3), trained))
    passes(exercises.check_dropout_placement(binary_model(3), torch.tensor(trained)))
    passes(exercises.check_dropout_placement(binary_model(3), [torch.tensor(x) for x in trained]))
    at_floor = [0.19, 0.18, 0.178]  # the book's placement: a quarter of the outputs are 0.5
    not_yet(exercises.check_dropout_placement(binary_model(8), at_floor),
            "follows the last linear layer", "0.173", "after the first ReLU")
    not_yet(exercises.check_dropout_placement(binary_model(None), trained), "no Dropout")
    not_yet(exercises.check_dropout_placement(binary_model(5), trained),
            "right after the first ReLU")
    not_yet(exercises.check_dropout_placement(None, trained), "nn.Sequential")
    # the right placement, not trained (or its losses not kept): the loss is what it changes
    not_yet(exercises.check_dropout_placement(binary_model(3), at_floor), "0.1780", "floor",
            "train this model")
    for unfinished in (None, [], "0.01", [None], {"loss": 0.01}):
        not_yet(exercises.check_dropout_placement(binary_model(3), unfinished),
                "the placement is right", "train_epoch")


def test_patience_replay():
    losses = [0.9, 0.7, 0.6, 0.65, 0.61, 0.62, 0.5]
    right = {1: (4, 3), 3: (6, 3), 10: (None, 7)}
    passes(exercises.check_patience_replay(right, losses))
    not_yet(exercises.check_patience_replay({**right, 3: (6, 2)}, losses), "patience 3",
            "count from 1")
    not_yet(exercises.check_patience_replay({1: (4, 3)}, losses), "patience 1, 3")
    not_yet(exercises.check_patience_replay(None, losses), "EarlyStop")


def test_wrong_shirts():
    labels = torch.tensor([6, 6, 0, 6, 6])
    predictions = torch.tensor([0, 6, 0, 2, 4])
    passes(exercises.check_wrong_shirts(torch.tensor([0, 3, 4]), predictions, labels, shirt=6))
    not_yet(exercises.check_wrong_shirts(torch.tensor([0, 2]), predictions, labels, shirt=6),
            "not shirts")
    not_yet(exercises.check_wrong_shirts(torch.tensor([0, 1]), predictions, labels, shirt=6),
            "got some of these shirts right")
    not_yet(exercises.check_wrong_shirts(torch.tensor([0]), predictions, labels, shirt=6), "16")
    not_yet(exercises.check_wrong_shirts(None, predictions, labels, shirt=6), "1-D tensor")


# ---- notebook 02


def test_discriminator_loss():
    bce = nn.BCELoss()

    def right(d_real, d_fake):
        return bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))

    passes(exercises.check_discriminator_loss(right))
    not_yet(exercises.check_discriminator_loss(lambda r, f: right(f, r)), "labels are swapped")
    not_yet(exercises.check_discriminator_loss(lambda r, f: bce(f, torch.ones_like(f))),
            "G's loss")
    not_yet(exercises.check_discriminator_loss(lambda r, f: right(r, f) / 2), "half")
    for unfinished in UNFINISHED:
        not_yet(exercises.check_discriminator_loss(unfinished))


def test_sine_points():
    passes(exercises.check_sine_points(data.sample_curve(2048, torch.sin, x_range=(-5, 5))))
    not_yet(exercises.check_sine_points(data.sample_curve(2048, torch.sin, x_range=(0, 10))),
            "between -5 and 5")
    not_yet(exercises.check_sine_points(data.sample_curve(2048, torch.cos, x_range=(-5, 5))),
            "not sin x")
    not_yet(exercises.check_sine_points(None), "(2048, 2)")


def test_sine_gan_is_judged_only_after_enough_epochs():
    class OnTheWave(nn.Module):  # a perfect generator: x spread evenly on [-5, 5], y = sin x
        def forward(self, z):
            x = 10 * torch.special.ndtr(z[:, 0]) - 5
            return torch.stack([x, torch.sin(x)], dim=1)

    class Nearby(OnTheWave):
        def forward(self, z):
            return super().forward(z) * 0 + torch.tensor([0.5, 1.0])  # one point, off the wave

    perfect = nn.Sequential(OnTheWave(), nn.Linear(2, 2))  # a parameter, for generate's device
    with torch.no_grad():
        perfect[1].weight.copy_(torch.eye(2))
        perfect[1].bias.zero_()
    passes(exercises.check_sine_gan(perfect, epochs=150))
    not_yet(exercises.check_sine_gan(perfect, epochs=4), "too few to judge")
    collapsed = nn.Sequential(Nearby(), nn.Linear(2, 2))
    with torch.no_grad():
        collapsed[1].weight.copy_(torch.eye(2))
        collapsed[1].bias.zero_()
    not_yet(exercises.check_sine_gan(collapsed, epochs=150), "KS statistic", "spread 10")
    not_yet(exercises.check_sine_gan(None, epochs=150), "trained generator")


# ---- notebook 03


def test_one_hot():
    encode, decode = one_hot_encode, one_hot_decode
    passes(exercises.check_one_hot(encode, decode))
    not_yet(exercises.check_one_hot(lambda n, w=100: encode(n, w).long(), decode), "float")
    not_yet(exercises.check_one_hot(lambda n, w=100: encode(n, w).T, decode), "shape (100, 5)")
    not_yet(exercises.check_one_hot(lambda n, w=100: encode((n + 1) % w, w), decode),
            "position n for the number n")
    not_yet(exercises.check_one_hot(encode, lambda v: (v == 1).float().argmax(dim=1)),
            "not exactly 0 and 1")
    for unfinished in UNFINISHED:
        not_yet(exercises.check_one_hot(unfinished, decode))


def test_multiples_gan():
    class Fixed(nn.Module):  # a "generator" that always makes the numbers in `made`, in turn
        def __init__(self, made):
            super().__init__()
            self.scores = nn.Parameter(torch.nn.functional.one_hot(torch.tensor(made), 100).float())

        def forward(self, noise):
            return self.scores[torch.arange(len(noise)) % len(self.scores)]

    every_third = Fixed(list(range(0, 100, 3)))
    passes(exercises.check_multiples_gan(every_third, multiple=3, steps=6000))
    not_yet(exercises.check_multiples_gan(every_third, multiple=3, steps=300), "too few")
    not_yet(exercises.check_multiples_gan(Fixed(list(range(0, 100, 5))), multiple=3, steps=6000),
            "validity", "multiples of 3")
    not_yet(exercises.check_multiples_gan(None, multiple=3, steps=6000), "trained generator")


# ---- notebook 04


def test_mirrored_generator():
    def right(d_widths, latent_size=100):
        return models.fashion_generator(latent_size, widths=tuple(reversed(d_widths)))

    passes(exercises.check_mirrored_generator(right))
    not_yet(exercises.check_mirrored_generator(
        lambda d_widths, latent_size=100: models.fashion_generator(latent_size, widths=d_widths)),
        "reverse D's widths")
    no_tanh = lambda d_widths, latent_size=100: right(d_widths, latent_size)[:-2]  # noqa: E731
    not_yet(exercises.check_mirrored_generator(no_tanh), "nn.Unflatten")
    for unfinished in UNFINISHED:
        not_yet(exercises.check_mirrored_generator(unfinished))


def test_exercise_widths():
    D = models.fashion_discriminator((1000, 500, 200))
    G = models.fashion_generator(widths=(200, 500, 1000))
    passes(exercises.check_exercise_widths(D, G))
    not_yet(exercises.check_exercise_widths(models.fashion_discriminator(), G), "D's linear",
            "(1000, 500, 200)")
    not_yet(exercises.check_exercise_widths(D, models.fashion_generator(widths=(1000, 500, 200))),
            "mirror")
    not_yet(exercises.check_exercise_widths(None, None), "exercise 4.1's D")


# ---- notebook 05


def test_bottom_right():
    passes(exercises.check_bottom_right([1, 4, 21, 24]))
    not_yet(exercises.check_bottom_right([10, 10, 10, 20]), "add up to 50", "same place")
    not_yet(exercises.check_bottom_right([1, 2, 3, 4]), "not 50", "bottom-right window")
    not_yet(exercises.check_bottom_right(None), "four products")


def test_transposed_by_hand():
    layer = nn.ConvTranspose2d(1, 1, kernel_size=2, stride=2, bias=False)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[2.0, 3], [4, 5]]).reshape(1, 1, 2, 2))
    output = layer(torch.tensor([[10.0, 10], [15, 20]]).reshape(1, 1, 2, 2)).detach()[0, 0]
    passes(exercises.check_transposed_by_hand(output.clone(), output))
    wrong = output.clone()
    wrong[0, 2] = 0
    not_yet(exercises.check_transposed_by_hand(wrong, output), "output[0, 2]", "top right block")
    not_yet(exercises.check_transposed_by_hand(None, output), "4x4")


def cross_correlation(image, kernel, stride=1, padding=0):
    padded = nn.functional.pad(image, (padding,) * 4)
    k = kernel.shape[0]
    rows = (image.shape[0] + 2 * padding - k) // stride + 1
    cols = (image.shape[1] + 2 * padding - k) // stride + 1
    out = torch.zeros(rows, cols)
    for i in range(rows):
        for j in range(cols):
            window = padded[i * stride: i * stride + k, j * stride: j * stride + k]
            out[i, j] = (window * kernel).sum()
    return out


def test_conv2d_by_hand():
    passes(exercises.check_conv2d_by_hand(cross_correlation))
    not_yet(exercises.check_conv2d_by_hand(
        lambda image, kernel, stride=1, padding=0: cross_correlation(image, kernel.flip(0, 1),
                                                                     stride, padding)),
        "flipped the kernel")
    not_yet(exercises.check_conv2d_by_hand(
        lambda image, kernel, stride=1, padding=0: cross_correlation(image, kernel, 1, padding)),
        "(n + 2p - k) // s + 1")
    for unfinished in UNFINISHED:
        not_yet(exercises.check_conv2d_by_hand(unfinished))


def spread(image, kernel, stride, add=True):
    k = kernel.shape[0]
    size = (image.shape[0] - 1) * stride + k
    out = torch.zeros(size, size)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            block = out[i * stride: i * stride + k, j * stride: j * stride + k]
            block.copy_(block + image[i, j] * kernel if add else image[i, j] * kernel)
    return out


def test_transposed_conv_by_hand():
    passes(exercises.check_transposed_conv_by_hand(spread))
    not_yet(exercises.check_transposed_conv_by_hand(
        lambda image, kernel, stride: spread(image, kernel, stride, add=False)), "add the values")
    not_yet(exercises.check_transposed_conv_by_hand(
        lambda image, kernel, stride: spread(image, kernel, 2)), "(n - 1) * s + k")
    for unfinished in UNFINISHED:
        not_yet(exercises.check_transposed_conv_by_hand(unfinished))


# ---- notebook 06


def test_init_weights():
    passes(exercises.check_init_weights(models.init_weights))

    def convolutions_only(module):
        if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(module.weight, 0.0, 0.02)

    def everything_small(module):
        if isinstance(module, nn.Conv2d | nn.ConvTranspose2d | nn.BatchNorm2d):
            nn.init.normal_(module.weight, 0.0, 0.02)

    not_yet(exercises.check_init_weights(lambda module: None), "N(0, 0.02)", "nn.init.normal_")
    not_yet(exercises.check_init_weights(convolutions_only), "BatchNorm's scales", "N(1, 0.02)")
    not_yet(exercises.check_init_weights(everything_small), "N(1, 0.02)")
    not_yet(exercises.check_init_weights(lambda module: module.weight.zero_()), "isinstance")


def book_init_but_for(forgotten):
    """The book's init_weights, except that layers of type ``forgotten`` keep PyTorch's."""
    def init_weights(module):
        if not isinstance(module, forgotten):
            models.init_weights(module)
    return init_weights


def test_init_weights_that_forgets_conv2d_fails_on_d_and_names_the_layer():
    """G has no nn.Conv2d: only D shows the mistake (review C-1)."""
    not_yet(exercises.check_init_weights(book_init_but_for(nn.Conv2d)),
            "D's nn.Conv2d layers", "D is built from nn.Conv2d layers: draw their weights too")


def test_init_weights_that_forgets_conv_transpose2d_fails_on_g_and_names_the_layer():
    not_yet(exercises.check_init_weights(book_init_but_for(nn.ConvTranspose2d)),
            "G's nn.ConvTranspose2d layers",
            "G is built from nn.ConvTranspose2d layers: draw their weights too")


def test_init_weights_check_leaves_the_notebooks_random_numbers_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    exercises.check_init_weights(models.init_weights)
    assert torch.equal(torch.rand(3), expected)


def test_leaky_relu():
    passes(exercises.check_leaky_relu(lambda x, slope=0.2: torch.where(x > 0, x, slope * x)))
    not_yet(exercises.check_leaky_relu(lambda x, slope=0.2: torch.relu(x)), "that is ReLU")
    not_yet(exercises.check_leaky_relu(lambda x, slope=0.2: torch.where(x > 0, slope * x, x)),
            "positive side")
    for unfinished in UNFINISHED:
        not_yet(exercises.check_leaky_relu(unfinished))


def trained(network, *inputs):
    """``network`` after one batch in training mode: its BatchNorm layers have seen a batch."""
    network.train()(*inputs)
    return network


def test_without_noise():
    def dcgan_d(std):
        return nn.Sequential(models.InstanceNoise(std), models.dcgan_discriminator(features=4))

    images = torch.randn(2, 3, 64, 64)
    passes(exercises.check_without_noise(trained(dcgan_d(0.0), images)))
    passes(exercises.check_without_noise(trained(models.dcgan_discriminator(features=4), images)))
    not_yet(exercises.check_without_noise(dcgan_d(0.0)), "has not trained yet", "train_gan")
    not_yet(exercises.check_without_noise(dcgan_d(0.5)), "std 0.5", "instance_noise=0.0")
    not_yet(exercises.check_without_noise(models.fashion_discriminator()), "no convolution")
    not_yet(exercises.check_without_noise(None), "discriminator you trained")


# ---- notebook 07


def penalty(mixing="per example", norm="per example", create_graph=True):
    """A gradient_penalty, right or with one of the named mistakes: ``mixing`` "per example"
    (right), "at real" (no interpolation), "per pixel" (torch.rand_like(real)) or "per batch";
    ``norm`` "per example" (right), "element by element" (abs of each value), "per pixel" (over
    the channels only) or "squared"."""
    def gradient_penalty(critic, real, fake):
        weight = {"per example": lambda: torch.rand(len(real), 1, 1, 1),
                  "per pixel": lambda: torch.rand_like(real), "per batch": lambda: torch.rand(()),
                  "at real": lambda: torch.ones(())}[mixing]()
        mixed = (weight * real + (1 - weight) * fake).requires_grad_(True)
        (gradient,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=create_graph)
        if norm == "element by element":
            return ((gradient.abs() - 1) ** 2).mean()
        length = {"per example": lambda: gradient.flatten(1).norm(dim=1),
                  "per pixel": lambda: gradient.norm(dim=1),
                  "squared": lambda: gradient.flatten(1).pow(2).sum(dim=1)}[norm]()
        return ((length - 1) ** 2).mean()
    return gradient_penalty


def test_gradient_penalty():
    passes(exercises.check_gradient_penalty(training.gradient_penalty))
    passes(exercises.check_gradient_penalty(penalty()))
    not_yet(exercises.check_gradient_penalty(penalty(norm="squared")), "squared length")
    not_yet(exercises.check_gradient_penalty(penalty(create_graph=False)), "create_graph=True")
    not_yet(exercises.check_gradient_penalty(lambda critic, real, fake: torch.zeros(())),
            "penalty of 0", "write the penalty")
    for unfinished in UNFINISHED:
        not_yet(exercises.check_gradient_penalty(unfinished))


def test_gradient_penalty_at_the_real_points_fails_with_its_hint():
    """No interpolation: a linear critic cannot tell, a quadratic one can (review C-2)."""
    not_yet(exercises.check_gradient_penalty(penalty(mixing="at real")),
            "taken at the real images themselves", "take it at mixed points",
            "torch.rand(len(real), 1, 1, 1)")

    def at_real(critic, real, fake):  # the mistake as a learner writes it
        real = real.requires_grad_(True)
        (gradient,) = torch.autograd.grad(critic(real).sum(), real, create_graph=True)
        return ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()

    not_yet(exercises.check_gradient_penalty(at_real), "at the real images",
            "take it at mixed points")


def test_gradient_penalty_with_a_weight_per_pixel_fails_with_its_hint():
    not_yet(exercises.check_gradient_penalty(penalty(mixing="per pixel")),
            "a weight per pixel, not per example", "not torch.rand_like(real)")


def test_gradient_penalty_with_one_weight_for_the_batch_fails_with_its_hint():
    not_yet(exercises.check_gradient_penalty(penalty(mixing="per batch")),
            "all 8 examples were mixed with the same weight", "one random weight per example")


@pytest.mark.parametrize("norm", ["element by element", "per pixel"])
def test_gradient_penalty_with_a_per_pixel_norm_fails_with_its_hint(norm):
    not_yet(exercises.check_gradient_penalty(penalty(norm=norm)), "expected",
            "one norm per example, over all its values: gradient.flatten(1).norm(dim=1)")


def test_single_label():
    G = models.conditional_generator(inputs=101, features=4, image_size=8)
    C = models.wgan_critic(channels=4, features=4, image_size=8)
    not_yet(exercises.check_single_label(G, C), "has not trained yet", "train_gan")
    passes(exercises.check_single_label(trained(G, torch.randn(2, 101, 1, 1)), C))
    one_hot_G = models.conditional_generator(features=4, image_size=8)
    not_yet(exercises.check_single_label(one_hot_G, C), "101", "inputs=101")
    not_yet(exercises.check_single_label(G, models.wgan_critic(features=4, image_size=8)),
            "make 4", "channels=4")
    not_yet(exercises.check_single_label(None, None), "conditional generator")


# ---- the function that trains: the learner's once its check passes, else the course's


def test_a_passing_answer_is_the_one_that_trains(capsys):
    yours = penalty()
    assert exercises.yours_or_reference(yours, exercises.check_gradient_penalty) is yours
    assert capsys.readouterr().out == "your gradient_penalty passed its check: it trains below\n"


def test_a_failing_answer_gives_way_to_the_course_reference(capsys):
    yours = penalty(mixing="per pixel")
    used = exercises.yours_or_reference(yours, exercises.check_gradient_penalty)
    out = capsys.readouterr().out
    assert out.startswith("your gradient_penalty did not pass its check (exercise 7.a: ")
    assert "a weight per pixel" in out
    assert out.endswith("the course's gradient_penalty trains below instead; fix yours, run its "
                        "cell, then re-run from here\n")
    assert out.count("\n") == 1
    assert used is not yours and used.stands_in_for is yours
    assert used.__wrapped__ is training.gradient_penalty
    critic = nn.Sequential(nn.Flatten(), nn.Linear(80, 1))
    real, fake = torch.randn(4, 5, 4, 4), torch.randn(4, 5, 4, 4)
    torch.manual_seed(0)
    expected = training.gradient_penalty(critic, real, fake)
    torch.manual_seed(0)
    assert torch.equal(used(critic, real, fake), expected)


def test_an_unfinished_init_gives_way_to_the_course_init(capsys):
    used = exercises.yours_or_reference(lambda module: None, exercises.check_init_weights)
    assert used.__wrapped__ is models.init_weights
    assert "your init_weights did not pass its check (exercise 6.a: " in capsys.readouterr().out


def test_the_stand_in_is_never_judged_in_place_of_the_learners_answer(capsys):
    """Run again on the stand-in (the learner re-ran a cell, not the answer's), the check and the
    choice both judge the learner's own answer: the course's cannot pass for it."""
    yours = penalty(mixing="at real")
    stand_in = exercises.yours_or_reference(yours, exercises.check_gradient_penalty)
    not_yet(exercises.check_gradient_penalty(stand_in), "at the real images")
    again = exercises.yours_or_reference(stand_in, exercises.check_gradient_penalty)
    assert again.stands_in_for is yours
    assert capsys.readouterr().out.count("did not pass") == 2


def test_the_choice_leaves_the_notebooks_random_numbers_alone(capsys):
    torch.manual_seed(3)
    expected = torch.rand(4)
    torch.manual_seed(3)
    exercises.yours_or_reference(penalty(), exercises.check_gradient_penalty)
    assert torch.equal(torch.rand(4), expected)


def test_a_reference_can_be_given():
    def reference(x):
        return x

    used = exercises.yours_or_reference(None, exercises.check_should_stop, reference=reference)
    assert used.__wrapped__ is reference
    with pytest.raises(ValueError, match="pass reference="):
        exercises.yours_or_reference(None, exercises.check_should_stop)


@pytest.mark.parametrize("name", [name for name in dir(exercises) if name.startswith("check_")])
def test_every_check_is_tested_here(name):
    """Every check is called somewhere in this file's code (comments do not count)."""
    called = {node.func.attr for node in ast.walk(ast.parse(Path(__file__).read_text()))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "exercises"}
    assert name in called, f"exercises.{name} is never called by a test here"


# ---- answers of the wrong kind: each check says "not yet", never raises

WRONG_KIND = {  # check: its arguments, with the learner's part a half-finished value
    "check_patience_replay": ({1: (4, 3), 3: None, 10: "stops"}, [1.0, 0.9, 0.95, 0.97]),
    "check_bottom_right": ([1, 4, None, None],),
    "check_wrong_shirts": (torch.tensor([99_999]), torch.zeros(10, dtype=torch.long),
                           torch.zeros(10, dtype=torch.long)),
    "check_mirrored_generator": (lambda d_widths, latent_size: nn.Identity(),),
    "check_sine_gan": (nn.Linear(3, 1), 150),
    "check_multiples_gan": (nn.Linear(7, 2), 3, 5000),
    "check_single_label": ("G", "C"),
}


@pytest.mark.parametrize("name", sorted(WRONG_KIND))
def test_an_answer_of_the_wrong_kind_is_not_yet(name):
    verdict = getattr(exercises, name)(*WRONG_KIND[name])
    not_yet(verdict)


def test_every_check_is_wrapped_by_the_decorator_that_turns_errors_into_verdicts():
    """What the wrapper does is tested above (UNFINISHED, WRONG_KIND); here, that every check has
    it, so that a new check cannot raise at a learner."""
    checks = [name for name in dir(exercises) if name.startswith("check_")]
    for name in checks:
        function = getattr(exercises, name)
        assert hasattr(function, "__wrapped__"), f"{name} is not wrapped by exercises._never_raises"


def test_the_sine_exercise_states_the_levels_its_check_passes_at():
    """Notebook 02's exercise text says what the check wants (review (c)7 of 01-04): spread 10
    and the levels, the same as the check's."""
    notebook = json.loads((ROOT / "notebooks" / "02_shape_gan.ipynb").read_text())
    text = next(" ".join("".join(cell["source"]).split()) for cell in notebook["cells"]
                if "**Exercises 3.2 and 3.3 (book).**" in "".join(cell["source"]))
    for said in ("course_players(spread=10)", "0.25 or less", "0.15 or less", "100 epochs"):
        assert said in text, said
    assert "judge_from, most_distance, most_ks = 100, 0.25, 0.15" in inspect.getsource(
        exercises.check_sine_gan)
