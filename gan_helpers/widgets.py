"""What notebooks show interactively: sliders that steer generators (pure render functions plus
their ipywidgets wiring, introduced in notebook 02), and code from the package shown to read
(``show_code``, introduced in notebook 03).

Each ``render_*`` function draws one picture from plain values and returns the figure, like the
``plotting`` functions: a plain cell calls it and ends with ``plt.show()``. Each ``*_explorer``
wires it to sliders with ``ipywidgets.interactive`` and shows the figure itself. Renders run the
generator in eval mode without gradients (``sampling.generate``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from IPython.display import Code
from torch import nn

from . import metrics, plotting
from .sampling import (
    conditional_faces,
    generate,
    generator_latent_size,
    glasses_label,
    sample_numbers,
    seeded_noise,
    slerp,
)

Describe = Callable[[torch.Tensor], list[str]]  # images -> one title each


def show_code(function: Callable) -> Code:
    """``function``'s source in gan_helpers, highlighted, to read: code an earlier notebook wrote
    out, shown where a later one uses it. It runs from the package; to change it, copy it into a
    cell, edit the copy and use that instead."""
    where = f"{function.__module__.replace('.', '/')}.py"
    heading = f"# {where}: {function.__qualname__}, shown to read (it runs from the package)\n"
    return Code(heading + inspect.getsource(function), language="python")


def _shown(fig: plt.Figure) -> plt.Figure:
    """Show a figure inside the slider's output area, and keep it as the widget's ``result``."""
    plt.show()
    return fig


def _slider(name: str, value: float, low: float, high: float, step: float) -> widgets.FloatSlider:
    """A slider that renders when it is let go (``continuous_update=False``)."""
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                               continuous_update=False)


def _seed_slider(name: str = "seed", value: int = 0, high: int = 999) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=0, max=high, description=name,
                             continuous_update=False)


# ---- notebook 02: a point on a curve from two latent numbers


def render_latent_point(generator: nn.Module, z1: float, z2: float, real: torch.Tensor,
                        x_range=(0, 50), y_range=(0, 50)) -> plt.Figure:
    """The real points in grey and the point that G makes from the latent vector (z1, z2) in red."""
    point = generate(generator, torch.tensor([[z1, z2]], dtype=torch.float32))[0]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.scatter(real[:, 0].numpy(), real[:, 1].numpy(), s=3, color="lightgray", label="real")
    ax.scatter([point[0].item()], [point[1].item()], s=80, color="red",
               label=f"G({z1:+.2f}, {z2:+.2f})")
    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_title(f"generated point: x = {point[0]:.2f}, y = {point[1]:.2f}")
    ax.legend(loc="upper left")
    return fig


def latent_point_explorer(generator: nn.Module, real: torch.Tensor, x_range=(0, 50),
                          y_range=(0, 50), limit: float = 3.0) -> widgets.interactive:
    """Two sliders, one per latent number, and the point G makes from them."""
    def render(z1: float, z2: float) -> plt.Figure:
        return _shown(render_latent_point(generator, z1, z2, real, x_range, y_range))

    return widgets.interactive(render, z1=_slider("z1", 0.0, -limit, limit, 0.05),
                               z2=_slider("z2", 0.0, -limit, limit, 0.05))


# ---- notebook 03: a histogram of generated numbers


def render_number_histogram(generator: nn.Module, seed: int, count: int = 1000, width: int = 100,
                            multiple: int = 5) -> plt.Figure:
    """A histogram of ``count`` generated numbers, multiples of ``multiple`` in blue, others red."""
    numbers = sample_numbers(generator, count, width, seed)
    counts = torch.bincount(numbers, minlength=width)
    quality = metrics.number_quality(numbers, multiple, width)
    fig, ax = plt.subplots(figsize=(9, 3))
    colors = ["tab:blue" if n % multiple == 0 else "tab:red" for n in range(width)]
    ax.bar(range(width), counts.tolist(), color=colors)
    even = count / quality["valid_values"]
    ax.axhline(even, color="gray", linestyle="--", label="perfectly even")
    ax.set_xlabel("generated number")
    ax.set_ylabel("count")
    ax.set_title(f"seed {seed}: validity {quality['validity']:.1%}, coverage "
                 f"{quality['coverage']}/{quality['valid_values']}, "
                 f"total variation {quality['total_variation']:.3f}")
    ax.legend()
    return fig


def number_histogram_explorer(generator: nn.Module, count: int = 1000, width: int = 100,
                              multiple: int = 5) -> widgets.interactive:
    """A seed slider: each seed draws fresh noise, and the histogram of what G makes of it."""
    def render(seed: int) -> plt.Figure:
        return _shown(render_number_histogram(generator, seed, count, width, multiple))

    return widgets.interactive(render, seed=_seed_slider(high=99))


# ---- notebooks 04 and 06: images from latent vectors


def class_titles(classifier: nn.Module, class_names: Sequence[str]) -> Describe:
    """Titles that say which class the classifier sees in each image, with its probability
    (notebook 04)."""
    def describe(images: torch.Tensor) -> list[str]:
        best, labels = metrics.outputs_of(classifier, images).softmax(dim=-1).max(dim=-1)
        return [f"{class_names[label]} {p:.0%}" for label, p in zip(labels.tolist(), best.tolist())]
    return describe


def attribute_titles(classifier: nn.Module, names: Sequence[str]) -> Describe:
    """Titles with the classifier's probability of each attribute, one per line (notebook 06)."""
    def describe(images: torch.Tensor) -> list[str]:
        probabilities = metrics.outputs_of(classifier, images).sigmoid()
        return ["\n".join(f"{name} {p:.0%}" for name, p in zip(names, row.tolist()))
                for row in probabilities]
    return describe


def render_steered_image(generator: nn.Module, seed: int, directions: dict[str, torch.Tensor],
                         weights: dict[str, float], describe: Describe | None = None) -> plt.Figure:
    """The image G makes from seed ``seed``'s latent vector plus ``weights[name]`` times each
    direction, titled by ``describe`` (what a classifier sees in it)."""
    noise = seeded_noise(seed, generator_latent_size(generator))
    for name, weight in weights.items():
        noise = noise + weight * directions[name]
    image = generate(generator, noise)
    fig = plotting.show_images(image, describe and describe(image), ncols=1, size=3.0)
    steps = "".join(f", {name} {weight:+.1f}" for name, weight in weights.items())
    fig.suptitle(f"seed {seed}{steps}", fontsize=9)
    return fig


def render_interpolation(generator: nn.Module, seed_a: int, seed_b: int, weight: float,
                         describe: Describe | None = None) -> plt.Figure:
    """Three images: G of seed ``seed_a``'s latent vector, of the point ``weight`` of the way to
    seed ``seed_b``'s along the sphere (``sampling.slerp``), and of seed ``seed_b``'s."""
    latent_size = generator_latent_size(generator)
    a, b = seeded_noise(seed_a, latent_size), seeded_noise(seed_b, latent_size)
    images = generate(generator, torch.cat([a, slerp(a[0], b[0], weight), b]))
    titles = describe(images) if describe else ["", "", ""]
    titles = [f"seed {seed_a}\n{titles[0]}", f"mix {weight:.2f}\n{titles[1]}",
              f"seed {seed_b}\n{titles[2]}"]
    return plotting.show_images(images, titles, ncols=3, size=2.4)


def latent_image_explorer(generator: nn.Module, directions: dict[str, torch.Tensor],
                          limit: float = 3.0,
                          describe: Describe | None = None) -> widgets.interactive:
    """A seed slider and one slider per direction; the image G makes, titled by ``describe``."""
    sliders = {name: _slider(name, 0.0, -limit, limit, 0.25) for name in directions}

    def render(seed: int, **weights: float) -> plt.Figure:
        return _shown(render_steered_image(generator, seed, directions, weights, describe))

    return widgets.interactive(render, seed=_seed_slider(), **sliders)


def interpolation_explorer(generator: nn.Module,
                           describe: Describe | None = None) -> widgets.interactive:
    """Two seed sliders and a mixing slider from 0 (seed a's image) to 1 (seed b's)."""
    def render(seed_a: int, seed_b: int, weight: float) -> plt.Figure:
        return _shown(render_interpolation(generator, seed_a, seed_b, weight, describe))

    return widgets.interactive(render, seed_a=_seed_slider("seed a", 0),
                               seed_b=_seed_slider("seed b", 1),
                               weight=_slider("mix", 0.5, 0.0, 1.0, 0.05))


# ---- notebook 07: a conditional generator steered by its label and by its latent vector


def render_label_and_vector_mix(generator: nn.Module, first: torch.Tensor, second: torch.Tensor,
                                label_weight: float, vector_weight: float,
                                describe: Describe | None = None) -> plt.Figure:
    """One face from the latent vector ``vector_weight`` of the way from ``first`` to ``second``
    along the sphere and the label ``glasses_label(label_weight)``, titled by ``describe``."""
    noise = slerp(first, second, vector_weight)
    image = conditional_faces(generator, noise, glasses_label(label_weight))
    fig = plotting.show_images(image, describe and describe(image), ncols=1, size=3.0)
    fig.suptitle(f"glasses label {label_weight:.2f}, vector mix {vector_weight:.2f}", fontsize=9)
    return fig


def label_and_vector_explorer(generator: nn.Module, first: torch.Tensor, second: torch.Tensor,
                              describe: Describe | None = None) -> widgets.interactive:
    """Two sliders: the weight of the glasses label (0 none, 1 glasses) and the mix from the
    latent vector ``first`` (0) to ``second`` (1); the face G makes from both."""
    def render(label_weight: float, vector_weight: float) -> plt.Figure:
        return _shown(render_label_and_vector_mix(generator, first, second, label_weight,
                                                  vector_weight, describe))

    return widgets.interactive(render, label_weight=_slider("glasses", 1.0, 0.0, 1.0, 0.05),
                               vector_weight=_slider("vector mix", 0.0, 0.0, 1.0, 0.05))
