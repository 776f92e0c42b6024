"""Every network of the course (the Fashion-MNIST classifier is introduced in notebook 01)."""

from __future__ import annotations

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
