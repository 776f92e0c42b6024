"""Notebook 02's recipe, measured: the book's shape GAN against the course's changes, over seeds.

Every run: 2,048 points on y = 1.08^x, batch 128, the same 800 epochs (no early stopping: notebook
02 shows why), then 2,000 generated points scored by the notebook's three measures. Recipes:

- book: the book's D (Dropout 0.3) and G, Adam lr 5e-4;
- course additions: the crowd-aware D, a moving average of G, the learning rate decayed over the
  second half; the book's dropout, lr and betas (what the ``full`` profile trains);
- quick: the same, plus no dropout in D, lr 1e-3 and Adam betas (0.5, 0.999) (the ``quick`` profile).

Two runs at a time, one CPU thread each; about two minutes per run on a 2-core CPU.

    .venv/bin/python bench/shape_gan_recipes.py [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import statistics
from multiprocessing import Pool

import torch

RECIPES = {  # name: (course additions, dropout, lr, beta1)
    "book": (False, 0.3, 5e-4, 0.9),
    "course additions": (True, 0.3, 5e-4, 0.9),
    "quick": (True, 0.0, 1e-3, 0.5),
}


def run(job: tuple[str, int]) -> tuple[str, int, dict]:
    torch.set_num_threads(1)
    from gan_helpers import data, metrics, models, training

    training.progress = lambda iterable, **_: iterable  # no progress bars from the workers

    name, seed = job
    additions, dropout, lr, beta1 = RECIPES[name]
    torch.manual_seed(seed)
    real = data.sample_curve(2048)
    loader = data.TensorLoader(real, batch_size=128, shuffle=True, generator=torch.Generator().manual_seed(seed))
    generator = models.shape_generator()
    if additions:
        discriminator = models.CrowdAwareShapeDiscriminator(spread=50, dropout=dropout)
        extra = dict(ema_decay=0.999, lr_decay_from=0.5)
    else:
        discriminator, extra = models.shape_discriminator(dropout=dropout), {}
    training.train_shape_gan(generator, discriminator, loader, data.exponential_curve, lr, (beta1, 0.999),
                             800, None, 800, **extra)
    with torch.no_grad():
        points = generator(torch.randn(2000, 2, generator=torch.Generator().manual_seed(2)))
    return name, seed, {
        "median error": metrics.on_curve_error(points, data.exponential_curve).median().item(),
        "KS of x": metrics.ks_uniform(points[:, 0], 0, 50),
        "inside": metrics.share_inside(points, (0, 50), (1, 1.08**50)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--recipes", nargs="+", choices=list(RECIPES), default=list(RECIPES))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with Pool(args.jobs) as pool:
        results = pool.map(run, [(name, seed) for name in args.recipes for seed in args.seeds], chunksize=1)
    print(f"\n2,000 points per run, seeds {args.seeds}, torch {torch.__version__}")
    print(f"{'recipe':<18}" + "".join(f"{key:>38}" for key in results[0][2]))
    for name in args.recipes:
        runs = [scores for recipe, _, scores in results if recipe == name]
        cells = [" / ".join(f"{run[key]:.3f}" for run in runs) + f" (mean {statistics.mean(r[key] for r in runs):.3f})"
                 for key in runs[0]]
        print(f"{name:<18}" + "".join(f"{cell:>38}" for cell in cells))


if __name__ == "__main__":
    main()
