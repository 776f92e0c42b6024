"""Pictures of the course: image grids, loss curves, confusion matrices (introduced in notebook 01).

Each function draws on a new figure and returns it; the notebook cell ends with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from . import settings


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


# ---- notebook 05: how convolutions move numbers around


def _grid(ax, values: torch.Tensor, title: str, highlight: tuple[int, int, int, int] | None = None,
          cmap: str = "Blues") -> None:
    """A small matrix drawn as coloured cells with the numbers written in; ``highlight`` = (row, col, h, w)."""
    values = values.detach().cpu().float()
    ax.imshow(values.numpy(), cmap=cmap, vmin=min(0.0, values.min().item()), vmax=max(1.0, values.max().item()) * 1.6)
    for (row, col), value in np.ndenumerate(values.numpy()):
        ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=11)
    if highlight is not None:
        row, col, height, width = highlight
        ax.add_patch(plt.Rectangle((col - 0.5, row - 0.5), width, height, fill=False, edgecolor="red", linewidth=3))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


def plot_kernel_sliding(image: torch.Tensor, kernel: torch.Tensor, output: torch.Tensor, stride: int = 1,
                        padding: int = 0) -> plt.Figure:
    """One panel per output value: the (padded) image with the kernel's window in red, and the value it makes."""
    padded = torch.nn.functional.pad(image, (padding,) * 4)
    size = kernel.shape[0]
    rows, cols = output.shape
    fig, axes = plt.subplots(1, rows * cols, figsize=(2.6 * rows * cols, 2.8))
    for ax, (row, col) in zip(axes, np.ndindex(rows, cols)):
        top, left = row * stride, col * stride
        window = padded[top : top + size, left : left + size]
        terms = " + ".join(f"{a:g}·{b:g}" for a, b in zip(window.flatten().tolist(), kernel.flatten().tolist()))
        _grid(ax, padded, f"output[{row},{col}] = {output[row, col]:g}\n{terms}", (top, left, size, size))
    fig.tight_layout()
    return fig


def plot_transposed_spreading(image: torch.Tensor, kernel: torch.Tensor, output: torch.Tensor,
                              stride: int = 2) -> plt.Figure:
    """Each input value times the kernel, written into its own block of the output (stride = kernel size)."""
    size = kernel.shape[0]
    rows, cols = image.shape
    fig, axes = plt.subplots(1, rows * cols + 1, figsize=(2.6 * (rows * cols + 1), 2.8))
    for ax, (row, col) in zip(axes, np.ndindex(rows, cols)):
        block = torch.zeros_like(output)
        top, left = row * stride, col * stride
        block[top : top + size, left : left + size] = image[row, col] * kernel
        _grid(ax, block, f"input[{row},{col}] = {image[row, col]:g}\ntimes the kernel", (top, left, size, size),
              cmap="Oranges")
    _grid(axes[-1], output, "output: the blocks added up", cmap="Oranges")
    fig.tight_layout()
    return fig


def save_figure(name: str, fig: plt.Figure | None = None) -> None:
    """Save ``fig`` (default: the current figure) as ``files/figures/<name>.png``, where ``bench/results.py``
    picks the README's pictures from (notebook 01). Call it before ``plt.show()``."""
    path = settings.output_dir() / "figures" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    (fig or plt.gcf()).savefig(path, dpi=72, bbox_inches="tight")
