"""Sliders that steer generators: pure render functions plus their ipywidgets wiring.

Each ``render_*`` function draws one picture from plain values and returns the figure, like the
``plotting`` functions: a plain cell calls it and ends with ``plt.show()``. Each ``*_explorer``
wires it to sliders with ``ipywidgets.interactive`` and shows the figure itself. Renders run the
generator in eval mode without gradients.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from . import metrics


def _shown(fig: plt.Figure) -> plt.Figure:
    """Show a figure inside the slider's output area, and keep it as the widget's ``result``."""
    plt.show()
    return fig


@torch.no_grad()
def generate(generator: nn.Module, noise: torch.Tensor) -> torch.Tensor:
    """The generator's output for ``noise`` (moved to the generator's device), in eval mode, on the CPU."""
    generator.eval()
    device = next(generator.parameters()).device
    return generator(noise.to(device)).cpu()


# ---- notebook 02: a point on a curve from two latent numbers


def render_latent_point(generator: nn.Module, z1: float, z2: float, real: torch.Tensor,
                        x_range=(0, 50), y_range=(0, 50)) -> plt.Figure:
    """The real points in grey and the point that G makes from the latent vector (z1, z2) in red."""
    point = generate(generator, torch.tensor([[z1, z2]], dtype=torch.float32))[0]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.scatter(real[:, 0].numpy(), real[:, 1].numpy(), s=3, color="lightgray", label="real")
    ax.scatter([point[0].item()], [point[1].item()], s=80, color="red", label=f"G({z1:+.2f}, {z2:+.2f})")
    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_title(f"generated point: x = {point[0]:.2f}, y = {point[1]:.2f}")
    ax.legend(loc="upper left")
    return fig


def latent_point_explorer(generator: nn.Module, real: torch.Tensor, x_range=(0, 50), y_range=(0, 50),
                          limit: float = 3.0) -> widgets.interactive:
    """Two sliders, one per latent number, and the point G makes from them."""
    def slider(name: str) -> widgets.FloatSlider:
        return widgets.FloatSlider(value=0.0, min=-limit, max=limit, step=0.05, description=name,
                                   continuous_update=False)

    def render(z1: float, z2: float) -> plt.Figure:
        return _shown(render_latent_point(generator, z1, z2, real, x_range, y_range))

    return widgets.interactive(render, z1=slider("z1"), z2=slider("z2"))


@torch.no_grad()
def latent_square(generator: nn.Module, limit: float = 3.0, steps: int = 61) -> tuple[torch.Tensor, torch.Tensor]:
    """G's output over a grid of latent vectors in [-limit, limit]^2: (grid of z, (steps, steps, 2) outputs)."""
    axis = torch.linspace(-limit, limit, steps)
    z = torch.cartesian_prod(axis, axis)  # rows: z1 fixed, z2 varying
    return z, generate(generator, z).view(steps, steps, -1)


# ---- notebook 03: a histogram of generated numbers


def sample_numbers(generator: nn.Module, count: int, width: int, seed: int) -> torch.Tensor:
    """``count`` numbers decoded (argmax) from the generator's output for seeded noise."""
    noise = torch.randn(count, width, generator=torch.Generator().manual_seed(seed))
    return generate(generator, noise).argmax(dim=1)


def render_number_histogram(generator: nn.Module, seed: int, count: int = 1000, width: int = 100,
                            multiple: int = 5) -> plt.Figure:
    """A histogram of ``count`` generated numbers, multiples of ``multiple`` in blue, the rest in red."""
    numbers = sample_numbers(generator, count, width, seed)
    counts = torch.bincount(numbers, minlength=width)
    quality = metrics.number_quality(numbers, multiple, width)
    fig, ax = plt.subplots(figsize=(9, 3))
    colors = ["tab:blue" if n % multiple == 0 else "tab:red" for n in range(width)]
    ax.bar(range(width), counts.tolist(), color=colors)
    ax.axhline(count / quality["valid_values"], color="gray", linestyle="--", label="perfectly even")
    ax.set_xlabel("generated number")
    ax.set_ylabel("count")
    ax.set_title(f"seed {seed}: validity {quality['validity']:.1%}, coverage {quality['coverage']}/"
                 f"{quality['valid_values']}, total variation {quality['total_variation']:.3f}")
    ax.legend()
    return fig


def number_histogram_explorer(generator: nn.Module, count: int = 1000, width: int = 100,
                              multiple: int = 5) -> widgets.interactive:
    """A seed slider: each seed draws fresh noise, and the histogram of what G makes of it."""
    seed = widgets.IntSlider(value=0, min=0, max=99, description="seed", continuous_update=False)
    return widgets.interactive(
        lambda seed: _shown(render_number_histogram(generator, seed, count, width, multiple)), seed=seed
    )
