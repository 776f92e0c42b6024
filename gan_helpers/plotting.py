"""Pictures of the course: image grids, loss curves, confusion matrices (introduced in notebook 01).

Each function draws on a new figure and returns it; the notebook cell ends with ``plt.show()``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from torchvision.utils import make_grid


def to_displayable(image: torch.Tensor) -> np.ndarray:
    """A (C, H, W) image in [-1, 1] as (H, W, C) in [0, 1] for ``plt.imshow``: ``permute``, then
    ``* 0.5 + 0.5``."""
    image = (image.detach().cpu().float() * 0.5 + 0.5).clamp(0, 1)
    return image.permute(1, 2, 0).squeeze(-1).numpy()


def show_images(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    size: float = 1.4,
) -> plt.Figure:
    """A grid of images in [-1, 1], (N, C, H, W), with an optional title under each."""
    count = len(images)
    nrows = math.ceil(count / ncols)
    height = nrows * size * (1.25 if titles else 1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, height), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < count:
            ax.imshow(to_displayable(images[i]), cmap="gray", vmin=0, vmax=1,
                      interpolation="nearest")
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def _tiled(images: torch.Tensor, nrow: int) -> np.ndarray:
    """Images in [-1, 1], (N, C, H, W), as one (H, W, 3) picture in [0, 1], ``nrow`` to a row,
    1 pixel of white between them (``torchvision.utils.make_grid``)."""
    grid = make_grid(images.detach().cpu().float(), nrow=nrow, padding=1, normalize=True,
                     value_range=(-1, 1), pad_value=1.0)
    return grid.permute(1, 2, 0).numpy()


def show_grid(images: torch.Tensor, title: str = "", nrow: int = 16,
              size: float = 0.8) -> plt.Figure:
    """Images in [-1, 1], (N, C, H, W), tiled into one picture, ``nrow`` to a row, as the PyTorch
    DCGAN tutorial shows its progress (notebook 04)."""
    rows = math.ceil(len(images) / nrow)
    height = rows * size + (0.3 if title else 0)
    fig, ax = plt.subplots(figsize=(min(len(images), nrow) * size, height))
    ax.imshow(_tiled(images, nrow), interpolation="nearest")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def show_progress(snapshots: dict[int, torch.Tensor], count: int = 8,
                  size: float = 0.64) -> plt.Figure:
    """G's progress in one picture: a row per snapshot (epoch -> images in [-1, 1]), its first
    ``count`` images, labelled with the epoch (notebook 04). One picture instead of one grid per
    epoch keeps the executed notebook small; ``size`` is inches per image (0.64 shows 64-pixel
    images at their own resolution)."""
    epochs = list(snapshots)
    picture = _tiled(torch.cat([snapshots[epoch][:count] for epoch in epochs]), nrow=count)
    fig, ax = plt.subplots(figsize=(count * size + 0.8, len(epochs) * size))
    ax.imshow(picture, interpolation="nearest")
    row_height = picture.shape[0] / len(epochs)
    ax.set_yticks([row_height * (i + 0.5) for i in range(len(epochs))],
                  [f"epoch {epoch}" for epoch in epochs], fontsize=9)
    ax.set_xticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    fig.tight_layout()
    return fig


def plot_history(history: dict[str, list[float]], keys: Sequence[str],
                 marker: int | None = None) -> plt.Figure:
    """Loss curves per epoch, ``history[key]`` for each key, with an optional vertical line at
    epoch ``marker`` (notebook 01)."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for key in keys:
        values = history[key]
        ax.plot(range(1, len(values) + 1), values, label=key.replace("_", " "))
    if marker is not None:
        ax.axvline(marker, color="gray", linestyle="--", label=f"best, epoch {marker}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_game(history: dict[str, list[float]], title: str = "",
              measure: str | None = None, marks: dict[str, int] | None = None) -> plt.Figure:
    """The game, epoch by epoch (notebooks 02, 04 and 06): D's and G's losses, with the levels of
    an even game (2 ln 2 for D, ln 2 for G) dotted, and D's mean verdicts on real samples, D(x),
    and on fakes, D(G(z)), with 0.5 dotted; and, if given, the ``measure`` of G that ``history``
    holds under that name, on a log scale. ``marks`` (name: epoch) draws a dashed line at each
    epoch in every panel, e.g. the epoch a generator was kept from."""
    panels = 2 if measure is None else 3
    fig, axes = plt.subplots(1, panels, figsize=(5.5 * panels, 3.2))
    losses, verdicts = axes[:2]
    if measure is not None:
        axes[2].semilogy(range(1, len(history[measure]) + 1), history[measure])
        axes[2].set_title(measure.replace("_", " "), fontsize=9)
        axes[2].set_xlabel("epoch")
    epochs = range(1, len(history["d_loss"]) + 1)
    losses.plot(epochs, history["d_loss"], label="D loss")
    losses.plot(epochs, history["g_loss"], label="G loss")
    for level, name in ((2 * math.log(2), "2 ln 2"), (math.log(2), "ln 2")):
        losses.axhline(level, color="gray", linestyle=":", linewidth=1)
        losses.annotate(name, (epochs[-1], level), fontsize=8, color="gray", va="bottom",
                        ha="right")
    verdicts.plot(epochs, history["d_real"], label="D(x), real")
    verdicts.plot(epochs, history["d_fake"], label="D(G(z)), fake")
    verdicts.axhline(0.5, color="gray", linestyle=":", linewidth=1)
    for ax in (losses, verdicts):
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8)
    for (name, epoch), color in zip((marks or {}).items(), ("black", "tab:red", "tab:green")):
        for ax in axes:
            ax.axvline(epoch, color=color, linestyle="--", linewidth=1)
        axes[-1].annotate(f"{name} ({epoch})", (epoch, 1), xycoords=("data", "axes fraction"),
                          fontsize=8, color=color, rotation=90, va="top", ha="right")
    if title:
        fig.suptitle(title, fontsize=10)
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


def real_vs_generated(real: torch.Tensor, generated: dict[str, torch.Tensor], xlim=(0, 50),
                      ylim=(0, 50), ncols: int = 4, size: float = 3.0) -> plt.Figure:
    """One panel per entry of ``generated`` (title: points): generated (x, y) points in red over
    the real ones in grey."""
    count = len(generated)
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 0.8),
                             squeeze=False)
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
    """A small matrix drawn as coloured cells with the numbers written in; ``highlight`` is
    (row, col, height, width)."""
    values = values.detach().cpu().float()
    low, high = min(0.0, values.min().item()), max(1.0, values.max().item()) * 1.6
    ax.imshow(values.numpy(), cmap=cmap, vmin=low, vmax=high)
    for (row, col), value in np.ndenumerate(values.numpy()):
        ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=11)
    if highlight is not None:
        row, col, height, width = highlight
        ax.add_patch(plt.Rectangle((col - 0.5, row - 0.5), width, height, fill=False,
                                   edgecolor="red", linewidth=3))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


def plot_kernel_sliding(image: torch.Tensor, kernel: torch.Tensor, output: torch.Tensor,
                        stride: int = 1, padding: int = 0) -> plt.Figure:
    """One panel per output value: the (padded) image with the kernel's window in red, and the
    value it makes."""
    padded = torch.nn.functional.pad(image, (padding,) * 4)
    size = kernel.shape[0]
    rows, cols = output.shape
    fig, axes = plt.subplots(1, rows * cols, figsize=(2.6 * rows * cols, 2.8))
    for ax, (row, col) in zip(axes, np.ndindex(rows, cols)):
        top, left = row * stride, col * stride
        window = padded[top : top + size, left : left + size]
        pairs = zip(window.flatten().tolist(), kernel.flatten().tolist())
        terms = " + ".join(f"{a:g}·{b:g}" for a, b in pairs)
        _grid(ax, padded, f"output[{row},{col}] = {output[row, col]:g}\n{terms}",
              (top, left, size, size))
    fig.tight_layout()
    return fig


def plot_transposed_spreading(image: torch.Tensor, kernel: torch.Tensor, output: torch.Tensor,
                              stride: int = 2) -> plt.Figure:
    """Each input value times the kernel, written into its own block of the output
    (stride = kernel size)."""
    size = kernel.shape[0]
    rows, cols = image.shape
    fig, axes = plt.subplots(1, rows * cols + 1, figsize=(2.6 * (rows * cols + 1), 2.8))
    for ax, (row, col) in zip(axes, np.ndindex(rows, cols)):
        block = torch.zeros_like(output)
        top, left = row * stride, col * stride
        block[top : top + size, left : left + size] = image[row, col] * kernel
        _grid(ax, block, f"input[{row},{col}] = {image[row, col]:g}\ntimes the kernel",
              (top, left, size, size), cmap="Oranges")
    _grid(axes[-1], output, "output: the blocks added up", cmap="Oranges")
    fig.tight_layout()
    return fig
