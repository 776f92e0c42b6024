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
    fig = plotting.plot_history({"train_loss": [3, 2, 1], "val_loss": [3, 2, 2.5]}, ["train_loss", "val_loss"],
                                marker=2)
    lines = fig.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines[:2]] == [[3, 2, 1], [3, 2, 2.5]]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["train loss", "val loss", "best, epoch 2"]
    plt.close(fig)


def test_confusion_matrix_writes_every_count():
    fig = plotting.plot_confusion_matrix(torch.tensor([[5, 1], [0, 7]]), ["a", "b"])
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "5", "7"]
    plt.close(fig)


def test_real_vs_generated_one_panel_per_snapshot():
    real = torch.rand(50, 2)
    snapshots = {"epoch 1": torch.zeros(10, 2), "epoch 2": torch.ones(10, 2), "epoch 3": torch.rand(10, 2)}
    fig = plotting.real_vs_generated(real, snapshots, ncols=2)
    drawn = [ax for ax in fig.axes if ax.collections]
    assert [ax.get_title() for ax in drawn] == list(snapshots)
    assert drawn[1].collections[1].get_offsets().tolist() == [[1.0, 1.0]] * 10
    plt.close(fig)


def test_save_figure_writes_a_png_under_files_figures(monkeypatch, tmp_path, profile):
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    profile("smoke")
    plotting.show_images(torch.zeros(2, 1, 28, 28), ncols=2)
    plotting.save_figure("04_samples")
    path = tmp_path / "files" / "smoke" / "figures" / "04_samples.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
