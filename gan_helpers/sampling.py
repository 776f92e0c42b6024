"""Drawing from a generator and moving through its latent space (introduced in notebook 02).

Seeded noise, G's output in eval mode, latent directions found with a classifier, and the labels
of the conditional GAN. The sliders of ``widgets`` are built on these; nothing here needs
ipywidgets.
"""

from __future__ import annotations

import torch
from torch import nn

from . import metrics
from .models import generator_input


def generate(generator: nn.Module, noise: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The generator's output for ``noise``, in eval mode, without gradients, on the CPU:
    ``metrics.outputs_of`` (which runs any network that way, batch by batch) for a generator."""
    return metrics.outputs_of(generator, noise, batch_size)


def seeded_noise(seed: int, latent_size: int, count: int = 1) -> torch.Tensor:
    """``count`` latent vectors from a standard normal, drawn with their own seed: the same seed,
    the same vectors, whatever ran before (notebook 02)."""
    return torch.randn(count, latent_size, generator=torch.Generator().manual_seed(seed))


def generator_latent_size(generator: nn.Module) -> int:
    """The number of inputs a generator takes: the input size of its first layer (notebook 04)."""
    first = next(module for module in generator.modules()
                 if isinstance(module, (nn.Linear, nn.ConvTranspose2d)))
    return first.in_features if isinstance(first, nn.Linear) else first.in_channels


def slerp(a: torch.Tensor, b: torch.Tensor, weight: float | torch.Tensor) -> torch.Tensor:
    """Spherical interpolation from ``a`` (weight 0) to ``b`` (weight 1) (notebook 07).

    Walks along the great circle between the two directions while the length changes evenly from
    |a| to |b|, so that a path between two typical noise vectors keeps a typical length; the
    straight line between them passes closer to 0, where G saw few vectors in training (Shoemake,
    1985; White, 2016). ``weight`` may be a tensor of weights, giving one row each.
    """
    weight = torch.as_tensor(weight, dtype=a.dtype).reshape(-1, 1)
    unit_a, unit_b = a / a.norm(), b / b.norm()
    angle = torch.arccos((unit_a * unit_b).sum().clamp(-1, 1))
    if torch.sin(angle) < 1e-6:  # the same or opposite directions: no single arc, take the line
        return (1 - weight) * a + weight * b
    direction = torch.sin((1 - weight) * angle) * unit_a + torch.sin(weight * angle) * unit_b
    length = (1 - weight) * a.norm() + weight * b.norm()
    return direction / torch.sin(angle) * length


@torch.no_grad()
def latent_square(generator: nn.Module, limit: float = 3.0,
                  steps: int = 61) -> tuple[torch.Tensor, torch.Tensor]:
    """G's output over a grid of 2-number latent vectors in [-limit, limit]^2 (notebook 02):
    (the grid of z, (steps, steps, 2) outputs)."""
    axis = torch.linspace(-limit, limit, steps)
    z = torch.cartesian_prod(axis, axis)  # rows: z1 fixed, z2 varying
    return z, generate(generator, z).view(steps, steps, -1)


def sample_numbers(generator: nn.Module, count: int, width: int, seed: int) -> torch.Tensor:
    """``count`` numbers decoded (argmax) from the generator's output for seeded noise
    (notebook 03)."""
    return generate(generator, seeded_noise(seed, width, count)).argmax(dim=1)


@torch.no_grad()
def class_directions(generator: nn.Module, classifier: nn.Module, num_classes: int = 10,
                     count: int = 5000, seed: int = 0) -> torch.Tensor:
    """One latent direction per class, of length 1 (notebook 04): from the mean of all ``count``
    latent vectors towards the mean of those whose image the classifier puts in that class (zeros
    for a class G never makes). Adding a multiple of a class's direction to a latent vector moves
    its image towards that class."""
    noise = seeded_noise(seed, generator_latent_size(generator), count)
    labels = metrics.predict(classifier, generate(generator, noise))
    directions = torch.zeros(num_classes, noise.shape[1])
    for label in labels.unique():
        directions[label] = noise[labels == label].mean(dim=0) - noise.mean(dim=0)
    return directions / directions.norm(dim=1, keepdim=True).clamp_min(1e-12)


@torch.no_grad()
def attribute_directions(generator: nn.Module, classifier: nn.Module, names: list[str],
                         count: int = 2000, seed: int = 0) -> dict[str, torch.Tensor]:
    """One latent direction per attribute, of length 1 (notebook 06): from the mean of the latent
    vectors whose image the classifier sees without the attribute to the mean of those with it
    (zeros if G never or always makes it). ``classifier`` has one logit per attribute, in the
    order of ``names``."""
    noise = seeded_noise(seed, generator_latent_size(generator), count)
    present = metrics.outputs_of(classifier, generate(generator, noise)) > 0
    directions = {}
    for index, name in enumerate(names):
        has = present[:, index]
        if 0 < has.sum() < count:
            direction = noise[has].mean(dim=0) - noise[~has].mean(dim=0)
        else:
            direction = torch.zeros(noise.shape[1])
        directions[name] = direction / direction.norm().clamp_min(1e-12)
    return directions


def glasses_label(weight: float | torch.Tensor) -> torch.Tensor:
    """The book's one-hot label, mixed (notebook 07): ``weight`` 1 is [1, 0] (glasses), 0 is
    [0, 1] (none), between is a blend of both. The book writes it as
    ``w * no_glasses + (1 - w) * glasses``, with ``w = 1 - weight``. A tensor of weights gives one
    label per row."""
    weight = torch.as_tensor(weight, dtype=torch.float32).reshape(-1, 1)
    return torch.cat([weight, 1 - weight], dim=1)


def conditional_faces(generator: nn.Module, noise: torch.Tensor,
                      labels: torch.Tensor) -> torch.Tensor:
    """G's images for each row of ``noise`` with the label in the same row of ``labels``, or with
    the one label of a one-row ``labels`` for every row (notebook 07)."""
    return generate(generator, generator_input(noise, labels.expand(len(noise), -1)))
