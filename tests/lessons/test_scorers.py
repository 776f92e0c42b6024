"""The classifiers that score generators: notebook 01's, and the face classifier of notebooks 06
and 07."""

import torch

from gan_helpers import data, metrics, scorers
from gan_helpers.course import faces


def test_the_fashion_scorer_is_trained_once_then_loaded(course_root, monkeypatch, capsys, profile):
    profile("quick")
    fake = (torch.rand(256, 1, 28, 28) * 2 - 1, torch.randint(0, 10, (256,)))
    monkeypatch.setattr(data, "load_fashion_mnist", lambda train=True: fake)
    first, accuracy = scorers.fashion_scorer(torch.device("cpu"), epochs=1)
    assert "training the scorer" in capsys.readouterr().out
    assert (course_root / "files" / "fashion_scorer.pt").is_file()
    assert accuracy == metrics.accuracy(metrics.predict(first, fake[0]), fake[1])  # measured
    second, again = scorers.fashion_scorer(torch.device("cpu"), epochs=1)
    assert "scoring with the classifier saved" in capsys.readouterr().out and again == accuracy
    same = zip(first.state_dict().values(), second.state_dict().values())
    assert all(torch.equal(a, b) for a, b in same) and not second.training
    scorers.fashion_scorer(torch.device("cpu"), epochs=2)  # another recipe: trained again
    assert "training the scorer" in capsys.readouterr().out


def test_the_face_scorer_is_kept_for_the_same_recipe(course_root, profile, capsys):
    profile("quick")
    images, attributes = faces.make_faces(64, seed=0, size=16)
    _first, accuracy = scorers.face_scorer(images, attributes, torch.device("cpu"), name="faces",
                                          epochs=1)
    _again, accuracy_again = scorers.face_scorer(images, attributes, torch.device("cpu"),
                                                name="faces", epochs=1)
    assert "loaded the face classifier" in capsys.readouterr().out and accuracy_again == accuracy
    scorers.face_scorer(images[:32], {k: v[:32] for k, v in attributes.items()},
                        torch.device("cpu"), name="faces", epochs=1)
    assert "loaded" not in capsys.readouterr().out  # other images: trained again


def test_face_classifier_learns_the_attributes_and_the_rates_follow():
    torch.manual_seed(0)
    images, attributes = faces.make_faces(600, seed=0, size=32)
    classifier, accuracy = scorers.attribute_classifier(images, attributes, torch.device("cpu"),
                                                         epochs=4)
    assert set(accuracy) == {"glasses", "long_hair"}
    assert min(accuracy.values()) > 0.8, accuracy  # chance is about 0.5
    names = ["glasses", "long_hair"]
    rates = metrics.attribute_rates(data.to_unit_range(images), classifier, names)
    for name in rates:
        assert abs(rates[name] - attributes[name].float().mean().item()) < 0.15


def test_a_dataset_without_labels_learns_which_way_up_a_face_is():
    images, _ = faces.make_faces(600, seed=1, size=32)
    classifier, accuracy = scorers.rotation_classifier(images, torch.device("cpu"), epochs=3)
    assert list(accuracy) == ["rotation"] and accuracy["rotation"] > 0.6  # chance: 0.25
    assert classifier[-1].out_features == 4 and not classifier.training
    assert metrics.ClassifierFeatures(classifier)(torch.randn(3, 3, 32, 32)).shape == (3, 64)
