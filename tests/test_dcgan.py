"""Notebook 06: weight init, instance noise, the face classifier and what it measures."""

import torch
from torch import nn

from gan_helpers import faces, metrics, models, training


def test_init_weights_follows_the_book():
    torch.manual_seed(0)
    G = models.dcgan_generator(features=16)
    G.apply(models.init_weights)
    weights = torch.cat([m.weight.flatten() for m in G if isinstance(m, nn.ConvTranspose2d)])
    assert abs(weights.mean()) < 1e-3 and abs(weights.std() - 0.02) < 1e-3
    norms = [m for m in G if isinstance(m, nn.BatchNorm2d)]
    scales = torch.cat([m.weight.detach() for m in norms])
    assert abs(scales.mean() - 1) < 0.01 and abs(scales.std() - 0.02) < 0.01
    assert all((m.bias == 0).all() for m in norms)


def test_instance_noise_blurs_only_while_training():
    noise = models.InstanceNoise(0.5)
    images = torch.zeros(200, 3, 8, 8)
    assert abs(noise(images).std() - 0.5) < 0.01
    assert torch.equal(noise.eval()(images), images)
    assert torch.equal(models.InstanceNoise(0.0).train()(images), images)


def test_face_classifier_takes_any_image_size():
    classifier = models.face_classifier(outputs=2)
    assert classifier(torch.randn(3, 3, 64, 64)).shape == (3, 2)
    assert classifier(torch.randn(3, 3, 32, 32)).shape == (3, 2)
    assert metrics.ClassifierFeatures(classifier)(torch.randn(3, 3, 64, 64)).shape == (3, 64)


def test_face_classifier_learns_the_attributes_and_the_rates_follow():
    torch.manual_seed(0)
    images, attributes = faces.make_faces(600, seed=0, size=32)
    classifier, accuracy = training.train_face_classifier(images, attributes, torch.device("cpu"), epochs=4)
    assert set(accuracy) == {"glasses", "long_hair"}
    assert min(accuracy.values()) > 0.8, accuracy  # chance is about 0.5
    unit = images.float() / 127.5 - 1
    rates = metrics.attribute_rates(unit, classifier, ["glasses", "long_hair"])
    for name in rates:
        assert abs(rates[name] - attributes[name].float().mean().item()) < 0.15


def test_a_dataset_without_labels_trains_on_which_way_up():
    images, _ = faces.make_faces(200, seed=1, size=32)
    classifier, accuracy = training.train_face_classifier(images, {}, torch.device("cpu"), epochs=1)
    assert list(accuracy) == ["rotation"] and 0 <= accuracy["rotation"] <= 1
    assert classifier[-1].out_features == 4 and not classifier.training


def test_attribute_rates_count_positive_logits():
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    with torch.no_grad():
        classifier[1].weight.copy_(torch.tensor([[1.0, 0, 0, 0], [0, 0, 0, -1.0]]))
        classifier[1].bias.zero_()
    images = torch.tensor([[1.0, 0, 0, 1], [-1, 0, 0, -1], [1, 0, 0, -1], [2, 0, 0, -3]]).view(4, 1, 2, 2)
    assert metrics.attribute_rates(images, classifier, ["a", "b"]) == {"a": 0.75, "b": 0.75}
