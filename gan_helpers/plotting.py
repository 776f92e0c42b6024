"""Pictures of the course: image grids, loss curves, confusion matrices (introduced in notebook 01).

Each function draws on a new figure and returns it; the notebook cell ends with ``plt.show()``.
"""

from __future__ import annotations

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
    nrows = -(-count // ncols)
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
    rows = -(-len(images) // nrow)
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
    nrows = -(-count // ncols)
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


# ---- diagrams: drawn by code, on a white ground (readable in light and dark themes)


def _box(ax, x: float, y: float, text: str, width: float = 1.6, height: float = 0.7,
         colour: str = "#dbe9f6") -> None:
    ax.add_patch(plt.Rectangle((x - width / 2, y - height / 2), width, height, facecolor=colour,
                               edgecolor="#333333", linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], text: str = "",
           colour: str = "#333333", offset: tuple[float, float] = (0, 0.18)) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "->", "color": colour, "linewidth": 1.4})
    if text:
        middle = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
        ax.text(*middle, text, ha="center", va="center", fontsize=8, color=colour)


def _canvas(width: float, height: float, xlim: tuple[float, float],
            ylim: tuple[float, float]) -> tuple[plt.Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=(width, height), facecolor="white")
    ax.set_facecolor("white")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.axis("off")
    return fig, ax


def gan_diagram() -> plt.Figure:
    """A GAN's data flow and the two phases of its training step (notebook 02)."""
    fig, ax = _canvas(10, 4.6, (0, 10), (-0.2, 5.0))
    for y, phase, colour in ((4.75, "phase 1: D learns (G fixed: fake.detach())", "#1f77b4"),
                             (1.5, "phase 2: G learns (D fixed: only G's optimizer steps)",
                              "#d62728")):
        ax.text(0.1, y, phase, fontsize=10, color=colour, weight="bold")
    # phase 1
    _box(ax, 1.0, 3.0, "noise z\n(B, latent)", 1.4, colour="#eeeeee")
    _box(ax, 3.0, 3.0, "G", 1.0, colour="#f6dbdb")
    _box(ax, 3.0, 4.05, "real x", 1.4, colour="#eeeeee")
    _box(ax, 5.5, 3.5, "D", 1.0)
    _arrow(ax, (1.7, 3.0), (2.5, 3.0))
    _arrow(ax, (3.5, 3.0), (5.0, 3.35), "fake, detached", offset=(0, -0.3))
    _arrow(ax, (3.7, 4.05), (5.0, 3.65))
    ax.text(6.1, 3.5, "D(x) vs label 1\nD(G(z)) vs label 0\n-> D's loss, D's step", fontsize=9,
            va="center", color="#1f77b4")
    # phase 2
    _box(ax, 1.0, 0.6, "noise z", 1.4, colour="#eeeeee")
    _box(ax, 3.0, 0.6, "G", 1.0, colour="#f6dbdb")
    _box(ax, 5.5, 0.6, "D", 1.0)
    _arrow(ax, (1.7, 0.6), (2.5, 0.6))
    _arrow(ax, (3.5, 0.6), (5.0, 0.6), "fake")
    ax.text(6.1, 0.6, "D(G(z)) vs label 1\n-> G's loss; its gradient flows\nback through D into G",
            fontsize=9, va="center", color="#d62728")
    _arrow(ax, (5.5, 0.2), (3.0, 0.2), "gradient", colour="#d62728", offset=(0, -0.15))
    return fig


def mirror_diagram(d_widths: Sequence[int], g_widths: Sequence[int]) -> plt.Figure:
    """The widths of a dense D and its mirror G, layer by layer, as bars (notebook 04)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), facecolor="white", sharey=True)
    for ax, widths, title, colour in ((left, d_widths, "D: image -> probability", "#1f77b4"),
                                      (right, g_widths, "G: noise -> image", "#d62728")):
        rows = range(len(widths))
        ax.barh(rows, widths, color=colour, alpha=0.7)
        for row, width in zip(rows, widths):
            ax.text(width, row, f" {width:,}", va="center", fontsize=9)
        ax.set_title(title, fontsize=10)
        ax.set_xlim(0, max(max(d_widths), max(g_widths)) * 1.25)
        ax.set_xticks([])
        ax.set_facecolor("white")
    left.set_yticks(list(range(len(d_widths))), ["input"] + [f"layer {i}" for i in
                                                              range(1, len(d_widths))])
    left.invert_yaxis()
    fig.suptitle("the same widths, in opposite order", fontsize=10)
    fig.tight_layout()
    return fig


def dcgan_diagram(features: int = 64, latent_size: int = 100) -> plt.Figure:
    """The DCGAN's shapes: G doubles a 1x1 map up to 64x64, D halves 64x64 down to one number
    (notebook 06). Each block's area shows its height and width; the label, its shape."""
    g_shapes = [(latent_size, 1), (features * 8, 4), (features * 4, 8), (features * 2, 16),
                (features, 32), (3, 64)]
    fig, ax = _canvas(11, 4.6, (0, 11), (-0.3, 4.6))
    for row, (shapes, name, colour, arrow) in enumerate((
            (g_shapes, "G: ConvTranspose2d, BatchNorm, ReLU (tanh at the end)", "#f6dbdb",
             "doubles"),
            (g_shapes[::-1][:-1] + [(1, 1)], "D: Conv2d, BatchNorm, LeakyReLU (sigmoid at the end)",
             "#dbe9f6", "halves"))):
        y = 3.3 - row * 2.4
        ax.text(0.1, y + 1.0, name, fontsize=10, weight="bold")
        x = 0.6
        for index, (channels, size) in enumerate(shapes):
            side = 0.25 + 1.1 * size / 64
            ax.add_patch(plt.Rectangle((x, y - side / 2), side, side, facecolor=colour,
                                       edgecolor="#333333"))
            ax.text(x + side / 2, y - side / 2 - 0.2, f"{channels}x{size}x{size}", ha="center",
                    va="top", fontsize=8)
            if index < len(shapes) - 1:
                _arrow(ax, (x + side + 0.05, y), (x + side + 0.55, y), arrow if index else "",
                       offset=(0, 0.15))
            x += side + 0.6
    return fig


def conditional_diagram(image_size: int = 64) -> plt.Figure:
    """How notebook 07's label reaches both players: beside the noise for G (102 x 1 x 1), as two
    constant image channels for the critic (5 x H x W)."""
    fig, ax = _canvas(10, 4.5, (0, 10), (-0.15, 4.6))
    size = f"{image_size} x {image_size}"
    ax.text(0.1, 4.35, "G: noise and label side by side", fontsize=10, weight="bold")
    _box(ax, 1.0, 3.6, "noise\n100 values", 1.4, colour="#eeeeee")
    _box(ax, 1.0, 2.7, "label [1, 0]\n(glasses)", 1.4, colour="#fff2cc")
    _box(ax, 3.4, 3.15, "102 x 1 x 1", 1.4, colour="#eeeeee")
    _box(ax, 5.3, 3.15, "G", 0.9, colour="#f6dbdb")
    _box(ax, 7.4, 3.15, f"image\n3 x {size}", 1.6, colour="#eeeeee")
    _arrow(ax, (1.7, 3.6), (2.7, 3.25))
    _arrow(ax, (1.7, 2.7), (2.7, 3.05), "cat", offset=(0.1, -0.2))
    _arrow(ax, (4.1, 3.15), (4.85, 3.15))
    _arrow(ax, (5.75, 3.15), (6.6, 3.15))
    ax.text(0.1, 1.85, "critic: an image (real, or G's) plus one constant plane per label value",
            fontsize=10, weight="bold")
    _box(ax, 1.3, 1.1, f"image\n3 x {size}", 1.8, colour="#eeeeee")
    _box(ax, 1.3, 0.3, f"label planes: 2 x {size}\nall ones, all zeros", 2.4, colour="#fff2cc")
    _box(ax, 4.3, 0.7, f"5 x {size}", 1.5, colour="#eeeeee")
    _box(ax, 6.3, 0.7, "critic", 1.0)
    ax.text(7.0, 0.7, "-> a score (no sigmoid)", fontsize=9, va="center")
    _arrow(ax, (2.2, 1.1), (3.55, 0.8))
    _arrow(ax, (2.5, 0.3), (3.55, 0.6), "cat", offset=(0.1, -0.2))
    _arrow(ax, (5.05, 0.7), (5.8, 0.7))
    return fig
