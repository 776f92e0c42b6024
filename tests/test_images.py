"""Notebooks 04 and 05: the image networks, the loop, the scores, and the conv pictures."""

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from gan_helpers import data, metrics, models, plotting, training


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def linear_widths(network):
    return [(m.in_features, m.out_features) for m in network if isinstance(m, nn.Linear)]


def test_fashion_players_mirror_each_other_and_take_images():
    D, G = models.fashion_discriminator(), models.fashion_generator()
    assert linear_widths(D) == [(784, 1024), (1024, 512), (512, 256), (256, 1)]
    assert linear_widths(G) == [(100, 256), (256, 512), (512, 1024), (1024, 784)]
    images = G(torch.randn(5, 100))
    assert images.shape == (5, 1, 28, 28) and images.abs().max() <= 1
    p = D(images)
    assert p.shape == (5, 1) and ((p > 0) & (p < 1)).all()
    assert sum(isinstance(m, nn.Dropout) and m.p == 0.3 for m in D) == 3


def test_exercise_widths():
    assert linear_widths(models.fashion_discriminator((1000, 500, 200)))[:3] == [(784, 1000), (1000, 500), (500, 200)]
    assert linear_widths(models.fashion_generator(widths=(200, 500, 1000)))[1:] == [(200, 500), (500, 1000), (1000, 784)]


def test_dcgan_players_have_the_books_shapes():
    D, G = models.dcgan_discriminator(), models.dcgan_generator()
    images = G(torch.randn(2, 100, 1, 1))
    assert images.shape == (2, 3, 64, 64)
    assert D(images).shape == (2, 1)
    # the parameter counts of the DCGAN of the book (and of PyTorch's DCGAN tutorial)
    assert sum(p.numel() for p in D.parameters()) == 2_765_568
    assert sum(p.numel() for p in G.parameters()) == 3_576_704
    assert not any(m.bias is not None for m in [*D, *G] if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)))


def one_pixel_classifier():
    """A 'classifier' whose single feature is the first pixel of the image."""
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(784, 1), nn.Linear(1, 10))
    with torch.no_grad():
        classifier[1].weight.zero_()
        classifier[1].weight[0, 0] = 1.0
        classifier[1].bias.zero_()
    return classifier


def test_frechet_distance_matches_the_formula_in_one_dimension():
    torch.manual_seed(0)
    a = torch.zeros(2000, 1, 28, 28)
    b = torch.zeros(3000, 1, 28, 28)
    a[:, 0, 0, 0] = torch.randn(2000)
    b[:, 0, 0, 0] = 2 + 3 * torch.randn(3000)
    x, y = a[:, 0, 0, 0].double(), b[:, 0, 0, 0].double()
    expected = (x.mean() - y.mean()) ** 2 + (x.std() - y.std()) ** 2  # Gaussians in 1-D: |mu|^2 + (s1 - s2)^2
    assert metrics.frechet_distance(a, b, one_pixel_classifier(), batch_size=700) == pytest.approx(expected.item(), rel=1e-3)
    assert metrics.frechet_distance(a, a.clone(), one_pixel_classifier()) == pytest.approx(0, abs=1e-6)


def test_class_histogram_is_the_share_of_each_predicted_class():
    classifier = one_pixel_classifier()
    with torch.no_grad():  # class 3 when the first pixel is positive, class 7 otherwise
        classifier[2].weight.zero_()
        classifier[2].bias.zero_()
        classifier[2].weight[3, 0], classifier[2].weight[7, 0] = 1.0, -1.0
    images = torch.zeros(10, 1, 28, 28)
    images[:4, 0, 0, 0] = 1.0
    images[4:, 0, 0, 0] = -1.0
    shares = metrics.class_histogram(images, classifier)
    assert shares[3] == pytest.approx(0.4) and shares[7] == pytest.approx(0.6) and shares.sum() == pytest.approx(1)


def test_train_gan_keeps_losses_and_snapshots_of_the_average():
    torch.manual_seed(0)
    loader = data.TensorLoader(torch.rand(64, 1, 28, 28) * 2 - 1, batch_size=16)
    G, D = models.fashion_generator(widths=(8, 8, 8)), models.fashion_discriminator((8, 8, 8))
    average = AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(0.9))
    noise = torch.randn(4, 100)
    optimizers = [torch.optim.Adam(net.parameters(), lr=1e-3) for net in (G, D)]
    history, snapshots = training.train_gan(G, D, loader, *optimizers, 3, 100, noise, 2, average)
    assert len(history["d_loss"]) == len(history["g_loss"]) == 3
    assert list(snapshots) == [2, 3]
    with torch.no_grad():
        assert torch.allclose(snapshots[3], average.module.eval()(noise))
        assert not torch.allclose(snapshots[3], G.eval()(noise))  # the average, not G itself, drew them


def test_scoring_classifier_trains_and_saves_when_notebook_01_has_not_run(monkeypatch, tmp_path, capsys, profile):
    profile("quick")
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    monkeypatch.setattr(data, "load_fashion_mnist", lambda train=True: (torch.rand(128, 1, 28, 28), torch.randint(0, 10, (128,))))
    first = training.scoring_classifier(torch.device("cpu"), epochs=1)
    assert "training one now for 1 epochs" in capsys.readouterr().out
    assert (tmp_path / "files" / "fashion_classifier.pt").is_file()
    second = training.scoring_classifier(torch.device("cpu"))
    assert "scoring with notebook 01's classifier" in capsys.readouterr().out
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))
    assert not second.training


def test_conv_pictures_have_a_panel_per_output_value():
    image, kernel = torch.arange(9.0).view(3, 3), torch.ones(2, 2)
    output = nn.functional.conv2d(image.view(1, 1, 3, 3), kernel.view(1, 1, 2, 2))[0, 0]
    fig = plotting.plot_kernel_sliding(image, kernel, output)
    assert len(fig.axes) == 4 and fig.axes[3].get_title() == "output[1,1] = 24\n4·1 + 5·1 + 7·1 + 8·1"
    spread = nn.functional.conv_transpose2d(image[:2, :2].reshape(1, 1, 2, 2), kernel.view(1, 1, 2, 2), stride=2)[0, 0]
    assert len(plotting.plot_transposed_spreading(image[:2, :2], kernel, spread).axes) == 5
