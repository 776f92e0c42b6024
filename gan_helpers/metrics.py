"""What the course measures (classifier accuracy and confusion matrix introduced in notebook 01)."""

from __future__ import annotations

import math

import torch
from torch import nn


def predicted_labels(outputs: torch.Tensor) -> torch.Tensor:
    """Class indices from a classifier's outputs: ``p > 0.5`` for one sigmoid output, else the
    argmax."""
    if outputs.shape[-1] == 1:
        return torch.where(outputs.squeeze(-1) > 0.5, 1, 0)
    return outputs.argmax(dim=-1)


@torch.no_grad()
def outputs_of(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The model's outputs for every input, ``batch_size`` at a time (moved to the model's
    device), in eval mode (no dropout, BatchNorm's running statistics), without gradients, on the
    CPU."""
    model.eval()
    device = next(model.parameters()).device
    batches = (images[i : i + batch_size].to(device) for i in range(0, len(images), batch_size))
    return torch.cat([model(batch).cpu() for batch in batches])


def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The predicted class of every image."""
    return predicted_labels(outputs_of(model, images, batch_size))


def accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    """The share of predictions equal to the labels."""
    return (predictions.view(-1) == labels.view(-1).to(predictions)).float().mean().item()


def confusion_matrix(predictions: torch.Tensor, labels: torch.Tensor,
                     num_classes: int) -> torch.Tensor:
    """Counts: row = true class, column = predicted class."""
    pairs = labels.view(-1).long() * num_classes + predictions.view(-1).long().cpu()
    return torch.bincount(pairs, minlength=num_classes**2).view(num_classes, num_classes)


# ---- chapter 3: what a generator of points or numbers got right (notebooks 02 and 03)


def on_curve_error(points: torch.Tensor, curve) -> torch.Tensor:
    """Relative distance of each point's y from the curve at its x, |y - curve(x)| / |curve(x)|
    (notebook 02)."""
    x, y = points[:, 0], points[:, 1]
    target = curve(x)
    return (y - target).abs() / target.abs().clamp_min(1e-6)


def ks_uniform(values: torch.Tensor, low: float, high: float) -> float:
    """Kolmogorov-Smirnov statistic of ``values`` against the uniform distribution on [low, high]
    (notebook 02).

    The largest gap, over all t, between the share of values below t and the share a uniform
    spread would put there, (t - low) / (high - low). 0 for perfectly even values; values piled
    up in one spot c give max(c', 1 - c') with c' = (c - low) / (high - low): 0.5 in the middle of
    the range, near 1 at either end.
    """
    ordered = values.flatten().double().sort().values
    count = len(ordered)
    expected = ((ordered - low) / (high - low)).clamp(0, 1)
    below = torch.arange(1, count + 1, dtype=torch.float64) / count
    return max((below - expected).max().item(), (expected - (below - 1 / count)).max().item())


def share_inside(points: torch.Tensor, x_range: tuple[float, float],
                 y_range: tuple[float, float]) -> float:
    """Share of (x, y) points inside the box x_range by y_range (notebook 02)."""
    x, y = points[:, 0], points[:, 1]
    inside = (x >= x_range[0]) & (x <= x_range[1]) & (y >= y_range[0]) & (y <= y_range[1])
    return inside.float().mean().item()


def remainder_mse(numbers: torch.Tensor, multiple: int = 5) -> float:
    """The book's measure for notebook 03: the mean squared remainder of the numbers modulo
    ``multiple``; 0 when every number is a multiple, whether or not they cover the multiples."""
    return ((numbers % multiple).float() ** 2).mean().item()


def number_quality(numbers: torch.Tensor, multiple: int = 5, width: int = 100) -> dict[str, float]:
    """How good generated integers are (notebook 03).

    - ``validity``: share that are multiples of ``multiple`` (the book's goal);
    - ``coverage``: how many of the valid values appear at least once, of ``valid_values``;
    - ``total_variation``: distance of the histogram from the uniform one over the valid values,
      half the sum of absolute differences (0 = the same histogram, 1 = nothing in common).
    """
    numbers = numbers.flatten().long()
    valid_values = math.ceil(width / multiple)
    counts = torch.bincount(numbers, minlength=width).double()
    valid_counts = counts[::multiple][:valid_values]
    share = counts / counts.sum()
    uniform = torch.zeros(width, dtype=torch.float64)
    uniform[::multiple] = 1 / valid_values
    return {
        "validity": (valid_counts.sum() / counts.sum()).item(),
        "coverage": int((valid_counts > 0).sum()),
        "valid_values": valid_values,
        "total_variation": 0.5 * (share - uniform).abs().sum().item(),
    }


# ---- images: how good and how varied (introduced in notebook 04)


class ClassifierFeatures(nn.Module):
    """A classifier cut before its last layer: an image -> the features the classifier decides on.

    The course's stand-in for the Inception network of the usual FID (Heusel et al., 2017): a
    classifier trained on the course's own data, whose last hidden values describe an image
    compactly. It sees what that classifier learned to tell apart, and little else.
    """

    def __init__(self, classifier: nn.Sequential) -> None:
        super().__init__()
        self.body = classifier[:-1]
        self.num_features = classifier[-1].in_features  # torchmetrics reads this instead of probing

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.body(images)


@torch.no_grad()
def frechet_distance(first: torch.Tensor, second: torch.Tensor, classifier: nn.Sequential,
                     batch_size: int = 1000) -> float:
    """The Fréchet distance between two sets of images on a classifier's features (notebook 04).

    Each set's features are summed up as a Gaussian (mean and covariance); the distance between
    the two Gaussians is 0 for identical statistics and grows as the sets differ in look or in
    variety. ``torchmetrics``' FID does the linear algebra; the feature network is ours.
    """
    from torchmetrics.image.fid import FrechetInceptionDistance  # here: a second to import

    classifier.eval()
    device = next(classifier.parameters()).device
    fid = FrechetInceptionDistance(feature=ClassifierFeatures(classifier)).to(device)
    for images, real in [(first, True), (second, False)]:
        for start in range(0, len(images), batch_size):
            fid.update(images[start : start + batch_size].to(device), real=real)
    return fid.compute().item()


def class_histogram(images: torch.Tensor, classifier: nn.Module,
                    num_classes: int = 10) -> torch.Tensor:
    """The share of ``images`` that the classifier puts in each class (notebook 04): does G make
    every kind?"""
    return torch.bincount(predict(classifier, images), minlength=num_classes).float() / len(images)


def attribute_rates(images: torch.Tensor, classifier: nn.Module,
                    names: list[str]) -> dict[str, float]:
    """The share of ``images`` in which the classifier sees each attribute (notebook 06).

    ``classifier`` has one logit per attribute, in the order of ``names``; a logit above 0 means
    "present".
    """
    present = outputs_of(classifier, images) > 0
    return {name: present[:, index].float().mean().item() for index, name in enumerate(names)}
