"""Sliders that steer generators: pure render functions plus their ipywidgets wiring
(introduced in notebook 02).

Each ``render_*`` function draws one picture from plain values and returns the figure, like the
``plotting`` functions: a plain cell calls it and ends with ``plt.show()``. Each ``*_explorer``
wires it to sliders with ``ipywidgets.interactive`` and shows the figure itself. Renders run the
generator in eval mode without gradients (``sampling.generate``).

A slider only moves while Python runs. So each explorer first shows a plain picture too, a strip:
the same render function at a few values along each slider (``show_strip``). A saved notebook,
GitHub and the course's website show the strip, where the sliders' picture needs a kernel.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display
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


def _shown(fig: plt.Figure) -> plt.Figure:
    """Show a figure inside the slider's output area, and keep it as the widget's ``result``."""
    plt.show()
    return fig


def _pixels(fig: plt.Figure) -> np.ndarray:
    """A figure's picture as a notebook shows it (a PNG cut to what is drawn), as an (H, W, 4)
    array; the figure is closed."""
    png = io.BytesIO()
    fig.savefig(png, format="png", bbox_inches="tight")
    plt.close(fig)
    png.seek(0)
    return plt.imread(png)


def show_strip(render: Callable[..., plt.Figure], frames: Sequence[dict], title: str,
               scale: float = 0.5, width: float = 12.5) -> plt.Figure:
    """Show a plain picture of what a slider does: ``render(**values)`` for each ``values`` in
    ``frames``, side by side at ``scale`` of their size, in rows at most ``width`` inches wide
    (notebook 02). Returns the strip's figure, already shown and closed."""
    pictures = [_pixels(render(**values)) for values in frames]
    height, length = (side / plt.rcParams["figure.dpi"] * scale for side in pictures[0].shape[:2])
    rows = math.ceil(len(pictures) / max(1, int(width // length)))
    columns = math.ceil(len(pictures) / rows)
    fig, axes = plt.subplots(rows, columns, squeeze=False,
                             figsize=(columns * length, rows * height + 0.4))
    for ax in axes.flat:
        ax.axis("off")
    for ax, picture in zip(axes.flat, pictures):
        ax.imshow(picture)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    display(fig)
    plt.close(fig)
    return fig


def _along(slider: widgets.ValueWidget, count: int) -> list[float]:
    """``count`` values evenly spaced from the slider's minimum to its maximum, on its steps."""
    values = np.linspace(slider.min, slider.max, count)
    return [float(round(round(value / slider.step) * slider.step, 6)) for value in values]


class _Explorer(widgets.interactive):
    """``ipywidgets.interactive`` that puts its first picture into its output area as a PNG
    instead of capturing what the cell displays. A capture makes the page answer with messages
    while the cell still runs (nbclient, which ``make results`` uses, mimics the page and sends
    them), a known cause of headless runs that never end (bench/README.md, "Headless runs"). A
    picture drawn after a slider moves is captured as ``interactive`` does, when the cell is
    over."""

    def __init__(self, draw: Callable[..., plt.Figure],
                 sliders: dict[str, widgets.ValueWidget]) -> None:
        self._draw = draw  # before interactive's __init__, which draws the first picture
        super().__init__(lambda **values: _shown(draw(**values)), **sliders)

    def update(self, *args: object) -> None:
        if args or self.result is not None:  # a slider moved
            super().update(*args)
            return
        self.kwargs = {widget._kwarg: widget.get_interact_value()
                       for widget in self.kwargs_widgets}
        self.result = figure = self._draw(**self.kwargs)
        png = io.BytesIO()
        figure.savefig(png, format="png", bbox_inches="tight")
        plt.close(figure)
        self.out.outputs = ({"output_type": "display_data", "metadata": {},
                             "data": {"image/png": base64.b64encode(png.getvalue()).decode(),
                                      "text/plain": repr(figure)}},)


def _explorer(draw: Callable[..., plt.Figure], sliders: dict[str, widgets.ValueWidget],
              along: dict[str, Sequence[float]]) -> widgets.interactive:
    """Show a strip for each slider named in ``along`` (the others at their start), then wire
    ``draw`` to the sliders. The strips and the sliders' picture come from the same ``draw``."""
    start = {name: slider.value for name, slider in sliders.items()}
    for name, values in along.items():
        others = ", ".join(f"{sliders[other].description} {value:g}"
                           for other, value in start.items() if other != name)
        show_strip(draw, [{**start, name: value} for value in values],
                   f"what the slider '{sliders[name].description}' does: "
                   f"{', '.join(f'{value:g}' for value in values)}"
                   + (f" ({others})" if others else ""))
    return _Explorer(draw, sliders)


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
    """Two sliders, one per latent number, and the point G makes from them; a strip of six
    points along each slider."""
    def draw(z1: float, z2: float) -> plt.Figure:
        return render_latent_point(generator, z1, z2, real, x_range, y_range)

    sliders = {"z1": _slider("z1", 0.0, -limit, limit, 0.05),
               "z2": _slider("z2", 0.0, -limit, limit, 0.05)}
    return _explorer(draw, sliders, {name: _along(sliders[name], 6) for name in sliders})


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
    """A seed slider: each seed draws fresh noise, and the histogram of what G makes of it; a
    strip of the histograms of seeds 0 to 3."""
    def draw(seed: int) -> plt.Figure:
        return render_number_histogram(generator, seed, count, width, multiple)

    return _explorer(draw, {"seed": _seed_slider(high=99)}, {"seed": range(4)})


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
    """A seed slider and one slider per direction; the image G makes, titled by ``describe``; a
    strip of five images along each direction."""
    def draw(seed: int, **weights: float) -> plt.Figure:
        return render_steered_image(generator, seed, directions, weights, describe)

    steering = {name: _slider(name, 0.0, -limit, limit, 0.25) for name in directions}
    return _explorer(draw, {"seed": _seed_slider(), **steering},
                     {name: _along(slider, 5) for name, slider in steering.items()})


def interpolation_explorer(generator: nn.Module,
                           describe: Describe | None = None) -> widgets.interactive:
    """Two seed sliders and a mixing slider from 0 (seed a's image) to 1 (seed b's); a strip of
    six mixes."""
    def draw(seed_a: int, seed_b: int, weight: float) -> plt.Figure:
        return render_interpolation(generator, seed_a, seed_b, weight, describe)

    sliders = {"seed_a": _seed_slider("seed a", 0), "seed_b": _seed_slider("seed b", 1),
               "weight": _slider("mix", 0.5, 0.0, 1.0, 0.05)}
    return _explorer(draw, sliders, {"weight": _along(sliders["weight"], 6)})


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
    latent vector ``first`` (0) to ``second`` (1); the face G makes from both; a strip of five
    faces along each slider."""
    def draw(label_weight: float, vector_weight: float) -> plt.Figure:
        return render_label_and_vector_mix(generator, first, second, label_weight, vector_weight,
                                           describe)

    sliders = {"label_weight": _slider("glasses", 1.0, 0.0, 1.0, 0.05),
               "vector_weight": _slider("vector mix", 0.0, 0.0, 1.0, 0.05)}
    return _explorer(draw, sliders, {name: _along(sliders[name], 5) for name in sliders})
