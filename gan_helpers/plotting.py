"""Pictures of the course: image grids, loss curves, confusion matrices (introduced in notebook 01).

Each function draws on a new figure and returns it; the notebook cell ends with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch


def to_displayable(image: torch.Tensor) -> np.ndarray:
    """A (C, H, W) image in [-1, 1] as (H, W, C) in [0, 1] for ``plt.imshow``: ``permute`` then ``*0.5+0.5``."""
    return (image.detach().cpu().float() * 0.5 + 0.5).clamp(0, 1).permute(1, 2, 0).squeeze(-1).numpy()


def show_images(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    size: float = 1.4,
) -> plt.Figure:
    """A grid of images in [-1, 1], (N, C, H, W), with an optional title under each."""
    count = len(images)
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * (1.25 if titles else 1)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < count:
            ax.imshow(to_displayable(images[i]), cmap="gray", vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def plot_history(history: dict[str, list[float]], keys: Sequence[str], ylabel: str = "loss",
                 xlabel: str = "epoch", marker: int | None = None) -> plt.Figure:
    """Curves of ``history[key]`` for each key, with an optional vertical line at epoch ``marker``."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for key in keys:
        values = history[key]
        ax.plot(range(1, len(values) + 1), values, label=key.replace("_", " "))
    if marker is not None:
        ax.axvline(marker, color="gray", linestyle="--", label=f"best, {xlabel} {marker}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_confusion_matrix(matrix: torch.Tensor, class_names: Sequence[str]) -> plt.Figure:
    """A confusion matrix as a heat map with the counts written in; rows are true classes."""
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(matrix.numpy(), cmap="Blues")
    ticks = range(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max().item() / 2
    for row in ticks:
        for col in ticks:
            count = int(matrix[row, col])
            ax.text(col, row, count, ha="center", va="center", fontsize=8,
                    color="white" if count > threshold else "black")
    fig.tight_layout()
    return fig


def real_vs_generated(real: torch.Tensor, generated: dict[str, torch.Tensor], xlim=(0, 50), ylim=(0, 50),
                      ncols: int = 4, size: float = 3.0) -> plt.Figure:
    """One panel per entry of ``generated`` (title: points): generated (x, y) points in red over the real ones."""
    count = len(generated)
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 0.8), squeeze=False)
    for ax in axes.flat[count:]:
        ax.axis("off")
    for ax, (title, points) in zip(axes.flat, generated.items()):
        points = points.detach().cpu()
        ax.scatter(real[:, 0].cpu().numpy(), real[:, 1].cpu().numpy(), s=2, color="lightgray")
        ax.scatter(points[:, 0].numpy(), points[:, 1].numpy(), s=2, color="tab:red")
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
