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
    then trained again and replaced)."""
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
    """Notebook 04's scorer: ``models.fashion_cnn``, trained on the 60,000 training images and
    kept in ``files/fashion_scorer.pt``; returns it (in eval mode) and its accuracy on the 10,000
    test images.

    Trained once, in about a minute on a 2-core CPU: Adam with a one-cycle learning rate (up to
    0.003 and back down) and label smoothing 0.1, batches of 128, ``epochs`` epochs. Later calls
    load the saved one (a saved scorer of another recipe is trained again).
    """
    path = settings.output_dir() / "fashion_scorer.pt"
    model = models.fashion_cnn()
    recipe = {"epochs": epochs, "seed": seed}
    info = _saved_by(recipe, model, path)
    if info is not None:
        print(f"scoring with the classifier saved in {path}")
        return model.to(device).eval(), info["test_accuracy"]
    print(f"training the scorer ({epochs} epochs, about a minute on a 2-core CPU); it is saved "
          f"in {path} for next time")
    images, labels = data.load_fashion_mnist(train=True)
    loader = data.TensorLoader(images.to(device), labels.to(device), batch_size=128, shuffle=True,
                               generator=torch.Generator().manual_seed(seed))
    torch.manual_seed(seed)
    model.to(device).train()
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
    test_images, test_labels = data.load_fashion_mnist(train=False)
    accuracy = metrics.accuracy(metrics.predict(model, test_images), test_labels)
    checkpoints.save_checkpoint(model, path, recipe=recipe, test_accuracy=accuracy)
    return model.eval(), accuracy


def train_face_classifier(images: torch.Tensor, attributes: dict[str, torch.Tensor],
                          device: torch.device, epochs: int = 3,
                          seed: int = 0) -> tuple[nn.Sequential, dict[str, float]]:
    """Notebook 06's scorer, trained on the dataset's own labels: a ``models.face_classifier``
    with one output per attribute (glasses, long hair), on nine tenths of ``images`` (uint8).

    A dataset without labels (the anime faces) gets a task made from the images themselves: which
    way up is the face (turned by 0, 90, 180 or 270 degrees)? To answer, the classifier must learn
    where eyes, hair and chin are, and so its features still describe faces. Returns the
    classifier, in eval mode, and its accuracy on the held-out tenth for each attribute (or for
    "rotation").
    """
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(images), generator=generator)
    x = data.to_unit_range(images[order])
    if attributes:
        names = list(attributes)
        targets = torch.stack([attributes[name][order] for name in names], dim=1).float()
        loss_fn, outputs = nn.BCEWithLogitsLoss(), len(names)
    else:
        names, targets = ["rotation"], torch.arange(len(x)) % 4
        for quarter_turns in range(1, 4):
            turned = targets == quarter_turns
            x[turned] = torch.rot90(x[turned], quarter_turns, dims=(2, 3))
        loss_fn, outputs = nn.CrossEntropyLoss(), 4
    held_out = max(1, len(x) // 10)
    loader = data.TensorLoader(x[held_out:].to(device), targets[held_out:].to(device),
                               batch_size=64, shuffle=True, generator=generator)
    torch.manual_seed(seed)
    model = models.face_classifier(outputs).to(device)
    fit_classifier(model, loader, loss_fn=loss_fn,
                   optimizer=torch.optim.Adam(model.parameters(), lr=1e-3), epochs=epochs)
    predictions = metrics.outputs_of(model, x[:held_out])
    if attributes:
        correct = (predictions > 0) == targets[:held_out].bool()
        shares = correct.float().mean(dim=0).tolist()
        return model.eval(), dict(zip(names, shares))
    accuracy = (predictions.argmax(1) == targets[:held_out]).float().mean().item()
    return model.eval(), {"rotation": accuracy}


def face_scorer(images: torch.Tensor, attributes: dict[str, torch.Tensor], device: torch.device,
                *, name: str, epochs: int = 3,
                seed: int = 0) -> tuple[nn.Sequential, dict[str, float]]:
    """``train_face_classifier``, kept in ``files/<name>.pt`` and loaded from there when the same
    recipe (images, attributes, epochs, seed) asks again (notebooks 06 and 07); returns the
    classifier, in eval mode, and its held-out accuracy."""
    path = settings.output_dir() / f"{name}.pt"
    recipe = {"images": list(images.shape),
              "pixels": hashlib.sha1(images.cpu().contiguous().numpy()).hexdigest(),
              "attributes": sorted(attributes), "epochs": epochs, "seed": seed}
    model = models.face_classifier(len(attributes) or 4)
    info = _saved_by(recipe, model, path)
    if info is not None:
        print(f"loaded the face classifier from {path}")
        return model.to(device).eval(), info["held_out_accuracy"]
    model, accuracy = train_face_classifier(images, attributes, device, epochs=epochs, seed=seed)
    checkpoints.save_checkpoint(model, path, recipe=recipe, held_out_accuracy=accuracy)
    return model, accuracy
