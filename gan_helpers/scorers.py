"""Classifiers that score what a generator makes (introduced in notebook 04); notebook 01's
lesson classifier is not one of them.

A GAN's pictures cannot be checked against a formula, so the course asks a classifier: which
kind of clothing, or which attributes, does it see, and how far are the generated images from
real ones on its features (``metrics.frechet_distance``)?
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch
from torch import nn

from . import checkpoints, data, metrics, models, settings
from .training import fit_classifier, progress


def _saved_by(recipe: dict, model: nn.Module, path: Path) -> dict | None:
    """The facts saved with the scorer at ``path``, its weights loaded into ``model``, if that
    scorer was trained by ``recipe``; None if there is none, or one made another way (which is
    then trained again and replaced). Looked for where ``checkpoints.find_trained`` looks: the
    learner's own files first, then a teacher's ``GAN_MODELS_DIR``, then ``pretrained/``."""
    path = checkpoints.find_trained(path)
    if not path.is_file():
        return None
    try:
        info = checkpoints.load_checkpoint(model, path)
    except checkpoints.CheckpointMismatchError:
        info = {}
    if info.get("recipe") != recipe:
        print(f"{path} was trained another way: training it again")
        return None
    return info


def fashion_scorer(device: torch.device, epochs: int = 6,
                   seed: int = 0) -> tuple[nn.Sequential, float]:
    """Notebook 04's scorer: ``models.fashion_cnn`` trained by ``train_fashion_scorer``, kept in
    ``files/fashion_scorer.pt``; returns it (in eval mode) and its accuracy on the 10,000 test
    images. Later calls load the saved one (a saved scorer of another recipe is trained again)."""
    path = settings.output_dir() / "fashion_scorer.pt"
    model = models.fashion_cnn()
    recipe = {"epochs": epochs, "seed": seed}
    info = _saved_by(recipe, model, path)
    if info is not None:
        print(f"scoring with the classifier saved in {checkpoints.find_trained(path)}")
        return model.to(device).eval(), info["test_accuracy"]
    print(f"training the scorer ({epochs} epochs); it is saved in {path} for next time")
    model = train_fashion_scorer(model.to(device), epochs, seed)
    test_images, test_labels = data.load_fashion_mnist(train=False)
    accuracy = metrics.accuracy(metrics.predict(model, test_images), test_labels)
    checkpoints.save_checkpoint(model, path, recipe=recipe, test_accuracy=accuracy)
    return model, accuracy


def train_fashion_scorer(model: nn.Module, epochs: int, seed: int) -> nn.Module:
    """Train ``model`` on the 60,000 Fashion-MNIST training images: Adam with a one-cycle learning
    rate (up to 0.003 and back down, stepped every batch, which ``training.fit_classifier`` does
    not do) and label smoothing 0.1, batches of 128; returns it in eval mode."""
    device = next(model.parameters()).device
    images, labels = data.load_fashion_mnist(train=True)
    loader = data.TensorLoader(images.to(device), labels.to(device), batch_size=128, shuffle=True,
                               generator=torch.Generator().manual_seed(seed))
    torch.manual_seed(seed)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3,
                                                   total_steps=epochs * len(loader))
    for _ in progress(range(epochs), desc="scorer epochs"):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y, label_smoothing=0.1)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


def _fit_face_classifier(x: torch.Tensor, targets: torch.Tensor, loss_fn: nn.Module,
                         outputs: int, device: torch.device, epochs: int, seed: int,
                         shuffle: torch.Generator) -> tuple[nn.Sequential, torch.Tensor]:
    """A ``models.face_classifier`` with ``outputs`` logits, trained on all but the first tenth of
    ``x`` (already in a random order) against ``targets``, batches shuffled by ``shuffle``;
    returns it, in eval mode, and its outputs for the held-out first tenth."""
    held_out = max(1, len(x) // 10)
    loader = data.TensorLoader(x[held_out:].to(device), targets[held_out:].to(device),
                               batch_size=64, shuffle=True, generator=shuffle)
    torch.manual_seed(seed)
    model = models.face_classifier(outputs).to(device)
    fit_classifier(model, loader, loss_fn=loss_fn,
                   optimizer=torch.optim.Adam(model.parameters(), lr=1e-3), epochs=epochs)
    return model.eval(), metrics.outputs_of(model, x[:held_out])


def attribute_classifier(images: torch.Tensor, attributes: dict[str, torch.Tensor],
                         device: torch.device, epochs: int = 3,
                         seed: int = 0) -> tuple[nn.Sequential, dict[str, float]]:
    """Notebook 06's scorer, trained on the dataset's own labels: a ``models.face_classifier`` with
    one output per attribute (glasses, long hair), on nine tenths of ``images`` (uint8). Returns
    it, in eval mode, and its accuracy on the held-out tenth for each attribute."""
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(images), generator=generator)
    names = list(attributes)
    targets = torch.stack([attributes[name][order] for name in names], dim=1).float()
    model, held_out = _fit_face_classifier(data.to_unit_range(images[order]), targets,
                                           nn.BCEWithLogitsLoss(), len(names), device, epochs,
                                           seed, generator)
    correct = (held_out > 0) == targets[: len(held_out)].bool()
    return model, dict(zip(names, correct.float().mean(dim=0).tolist()))


def rotation_classifier(images: torch.Tensor, device: torch.device, epochs: int = 3,
                        seed: int = 0) -> tuple[nn.Sequential, dict[str, float]]:
    """Notebook 06's scorer for a dataset without labels (the anime faces): a task made from the
    images themselves, which way up is the face (turned by 0, 90, 180 or 270 degrees)? To answer,
    the classifier must learn where eyes, hair and chin are, and so its features still describe
    faces. Returns it, in eval mode, and its held-out accuracy as {"rotation": share}."""
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(images), generator=generator)
    x = data.to_unit_range(images[order])
    targets = torch.arange(len(x)) % 4
    for quarter_turns in range(1, 4):
        turned = targets == quarter_turns
        x[turned] = torch.rot90(x[turned], quarter_turns, dims=(2, 3))
    model, held_out = _fit_face_classifier(x, targets, nn.CrossEntropyLoss(), 4, device, epochs,
                                           seed, generator)
    accuracy = (held_out.argmax(1) == targets[: len(held_out)]).float().mean().item()
    return model, {"rotation": accuracy}


def face_scorer(images: torch.Tensor, attributes: dict[str, torch.Tensor], device: torch.device,
                *, name: str, epochs: int = 3,
                seed: int = 0) -> tuple[nn.Sequential, dict[str, float]]:
    """``attribute_classifier`` (or ``rotation_classifier`` when the dataset has no attributes),
    kept in ``files/<name>.pt`` and loaded from there when the same recipe (images, attributes,
    epochs, seed) asks again (notebooks 06 and 07); returns the classifier, in eval mode, and its
    held-out accuracy."""
    path = settings.output_dir() / f"{name}.pt"
    recipe = {"images": list(images.shape),
              "pixels": hashlib.sha1(images.cpu().contiguous().numpy()).hexdigest(),
              "attributes": sorted(attributes), "epochs": epochs, "seed": seed}
    model = models.face_classifier(len(attributes) or 4)
    info = _saved_by(recipe, model, path)
    if info is not None:
        print(f"loaded the face classifier from {checkpoints.find_trained(path)}")
        return model.to(device).eval(), info["held_out_accuracy"]
    if attributes:
        model, accuracy = attribute_classifier(images, attributes, device, epochs, seed)
    else:
        model, accuracy = rotation_classifier(images, device, epochs, seed)
    checkpoints.save_checkpoint(model, path, recipe=recipe, held_out_accuracy=accuracy)
    return model, accuracy
