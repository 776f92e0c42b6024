"""The course's display helpers: code shown to read, and the diagrams of the lessons, drawn by
code. Nothing here is taught: a notebook calls these to show something, and the lesson is what they
show, not how they draw it (``show_code`` from notebook 03 on, the diagrams in 02, 04, 06 and
07)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
from IPython.display import Code


def show_code(function: Callable) -> Code:
    """``function``'s source in gan_helpers, highlighted, to read: code an earlier notebook wrote
    out, shown where a later one uses it. It runs from the package; to change it, copy it into a
    cell, edit the copy and use that instead."""
    where = f"{function.__module__.replace('.', '/')}.py"
    heading = f"# {where}: {function.__qualname__}, shown to read (it runs from the package)\n"
    return Code(heading + inspect.getsource(function), language="python")


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
            (g_shapes, "G: ConvTranspose2d, BatchNorm, ReLU (at the end: no BatchNorm, tanh)",
             "#f6dbdb", "doubles"),
            ([*g_shapes[::-1][:-1], (1, 1)],
             "D: Conv2d, BatchNorm (not first nor last), LeakyReLU (at the end: sigmoid)",
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
                # G's first step (1x1 -> 4x4) and D's last (4x4 -> 1x1) neither double nor halve
                plain = index == 0 if row == 0 else index == len(shapes) - 2
                _arrow(ax, (x + side + 0.05, y), (x + side + 0.55, y), "" if plain else arrow,
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
