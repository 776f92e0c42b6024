"""The display helpers: code shown to read, and the diagrams drawn by code."""

from gan_helpers import training
from gan_helpers.course import display


def texts(fig):
    return " ".join(text.get_text() for ax in fig.axes for text in ax.texts)


def test_show_code_shows_the_source_and_says_where_it_runs_from():
    shown = display.show_code(training.gan_step).data
    assert shown.startswith("# gan_helpers/training.py: gan_step, shown to read")
    assert "def gan_step(" in shown and "d_optimizer.step()" in shown


def test_the_diagrams_name_what_they_show():
    gan = texts(display.gan_diagram())
    assert "phase 1: D learns" in gan and "D(G(z)) vs label 1" in gan and "fake, detached" in gan
    dcgan = texts(display.dcgan_diagram(features=16))
    assert "128x4x4" in dcgan and "3x64x64" in dcgan and "1x1x1" in dcgan
    assert "BatchNorm (not first nor last)" in dcgan  # D's first and last layers have none
    # G's first step (1x1 -> 4x4) and D's last (4x4 -> 1x1) are neither a doubling nor a halving
    assert dcgan.count("doubles") == 4 and dcgan.count("halves") == 4
    conditional = texts(display.conditional_diagram(image_size=32))
    assert "102 x 1 x 1" in conditional and "5 x 32 x 32" in conditional
    mirror = display.mirror_diagram([784, 1024, 512, 256, 1], [100, 256, 512, 1024, 784])
    assert [len(ax.patches) for ax in mirror.axes] == [5, 5]
    assert all(ax.get_facecolor()[:3] == (1.0, 1.0, 1.0) for ax in mirror.axes)
