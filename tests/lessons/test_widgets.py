"""Slider callbacks driven headless: set a value, check that the picture's data changed; and the
strips, the plain pictures that each explorer shows of what its sliders do."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from gan_helpers import data, models, sampling, widgets

from support import pixel_reader


def red_point(fig):
    return fig.axes[0].collections[1].get_offsets()[0].tolist()


def test_latent_point_sliders_move_the_generated_point():
    torch.manual_seed(0)
    generator = models.shape_generator().train()
    explorer = widgets.latent_point_explorer(generator, data.sample_curve(100))
    z1 = explorer.children[0]
    assert not z1.continuous_update
    first = red_point(explorer.result)
    z1.value = 2.5
    moved = red_point(explorer.result)
    assert moved != first
    expected = generator(torch.tensor([[2.5, 0.0]]))[0].tolist()
    assert moved == pytest.approx(expected, abs=1e-5)
    assert not generator.training  # rendered in eval mode


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


def shown_image(fig, panel=0):
    return fig.axes[panel].images[0].get_array().copy()


def tiny_image_generator():
    torch.manual_seed(0)
    return models.fashion_generator(latent_size=4, widths=(8, 8, 8))


def test_attribute_titles_give_each_attributes_probability():
    describe = widgets.attribute_titles(pixel_reader([1.0, -1.0, 0.0]), ["bright", "dark", "never"])
    titles = describe(torch.ones(1, 1, 28, 28) * 0.5)
    assert titles == ["bright 62%\ndark 38%\nnever 50%"]  # sigmoid(0.5) = 0.62


def test_direction_sliders_and_seed_change_the_image():
    generator = tiny_image_generator()
    directions = {"up": torch.tensor([1.0, 0, 0, 0]), "down": torch.tensor([0, 1.0, 0, 0])}
    describe = widgets.class_titles(models.fashion_classifier(), data.FASHION_CLASSES)
    explorer = widgets.latent_image_explorer(generator, directions, describe=describe)
    seed, up, down = explorer.children[:3]
    assert not any(slider.continuous_update for slider in (seed, up, down))
    first = shown_image(explorer.result)
    up.value = 2.0
    steered = shown_image(explorer.result)
    assert (steered != first).any()
    noise = sampling.seeded_noise(0, 4) + 2.0 * directions["up"]
    expected = sampling.generate(generator, noise)[0, 0]
    expected = (expected * 0.5 + 0.5).clamp(0, 1).numpy()
    np.testing.assert_allclose(np.asarray(steered), expected, atol=1e-6)
    seed.value = 5
    assert (shown_image(explorer.result) != steered).any()
    assert "%" in explorer.result.axes[0].get_title()  # the classifier's verdict
    assert not generator.training


def test_mix_slider_moves_between_the_two_seeds():
    generator = tiny_image_generator()
    explorer = widgets.interpolation_explorer(generator)
    _, seed_b, mix = explorer.children[:3]
    mix.value = 0.0
    assert (shown_image(explorer.result, 1) == shown_image(explorer.result, 0)).all()
    mix.value = 1.0
    assert (shown_image(explorer.result, 1) == shown_image(explorer.result, 2)).all()
    mix.value = 0.5
    middle = shown_image(explorer.result, 1)
    assert (middle != shown_image(explorer.result, 0)).any()
    assert (middle != shown_image(explorer.result, 2)).any()
    seed_b.value = 9
    assert "seed 9" in explorer.result.axes[2].get_title()


def label_and_vector_copier():
    """A conditional G whose first pixel is z[0] and second pixel is the glasses label's weight."""
    generator = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 784, bias=False),
                                    torch.nn.Unflatten(1, (1, 28, 28)))
    with torch.no_grad():
        generator[1].weight.zero_()
        generator[1].weight[0, 0] = 1.0
        generator[1].weight[1, 4] = 1.0
    return generator


def test_label_and_vector_sliders_steer_one_face():
    generator = label_and_vector_copier()
    first, second = torch.tensor([-0.8, 0, 0, 0]), torch.tensor([0.6, 0, 0, 0])
    describe = widgets.attribute_titles(pixel_reader([1.0]), ["bright"])
    explorer = widgets.label_and_vector_explorer(generator, first, second, describe)
    label, mix = explorer.children[:2]
    assert not label.continuous_update and not mix.continuous_update

    def pixels():  # the shown image is scaled from [-1, 1] to [0, 1]
        image = shown_image(explorer.result)[0]
        return [round(float(value) * 2 - 1, 4) for value in image[:2]]

    assert pixels() == [-0.8, 1.0]  # mix 0: the first vector; label 1: glasses
    mix.value = 1.0
    assert pixels() == [0.6, 1.0]
    label.value = 0.25
    mix.value = 0.5
    assert pixels() == [-0.1, 0.25]
    assert "bright" in explorer.result.axes[0].get_title()


# ---- the strips: a plain picture of what each slider does, for viewers that run no Python


@pytest.fixture(autouse=True)
def shown(monkeypatch):
    """The figures that the explorers display as plain pictures (their strips), kept here instead
    of printed; every figure is closed after each test."""
    figures = []
    monkeypatch.setattr(widgets, "display", figures.append)
    yield figures
    plt.close("all")


def drawn(fig):
    """A figure's picture as the notebook shows it, its PNG, as pixels."""
    png = io.BytesIO()
    fig.savefig(png, format="png", bbox_inches="tight")
    plt.close(fig)
    return plt.imread(io.BytesIO(png.getvalue()))


SIX = [-3.0, -1.8, -0.6, 0.6, 1.8, 3.0]
FIVE = [-3.0, -1.5, 0.0, 1.5, 3.0]
QUARTERS = [0.0, 0.25, 0.5, 0.75, 1.0]


def latent_point():
    generator, real = models.shape_generator(), data.sample_curve(100)
    strips = [[widgets.render_latent_point(generator, z1, 0.0, real) for z1 in SIX],
              [widgets.render_latent_point(generator, 0.0, z2, real) for z2 in SIX]]
    return lambda: widgets.latent_point_explorer(generator, real), strips


def number_histogram():
    generator = models.number_generator()
    strips = [[widgets.render_number_histogram(generator, seed, count=200) for seed in range(4)]]
    return lambda: widgets.number_histogram_explorer(generator, count=200), strips


def latent_image():
    generator = tiny_image_generator()
    directions = {"up": torch.tensor([1.0, 0, 0, 0]), "down": torch.tensor([0, 1.0, 0, 0])}
    strips = [[widgets.render_steered_image(generator, 0, directions, {"up": w, "down": 0.0})
               for w in FIVE],
              [widgets.render_steered_image(generator, 0, directions, {"up": 0.0, "down": w})
               for w in FIVE]]
    return lambda: widgets.latent_image_explorer(generator, directions), strips


def interpolation():
    generator = tiny_image_generator()
    strips = [[widgets.render_interpolation(generator, 0, 1, w)
               for w in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)]]
    return lambda: widgets.interpolation_explorer(generator), strips


def label_and_vector():
    generator, first, second = label_and_vector_copier(), torch.randn(4), torch.randn(4)
    strips = [[widgets.render_label_and_vector_mix(generator, first, second, w, 0.0)
               for w in QUARTERS],
              [widgets.render_label_and_vector_mix(generator, first, second, 1.0, w)
               for w in QUARTERS]]
    return lambda: widgets.label_and_vector_explorer(generator, first, second), strips


@pytest.mark.parametrize("case", [latent_point, number_histogram, latent_image, interpolation,
                                  label_and_vector], ids=lambda case: case.__name__)
def test_each_explorer_shows_a_strip_of_its_render_function_along_each_slider(shown, case):
    """One strip a slider that it steps along (the others at their start), each frame the very
    picture that the render function draws at that slider value."""
    torch.manual_seed(0)
    make, strips = case()
    expected = [[drawn(fig) for fig in strip] for strip in strips]
    explorer = make()
    assert len(shown) == len(expected)
    for strip, pictures in zip(shown, expected):
        frames = [np.asarray(ax.images[0].get_array()) for ax in strip.axes if ax.images]
        assert len(frames) == len(pictures)
        for frame, picture in zip(frames, pictures):
            np.testing.assert_array_equal(frame, picture)
        assert strip.texts[0].get_text().startswith("what the slider")
    assert explorer.result is not None  # the sliders still draw their own picture


def test_the_first_picture_is_set_in_the_output_area_not_captured(monkeypatch):
    """A capture while the cell runs makes the page (or nbclient, mimicking it) answer with
    messages to the busy kernel: a known cause of headless runs that never end (bench/README.md,
    "Headless runs"). The first picture is set directly; a slider's picture is captured later."""
    import base64

    import ipywidgets

    captures = []
    enter = ipywidgets.Output.__enter__
    monkeypatch.setattr(ipywidgets.Output, "__enter__",
                        lambda self: captures.append(self) or enter(self))
    torch.manual_seed(0)
    explorer = widgets.latent_point_explorer(models.shape_generator(), data.sample_curve(50))
    assert captures == [] and explorer.out.msg_id == ""
    [picture] = explorer.out.outputs
    assert base64.b64decode(picture["data"]["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert explorer.result is not None
    explorer.children[0].value = 1.0  # a slider moves, the cell long over: captured as usual
    assert captures == [explorer.out]
