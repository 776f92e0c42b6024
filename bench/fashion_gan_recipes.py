"""Notebook 04's recipe, measured: which kinds of clothing G draws, epoch by epoch, book vs quick.

Both recipes train the book's dense G and D with the course's loop (training.gan_step) and a moving
average of G (decay 0.999), as notebook 04 does, on all 60,000 training images. Every half epoch,
notebook 01's classifier (files/fashion_classifier.pt, or one trained now) sorts 2,000 images of the
average into the 10 kinds; the script prints the smallest share and how many kinds have 5% or more.

- book: batch 32, Adam lr 1e-4 for both, betas (0.9, 0.999);
- quick: batch 64, G's lr 2e-4 and D's 1e-4 (two time-scale rule), betas (0.5, 0.999).

The two run side by side, one CPU thread each (a quality comparison, not a timing): about ten
minutes on a 2-core CPU for the default 5 epochs.

    .venv/bin/python bench/fashion_gan_recipes.py [--epochs 5]
"""

from __future__ import annotations

import argparse
from multiprocessing import Pool

import torch

RECIPES = {  # name: (batch size, G's lr, D's lr, Adam's first beta)
    "book": (32, 1e-4, 1e-4, 0.9),
    "quick": (64, 2e-4, 1e-4, 0.5),
}


def run(job: tuple[str, int]) -> tuple[str, list[tuple[float, float, int]]]:
    torch.set_num_threads(1)
    from torch import nn
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    from gan_helpers import data, metrics, models, training, widgets

    training.progress = lambda iterable, **_: iterable  # no progress bars from the workers

    name, epochs = job
    batch_size, g_lr, d_lr, beta1 = RECIPES[name]
    classifier = training.scoring_classifier(torch.device("cpu"))
    images, _ = data.load_fashion_mnist(train=True)
    torch.manual_seed(42)
    loader = data.TensorLoader(images, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(42))
    G, D = models.fashion_generator(), models.fashion_discriminator()
    average = AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(0.999))
    g_optimizer = torch.optim.Adam(G.parameters(), lr=g_lr, betas=(beta1, 0.999))
    d_optimizer = torch.optim.Adam(D.parameters(), lr=d_lr, betas=(beta1, 0.999))
    noise, loss_fn, results, step = widgets.seeded_noise(1, 100, 2000), nn.BCELoss(), [], 0
    for _ in range(epochs):
        for (real,) in loader:
            training.gan_step(G, D, real, g_optimizer, d_optimizer, loss_fn, 100)
            average.update_parameters(G)
            step += 1
            if step % (len(loader) // 2) == 0:
                shares = metrics.class_histogram(widgets.generate(average.module, noise), classifier)
                results.append((step / len(loader), shares.min().item(), int((shares >= 0.05).sum())))
    return name, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    with Pool(len(RECIPES)) as pool:
        results = dict(pool.map(run, [(name, args.epochs) for name in RECIPES]))
    print(f"\nkinds of clothing among 2,000 images of G's average, torch {torch.__version__}")
    print(f"{'epoch':>6}" + "".join(f"{name + ': smallest share, kinds >= 5%':>40}" for name in results))
    for rows in zip(*results.values()):
        print(f"{rows[0][0]:>6.1f}" + "".join(f"{smallest:>31.1%} {kinds:>5}/10" for _, smallest, kinds in rows))


if __name__ == "__main__":
    main()
