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


def shape_discriminator() -> nn.Sequential:
    """Notebook 02's D: a point (x, y) -> probability it is real; 2-256-128-64-1, ReLU and Dropout(0.3)."""
    return nn.Sequential(
        nn.Linear(2, 256), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 1), nn.Sigmoid(),
    )


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
