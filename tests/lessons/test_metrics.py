"""What the course measures: classifiers' accuracy, the chapter-3 measures, the Fréchet distance,
class shares and attribute rates."""

import pytest
import torch
from torch import nn

from gan_helpers import data, metrics


def test_predicted_labels_binary_and_multiclass():
    assert metrics.predicted_labels(torch.tensor([[0.2], [0.5], [0.9]])).tolist() == [0, 0, 1]
    scores = torch.tensor([[0.1, 2.0, 0.3], [5.0, 1.0, 0.0]])
    assert metrics.predicted_labels(scores).tolist() == [1, 0]


def test_accuracy():
    assert metrics.accuracy(torch.tensor([1, 2, 3, 4]), torch.tensor([1, 2, 0, 0])) == 0.5
    # binary float labels
    assert metrics.accuracy(torch.tensor([1, 0]), torch.tensor([[1.0], [0.0]])) == 1.0


def test_confusion_matrix_rows_are_true_classes():
    predictions, labels = torch.tensor([0, 1, 1, 2]), torch.tensor([0, 0, 1, 2])
    matrix = metrics.confusion_matrix(predictions, labels, num_classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]


def test_predict_batches_in_eval_mode():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.9))
    x = torch.randn(25, 3)
    model.train()
    predictions = metrics.predict(model, x, batch_size=7)
    assert not model.training
    # dropout off: same as one deterministic pass
    assert torch.equal(predictions, model(x).argmax(1))


def test_on_curve_error_is_relative():
    points = torch.tensor([[0.0, 1.0], [10.0, 1.08**10 * 1.1], [20.0, 1.08**20 * 0.95]])
    errors = metrics.on_curve_error(points, data.exponential_curve).tolist()
    assert errors == pytest.approx([0, 0.1, 0.05], abs=1e-5)


def test_ks_statistic():
    even = (torch.arange(1000) + 0.5) / 1000 * 50
    assert metrics.ks_uniform(even, 0, 50) == pytest.approx(0.0005, abs=1e-6)
    left_half = even / 2  # everything in [0, 25]: the gap reaches 0.5 at the middle
    assert metrics.ks_uniform(left_half, 0, 50) == pytest.approx(0.5, abs=1e-3)
    # piled up in one spot c: max(c, 1 - c) of the range, as the docstring says
    assert metrics.ks_uniform(torch.full((100,), 10.0), 0, 50) == pytest.approx(0.8)
    assert metrics.ks_uniform(torch.full((100,), 25.0), 0, 50) == pytest.approx(0.5)


def test_share_inside():
    points = torch.tensor([[1.0, 1.0], [60.0, 1.0], [10.0, -5.0], [49.0, 40.0]])
    assert metrics.share_inside(points, (0, 50), (0, 50)) == 0.5


def test_number_quality_sees_mode_collapse_that_validity_misses():
    always_zero = metrics.number_quality(torch.zeros(1000, dtype=torch.long))
    assert always_zero["validity"] == 1.0  # the book's measure: perfect
    assert always_zero["coverage"] == 1 and always_zero["total_variation"] == pytest.approx(0.95)
    even = metrics.number_quality(torch.arange(0, 100, 5).repeat(50))
    assert even == {"validity": 1.0, "coverage": 20, "valid_values": 20,
                    "total_variation": pytest.approx(0.0)}
    half_wrong = metrics.number_quality(torch.tensor([0, 1, 5, 6]))
    assert half_wrong["validity"] == 0.5 and half_wrong["coverage"] == 2
    expected = 0.5 * (0.2 + 0.2 + 0.25 + 0.25 + 18 * 0.05)
    assert half_wrong["total_variation"] == pytest.approx(expected)


def test_remainder_mse_is_the_books_blind_measure():
    assert metrics.remainder_mse(torch.tensor([0, 5, 12, 13])) == pytest.approx((4 + 9) / 4)
    # collapsed, yet perfect
    assert metrics.remainder_mse(torch.zeros(100, dtype=torch.long)) == 0.0
    assert metrics.remainder_mse(torch.tensor([3, 7]), multiple=3) == pytest.approx(0.5)


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
    expected = (x.mean() - y.mean()) ** 2 + (x.std() - y.std()) ** 2  # 1-D: |mu|^2 + (s1 - s2)^2
    distance = metrics.frechet_distance(a, b, one_pixel_classifier(), batch_size=700)
    assert distance == pytest.approx(expected.item(), rel=1e-3)
    same = metrics.frechet_distance(a, a.clone(), one_pixel_classifier())
    assert same == pytest.approx(0, abs=1e-6)


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
    assert shares[3] == pytest.approx(0.4) and shares[7] == pytest.approx(0.6)
    assert shares.sum() == pytest.approx(1)


def test_attribute_rates_count_positive_logits():
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    with torch.no_grad():
        classifier[1].weight.copy_(torch.tensor([[1.0, 0, 0, 0], [0, 0, 0, -1.0]]))
        classifier[1].bias.zero_()
    pixels = [[1.0, 0, 0, 1], [-1, 0, 0, -1], [1, 0, 0, -1], [2, 0, 0, -3]]
    images = torch.tensor(pixels).view(4, 1, 2, 2)
    assert metrics.attribute_rates(images, classifier, ["a", "b"]) == {"a": 0.75, "b": 0.75}


def test_classifier_features_are_the_hidden_layer_before_the_decision():
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.ReLU(), nn.Linear(5, 2))
    features = metrics.ClassifierFeatures(classifier)
    x = torch.randn(3, 1, 3, 4)
    assert features.num_features == 5
    assert torch.equal(features(x), classifier[:-1](x))
