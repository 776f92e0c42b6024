"""Notebook 01's quality claim, measured: the book's recipe vs the course's, over seeds.

Every recipe: the 784-256-128-64-10 classifier, Adam 1e-3, batch 64, EarlyStop(patience=10), best
weights restored, tested on the 10,000 test images. The book's early stopping watches the
validation loss; the course's watches the validation error and halves the learning rate on the
third epoch in a row without a new minimum of the validation loss (ReduceLROnPlateau, patience
2). The two changes are also measured one at a time. About a minute per run on a 2-core CPU.

    .venv/bin/python bench/classifier_seeds.py [--seeds 1 2 3]
"""

from __future__ import annotations

import argparse
import statistics

import torch
from torch import nn

from gan_helpers import data, metrics, models, training

RECIPES = {  # name: (stop_on, lr_halving_patience)
    "book": ("val_loss", None),
    "+ lr halving": ("val_loss", 2),
    "+ stop on error": ("val_error", None),
    "course (both)": ("val_error", 2),
}


def run(seed: int, stop_on: str, halving_patience: int | None, images, labels, test_images,
        test_labels) -> tuple[float, int]:
    torch.manual_seed(seed)
    split = torch.utils.data.random_split(range(60_000), [50_000, 10_000])
    train_idx, val_idx = (list(part) for part in split)
    train_loader = data.TensorLoader(images[train_idx], labels[train_idx], batch_size=64,
                                     shuffle=True, generator=torch.Generator().manual_seed(seed))
    val_loader = data.TensorLoader(images[val_idx], labels[val_idx], batch_size=1000)
    torch.manual_seed(seed)
    model = models.fashion_classifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = None
    if halving_patience:
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5,
                                                               patience=halving_patience)
    early_stop = training.EarlyStop(patience=10)
    training.fit_classifier(model, train_loader, loss_fn=nn.CrossEntropyLoss(), optimizer=optimizer,
                            epochs=100, val_loader=val_loader, early_stop=early_stop,
                            stop_on=stop_on, scheduler=scheduler)
    early_stop.restore_best(model)
    accuracy = metrics.accuracy(metrics.predict(model, test_images), test_labels)
    return accuracy, early_stop.best_check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--recipes", nargs="+", choices=list(RECIPES), default=list(RECIPES))
    args = parser.parse_args()
    train = data.load_fashion_mnist(train=True)
    test = data.load_fashion_mnist(train=False)
    results = {}
    for name in args.recipes:
        results[name] = [run(seed, *RECIPES[name], *train, *test) for seed in args.seeds]
    print(f"\ntest accuracy at the best epoch, seeds {args.seeds}, torch {torch.__version__}")
    for name, runs in results.items():
        accuracies = [accuracy for accuracy, _ in runs]
        listing = ", ".join(f"{accuracy:.4f} (epoch {epoch})" for accuracy, epoch in runs)
        print(f"  {name:16} {listing}   min {min(accuracies):.4f}, "
              f"mean {statistics.mean(accuracies):.4f}")


if __name__ == "__main__":
    main()
