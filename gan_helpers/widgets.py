"""Sliders that steer generators: pure render functions plus their ipywidgets wiring.

Each ``render_*`` function draws one picture from plain values and returns the figure, like the
``plotting`` functions: a plain cell calls it and ends with ``plt.show()``. Each ``*_explorer``
wires it to sliders with ``ipywidgets.interactive`` and shows the figure itself. Renders run the
generator in eval mode without gradients.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from . import metrics, plotting, training


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


# ---- notebook 04: images from latent vectors


def seeded_noise(seed: int, latent_size: int, count: int = 1) -> torch.Tensor:
    """``count`` latent vectors drawn from a standard normal with their own seed: the same seed, the same vectors."""
    return torch.randn(count, latent_size, generator=torch.Generator().manual_seed(seed))


def generator_latent_size(generator: nn.Module) -> int:
    """The length of the latent vector a generator takes: the input size of its first layer."""
    first = next(module for module in generator.modules() if isinstance(module, (nn.Linear, nn.ConvTranspose2d)))
    return first.in_features if isinstance(first, nn.Linear) else first.in_channels


@torch.no_grad()
def class_directions(generator: nn.Module, classifier: nn.Module, num_classes: int = 10, count: int = 5000,
                     seed: int = 0) -> torch.Tensor:
    """One latent direction per class, of length 1: from the mean of all ``count`` latent vectors towards
    the mean of those whose image the classifier puts in that class (zeros for a class G never makes).

    Adding a multiple of a class's direction to a latent vector moves its image towards that class.
    """
    noise = seeded_noise(seed, generator_latent_size(generator), count)
    labels = metrics.predict(classifier, generate(generator, noise))
    directions = torch.zeros(num_classes, noise.shape[1])
    for label in labels.unique():
        directions[label] = noise[labels == label].mean(dim=0) - noise.mean(dim=0)
    return directions / directions.norm(dim=1, keepdim=True).clamp_min(1e-12)


Describe = Callable[[torch.Tensor], list[str]]  # images -> one title each


def class_titles(classifier: nn.Module, class_names) -> Describe:
    """Titles that say which class the classifier sees in each image, with its probability (notebook 04)."""
    def describe(images: torch.Tensor) -> list[str]:
        best, labels = metrics.outputs_of(classifier, images).softmax(dim=-1).max(dim=-1)
        return [f"{class_names[label]} {p:.0%}" for label, p in zip(labels.tolist(), best.tolist())]
    return describe


def attribute_titles(classifier: nn.Module, names) -> Describe:
    """Titles with the classifier's probability of each attribute, one per line (notebook 06)."""
    def describe(images: torch.Tensor) -> list[str]:
        probabilities = metrics.outputs_of(classifier, images).sigmoid()
        return ["\n".join(f"{name} {p:.0%}" for name, p in zip(names, row.tolist())) for row in probabilities]
    return describe


@torch.no_grad()
def attribute_directions(generator: nn.Module, classifier: nn.Module, names, count: int = 2000,
                         seed: int = 0) -> dict[str, torch.Tensor]:
    """One latent direction per attribute, of length 1 (notebook 06): from the mean of the latent vectors
    whose image the classifier sees without the attribute to the mean of those with it (zeros if G
    never or always makes it). ``classifier`` has one logit per attribute, in the order of ``names``.
    """
    noise = seeded_noise(seed, generator_latent_size(generator), count)
    present = metrics.outputs_of(classifier, generate(generator, noise)) > 0
    directions = {}
    for index, name in enumerate(names):
        has = present[:, index]
        direction = noise[has].mean(dim=0) - noise[~has].mean(dim=0) if 0 < has.sum() < count else torch.zeros(noise.shape[1])
        directions[name] = direction / direction.norm().clamp_min(1e-12)
    return directions


def render_steered_image(generator: nn.Module, seed: int, directions: dict[str, torch.Tensor],
                         weights: dict[str, float], describe: Describe | None = None) -> plt.Figure:
    """The image G makes from seed ``seed``'s latent vector plus ``weights[name]`` times each direction,
    titled by ``describe`` (what a classifier sees in it)."""
    noise = seeded_noise(seed, generator_latent_size(generator))
    for name, weight in weights.items():
        noise = noise + weight * directions[name]
    image = generate(generator, noise)
    fig = plotting.show_images(image, describe and describe(image), ncols=1, size=3.0)
    fig.suptitle(f"seed {seed}" + "".join(f", {name} {weight:+.1f}" for name, weight in weights.items()),
                 fontsize=9)
    return fig


def render_interpolation(generator: nn.Module, seed_a: int, seed_b: int, weight: float,
                         describe: Describe | None = None) -> plt.Figure:
    """Three images: G of seed ``seed_a``'s latent vector, of the mix ``(1 - weight) * a + weight * b``, and of b."""
    latent_size = generator_latent_size(generator)
    a, b = seeded_noise(seed_a, latent_size), seeded_noise(seed_b, latent_size)
    images = generate(generator, torch.cat([a, (1 - weight) * a + weight * b, b]))
    titles = describe(images) if describe else ["", "", ""]
    titles = [f"seed {seed_a}\n{titles[0]}", f"mix {weight:.2f}\n{titles[1]}", f"seed {seed_b}\n{titles[2]}"]
    return plotting.show_images(images, titles, ncols=3, size=2.4)


def latent_image_explorer(generator: nn.Module, directions: dict[str, torch.Tensor], limit: float = 3.0,
                          describe: Describe | None = None) -> widgets.interactive:
    """A seed slider and one slider per direction; the image G makes, titled by ``describe``."""
    sliders = {name: widgets.FloatSlider(value=0.0, min=-limit, max=limit, step=0.25, description=name,
                                         continuous_update=False) for name in directions}

    def render(seed: int, **weights: float) -> plt.Figure:
        return _shown(render_steered_image(generator, seed, directions, weights, describe))

    seed = widgets.IntSlider(value=0, min=0, max=999, description="seed", continuous_update=False)
    return widgets.interactive(render, seed=seed, **sliders)


def interpolation_explorer(generator: nn.Module, describe: Describe | None = None) -> widgets.interactive:
    """Two seed sliders and a mixing slider from 0 (seed a's image) to 1 (seed b's)."""
    def seed(value: int, name: str) -> widgets.IntSlider:
        return widgets.IntSlider(value=value, min=0, max=999, description=name, continuous_update=False)

    weight = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="mix",
                                 continuous_update=False)
    return widgets.interactive(
        lambda seed_a, seed_b, weight: _shown(render_interpolation(generator, seed_a, seed_b, weight, describe)),
        seed_a=seed(0, "seed a"), seed_b=seed(1, "seed b"), weight=weight,
    )


# ---- notebook 07: a conditional generator steered by its label and by its latent vector


def glasses_label(weight: float | torch.Tensor) -> torch.Tensor:
    """The book's one-hot label mixed: ``weight`` 1 is [1, 0] (glasses), 0 is [0, 1] (none), between is a
    blend of both (notebook 07). The book writes it as ``w * no_glasses + (1 - w) * glasses``, with
    ``w = 1 - weight``. A tensor of weights gives one label per row."""
    weight = torch.as_tensor(weight, dtype=torch.float32).reshape(-1, 1)
    return torch.cat([weight, 1 - weight], dim=1)


def conditional_faces(generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """G's images for each row of ``noise`` with the label in the same row of ``labels`` (notebook 07)."""
    return generate(generator, training.generator_input(noise, labels))


def render_label_and_vector_mix(generator: nn.Module, first: torch.Tensor, second: torch.Tensor,
                                label_weight: float, vector_weight: float,
                                describe: Describe | None = None) -> plt.Figure:
    """One face from the latent vector ``vector_weight * second + (1 - vector_weight) * first`` and the
    label ``glasses_label(label_weight)``, titled by ``describe`` (notebook 07)."""
    noise = (vector_weight * second + (1 - vector_weight) * first).reshape(1, -1)
    image = conditional_faces(generator, noise, glasses_label(label_weight))
    fig = plotting.show_images(image, describe and describe(image), ncols=1, size=3.0)
    fig.suptitle(f"glasses label {label_weight:.2f}, vector mix {vector_weight:.2f}", fontsize=9)
    return fig


def label_and_vector_explorer(generator: nn.Module, first: torch.Tensor, second: torch.Tensor,
                              describe: Describe | None = None) -> widgets.interactive:
    """Two sliders: the weight of the glasses label (0 none, 1 glasses) and the mix from the latent
    vector ``first`` (0) to ``second`` (1); the face G makes from both."""
    def slider(name: str, value: float) -> widgets.FloatSlider:
        return widgets.FloatSlider(value=value, min=0.0, max=1.0, step=0.05, description=name,
                                   continuous_update=False)

    return widgets.interactive(
        lambda label_weight, vector_weight: _shown(
            render_label_and_vector_mix(generator, first, second, label_weight, vector_weight, describe)),
        label_weight=slider("glasses", 1.0), vector_weight=slider("vector mix", 0.0),
    )
