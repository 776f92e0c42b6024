"""Pictures: grids, curves, the confusion matrix, points over a curve, the conv pictures."""

import matplotlib.pyplot as plt
import torch

from gan_helpers import plotting


def test_to_displayable_maps_minus_one_one_to_zero_one_channels_last():
    image = torch.tensor([-1.0, 0.0, 1.0]).view(3, 1, 1).expand(3, 2, 2)
    shown = plotting.to_displayable(image)
    assert shown.shape == (2, 2, 3)
    assert shown[0, 0].tolist() == [0.0, 0.5, 1.0]
    assert plotting.to_displayable(torch.zeros(1, 4, 4)).shape == (4, 4)  # grey: no channel axis


def test_show_images_draws_each_image_with_its_title():
    images = torch.linspace(-1, 1, 10 * 28 * 28).view(10, 1, 28, 28)
    fig = plotting.show_images(images, [f"n{i}" for i in range(10)], ncols=4)
    assert len(fig.axes) == 12
    drawn = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in drawn] == [f"n{i}" for i in range(10)]
    assert drawn[9].images[0].get_array().max() == 1.0
    plt.close(fig)


def test_plot_history_draws_one_curve_per_key_and_the_marker():
    history = {"train_loss": [3, 2, 1], "val_loss": [3, 2, 2.5]}
    fig = plotting.plot_history(history, ["train_loss", "val_loss"], marker=2)
    lines = fig.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines[:2]] == [[3, 2, 1], [3, 2, 2.5]]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["train loss", "val loss", "best, epoch 2"]
    plt.close(fig)


def test_confusion_matrix_writes_every_count():
    fig = plotting.plot_confusion_matrix(torch.tensor([[5, 1], [0, 7]]), ["a", "b"])
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "5", "7"]
    plt.close(fig)


def test_real_vs_generated_one_panel_per_snapshot():
    real = torch.rand(50, 2)
    snapshots = {"epoch 1": torch.zeros(10, 2), "epoch 2": torch.ones(10, 2),
                 "epoch 3": torch.rand(10, 2)}
    fig = plotting.real_vs_generated(real, snapshots, ncols=2)
    drawn = [ax for ax in fig.axes if ax.collections]
    assert [ax.get_title() for ax in drawn] == list(snapshots)
    assert drawn[1].collections[1].get_offsets().tolist() == [[1.0, 1.0]] * 10
    plt.close(fig)


def test_show_grid_tiles_the_images_into_one_picture():
    images = torch.linspace(-1, 1, 6 * 3 * 8 * 8).view(6, 3, 8, 8)
    fig = plotting.show_grid(images, title="epoch 3", nrow=4)
    [ax] = fig.axes
    picture = ax.images[0].get_array()
    assert picture.shape == (2 * 9 + 1, 4 * 9 + 1, 3)  # 2 rows of 4, 1 pixel of padding
    assert picture.min() >= 0 and picture.max() <= 1 and ax.get_title() == "epoch 3"


def test_show_progress_draws_a_labelled_row_per_snapshot():
    snapshots = {3: -torch.ones(5, 1, 8, 8), 6: torch.zeros(5, 1, 8, 8), 7: torch.ones(5, 1, 8, 8)}
    fig = plotting.show_progress(snapshots, count=4)
    [ax] = fig.axes
    picture = ax.images[0].get_array()
    assert picture.shape == (3 * 9 + 1, 4 * 9 + 1, 3)  # 3 epochs, the first 4 images of each
    assert [label.get_text() for label in ax.get_yticklabels()] == ["epoch 3", "epoch 6",
                                                                   "epoch 7"]
    assert picture[1:9, 1:9].max() == 0 and picture[-9:-1, 1:9].min() == 1  # in epoch order
    plt.close(fig)


def test_conv_pictures_have_a_panel_per_output_value():
    image, kernel = torch.arange(9.0).view(3, 3), torch.ones(2, 2)
    output = torch.nn.functional.conv2d(image.view(1, 1, 3, 3), kernel.view(1, 1, 2, 2))[0, 0]
    fig = plotting.plot_kernel_sliding(image, kernel, output)
    assert len(fig.axes) == 4
    assert fig.axes[3].get_title() == "output[1,1] = 24\n4·1 + 5·1 + 7·1 + 8·1"
    spread = torch.nn.functional.conv_transpose2d(image[:2, :2].reshape(1, 1, 2, 2),
                                                  kernel.view(1, 1, 2, 2), stride=2)[0, 0]
    assert len(plotting.plot_transposed_spreading(image[:2, :2], kernel, spread).axes) == 5


def texts(fig):
    return " ".join(text.get_text() for ax in fig.axes for text in ax.texts)


def test_plot_game_draws_the_even_game_and_a_dashed_line_at_each_marked_epoch():
    history = {"d_loss": [1.0, 1.2, 1.4], "g_loss": [2.0, 1.0, 0.7], "d_real": [0.8, 0.6, 0.5],
               "d_fake": [0.2, 0.4, 0.5], "mse": [3.0, 1.0, 2.0]}
    fig = plotting.plot_game(history, measure="mse", marks={"kept": 2})
    assert len(fig.axes) == 3
    for ax in fig.axes:
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert [line.get_xdata()[0] for line in dashed] == [2]
    assert "kept (2)" in [text.get_text() for text in fig.axes[-1].texts]
    plt.close(fig)
