"""Every network of the course; each docstring says which notebook introduces it."""

from __future__ import annotations

import torch
from torch import nn


def fashion_classifier() -> nn.Sequential:
    """Notebook 01's 10-class MLP, 784-256-128-64-10 with ReLU (logits out: CrossEntropyLoss adds the softmax).

    Notebooks 04 and later reuse its 64 hidden features to score generated images.
    """
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def shape_discriminator(inputs: int = 2, dropout: float = 0.3) -> nn.Sequential:
    """Notebook 02's D: a point (x, y) -> probability it is real; 2-256-128-64-1, ReLU and Dropout(0.3)."""
    return nn.Sequential(
        nn.Linear(inputs, 256), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(256, 128), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(128, 64), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(64, 1), nn.Sigmoid(),
    )


class CrowdAwareShapeDiscriminator(nn.Module):
    """Notebook 02's course D: the book's D plus a third input, how crowded each point's neighbourhood is
    in its batch (dropout is a parameter: ``quick`` uses none, ``full`` the book's 0.3).

    Minibatch discrimination (Salimans et al., 2016) for points: the crowding of a point is the mean
    of a Gaussian kernel over its distances to the batch's points, measured in units of ``spread``
    (the width of the data's x range), so that a generator piling its points up gets caught.
    """

    def __init__(self, spread: float, bandwidth: float = 0.05, dropout: float = 0.0) -> None:
        super().__init__()
        self.spread, self.bandwidth = spread, bandwidth
        self.net = shape_discriminator(inputs=3, dropout=dropout)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        scaled = points / self.spread
        kernel = torch.exp(-torch.cdist(scaled, scaled) ** 2 / (2 * self.bandwidth**2))
        crowding = kernel.mean(dim=1, keepdim=True) * 10  # times 10: about 1 for evenly spread points
        return self.net(torch.cat([points, crowding], dim=1))


def shape_generator(latent_size: int = 2) -> nn.Sequential:
    """Notebook 02's G: noise -> a point (x, y); latent_size-16-32-2 with ReLU between, no output activation."""
    return nn.Sequential(
        nn.Linear(latent_size, 16), nn.ReLU(),
        nn.Linear(16, 32), nn.ReLU(),
        nn.Linear(32, 2),
    )


def number_discriminator(width: int = 100) -> nn.Sequential:
    """Notebook 03's D: a one-hot vector of ``width`` -> probability it is real; Linear then sigmoid."""
    return nn.Sequential(nn.Linear(width, 1), nn.Sigmoid())


def number_generator(width: int = 100) -> nn.Sequential:
    """Notebook 03's G: ``width`` noise values -> a vector of ``width`` non-negative scores; Linear then ReLU."""
    return nn.Sequential(nn.Linear(width, width), nn.ReLU())


class CrowdAwareDiscriminator(nn.Module):
    """Notebook 03's fix for mode collapse: the book's D plus one input, how crowded each sample's value is.

    Minibatch discrimination (Salimans et al., 2016) in its simplest form: the extra input is the
    dot product of a sample with its batch's mean vector, which for one-hot vectors is the share of
    the batch that has the same value. A collapsed generator makes crowded batches; D learns to
    call crowded samples fake, and G is pushed to spread out.
    """

    def __init__(self, width: int = 100) -> None:
        super().__init__()
        self.linear = nn.Linear(width + 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        crowding = (x * x.mean(dim=0, keepdim=True)).sum(dim=1, keepdim=True)
        return torch.sigmoid(self.linear(torch.cat([x, crowding], dim=1)))


def fashion_discriminator(widths: tuple[int, int, int] = (1024, 512, 256)) -> nn.Sequential:
    """Notebook 04's D: a flattened 28x28 image -> probability it is real; 784-1024-512-256-1, ReLU and Dropout(0.3).

    ``widths`` are the hidden layers (exercise 4.1 tries 1000/500/200).
    """
    layers: list[nn.Module] = [nn.Flatten()]
    for width_in, width_out in zip((28 * 28, *widths), widths):
        layers += [nn.Linear(width_in, width_out), nn.ReLU(), nn.Dropout(0.3)]
    return nn.Sequential(*layers, nn.Linear(widths[-1], 1), nn.Sigmoid())


def fashion_generator(latent_size: int = 100, widths: tuple[int, int, int] = (256, 512, 1024)) -> nn.Sequential:
    """Notebook 04's G: noise -> a 28x28 image in [-1, 1]; 100-256-512-1024-784, ReLU between, tanh out.

    D's layers in reverse order of width: the mirror image of ``fashion_discriminator``. ``widths`` are
    the hidden layers (exercise 4.2 tries 200/500/1000). The 784 outputs are unflattened to (1, 28, 28).
    """
    layers: list[nn.Module] = []
    for width_in, width_out in zip((latent_size, *widths), widths):
        layers += [nn.Linear(width_in, width_out), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(widths[-1], 28 * 28), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))


def dcgan_discriminator(channels: int = 3, features: int = 64) -> nn.Sequential:
    """Notebook 06's D (introduced in notebook 05's shape walkthrough): a 64x64 image -> probability it is real.

    Four Conv2d(kernel 4, stride 2, padding 1) halve the image 64 -> 32 -> 16 -> 8 -> 4 while the
    channels grow 64 -> 512; BatchNorm after all but the first; LeakyReLU(0.2); a last Conv2d(kernel 4)
    turns the 4x4 map into one number; sigmoid; flatten. No convolution has a bias, as in the book.
    """
    layers: list[nn.Module] = [nn.Conv2d(channels, features, 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]
    for multiple in (1, 2, 4):
        layers += [nn.Conv2d(features * multiple, features * multiple * 2, 4, 2, 1, bias=False),
                   nn.BatchNorm2d(features * multiple * 2), nn.LeakyReLU(0.2)]
    return nn.Sequential(*layers, nn.Conv2d(features * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid(), nn.Flatten())


def dcgan_generator(latent_size: int = 100, channels: int = 3, features: int = 64) -> nn.Sequential:
    """Notebook 06's G (introduced in notebook 05's shape walkthrough): noise of shape (B, 100, 1, 1) -> a 64x64 image.

    The mirror of ``dcgan_discriminator``: ConvTranspose2d(kernel 4, stride 1, padding 0) makes a 4x4
    map of 512 channels, then four ConvTranspose2d(kernel 4, stride 2, padding 1) double it
    4 -> 8 -> 16 -> 32 -> 64 while the channels shrink to ``channels``; BatchNorm and ReLU between,
    tanh out. No bias, as in the book.
    """
    layers: list[nn.Module] = [nn.ConvTranspose2d(latent_size, features * 8, 4, 1, 0, bias=False),
                               nn.BatchNorm2d(features * 8), nn.ReLU()]
    for multiple in (8, 4, 2):
        layers += [nn.ConvTranspose2d(features * multiple, features * multiple // 2, 4, 2, 1, bias=False),
                   nn.BatchNorm2d(features * multiple // 2), nn.ReLU()]
    return nn.Sequential(*layers, nn.ConvTranspose2d(features, channels, 4, 2, 1, bias=False), nn.Tanh())
