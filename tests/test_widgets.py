"""Slider callbacks driven headless: set a value, check that the picture's data changed."""

import matplotlib.pyplot as plt
import pytest
import torch

from gan_helpers import data, models, widgets


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def red_point(fig):
    return fig.axes[0].collections[1].get_offsets()[0].tolist()


def test_latent_point_sliders_move_the_generated_point():
    torch.manual_seed(0)
    generator = models.shape_generator().train()
    explorer = widgets.latent_point_explorer(generator, data.sample_curve(100))
    z1, z2 = explorer.children[:2]
    assert not z1.continuous_update
    first = red_point(explorer.result)
    z1.value = 2.5
    moved = red_point(explorer.result)
    assert moved != first
    expected = generator(torch.tensor([[2.5, 0.0]]))[0].tolist()
    assert moved == pytest.approx(expected, abs=1e-5)
    assert not generator.training  # rendered in eval mode


def test_latent_square_maps_every_latent_vector():
    generator = models.shape_generator()
    z, outputs = widgets.latent_square(generator, limit=2.0, steps=5)
    assert z.shape == (25, 2) and outputs.shape == (5, 5, 2)
    assert torch.allclose(outputs[1, 3], generator(z[1 * 5 + 3 : 1 * 5 + 4])[0].detach())


def bar_heights(fig):
    return [bar.get_height() for bar in fig.axes[0].patches]


def test_seed_slider_resamples_the_histogram():
    torch.manual_seed(0)
    explorer = widgets.number_histogram_explorer(models.number_generator(), count=200)
    seed = explorer.children[0]
    first = bar_heights(explorer.result)
    assert sum(first) == 200 and len(first) == 100
    seed.value = 7
    second = bar_heights(explorer.result)
    assert sum(second) == 200 and second != first
    assert "seed 7" in explorer.result.axes[0].get_title()
