"""Notebook 02's recipes, measured: the book's shape GAN against the course's changes, over seeds.

Every run: 2,048 points on y = 1.08^x, batch 128, the same ``--epochs`` (no early stopping:
notebook 02 shows why), trained by ``training.train_gan`` with ``gan_step`` as the notebook does,
then 2,000 generated points scored by the notebook's three measures. Recipes, each adding one
change to the one before:

- book: the book's D (Dropout 0.3) and G, Adam lr 5e-4, betas (0.9, 0.999);
- + crowd-aware D: D also sees how crowded each point's neighbourhood is in its batch;
- + moving average: G's weights averaged (decay 0.999), and the average measured;
- + learning-rate decay: both rates fall linearly to 0 over the second half;
- course: also no dropout in D, lr 1e-3 and Adam betas (0.5, 0.999): the course's recipe, which
  notebook 02 trains in every profile.

Two runs at a time, one CPU thread each (a quality comparison, not a timing): about two minutes
per run of 800 epochs on a 2-core CPU.

    .venv/bin/python bench/shape_gan_recipes.py [--seeds 0 1 2] [--epochs 800]
"""

from __future__ import annotations

import argparse
import statistics

import torch

from timing import in_parallel

# name: (crowd-aware D, moving average, learning-rate decay, dropout, lr, beta1)
RECIPES = {
    "book": (False, False, False, 0.3, 5e-4, 0.9),
    "+ crowd-aware D": (True, False, False, 0.3, 5e-4, 0.9),
    "+ moving average": (True, True, False, 0.3, 5e-4, 0.9),
    "+ learning-rate decay": (True, True, True, 0.3, 5e-4, 0.9),
    "course": (True, True, True, 0.0, 1e-3, 0.5),
}


def run(job: tuple[str, int, int]) -> tuple[str, int, dict]:
    from gan_helpers import data, metrics, models, sampling, training

    name, seed, epochs = job
    crowd_aware, averaged, decayed, dropout, lr, beta1 = RECIPES[name]
    torch.manual_seed(seed)
    real = data.sample_curve(2048)
    loader = data.TensorLoader(real, batch_size=128, shuffle=True,
                               generator=torch.Generator().manual_seed(seed))
    G = models.shape_generator()
    if crowd_aware:
        D = models.CrowdAwareShapeDiscriminator(spread=50, dropout=dropout)
    else:
        D = models.shape_discriminator(dropout=dropout)
    g_opt = torch.optim.Adam(G.parameters(), lr=lr, betas=(beta1, 0.999))
    d_opt = torch.optim.Adam(D.parameters(), lr=lr, betas=(beta1, 0.999))
    schedulers = []
    if decayed:
        def factor(epoch: int) -> float:
            return min(1.0, 2 * (1 - epoch / epochs))
        schedulers = [torch.optim.lr_scheduler.LambdaLR(opt, factor) for opt in (g_opt, d_opt)]
    average = training.MovingAverage(G, decay=0.999) if averaged else None
    training.train_gan(G, D, loader, step=training.gan_step, g_optimizer=g_opt, d_optimizer=d_opt,
                       latent_size=2, epochs=epochs, average=average, schedulers=schedulers)
    shown = average.module if average is not None else G
    points = sampling.generate(shown, sampling.seeded_noise(2, 2, 2000))
    return name, seed, {
        "median error": metrics.on_curve_error(points, data.exponential_curve).median().item(),
        "KS of x": metrics.ks_uniform(points[:, 0], 0, 50),
        "inside": metrics.share_inside(points, (0, 50), (1, 1.08**50)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--recipes", nargs="+", choices=list(RECIPES), default=list(RECIPES))
    parser.add_argument("--epochs", type=int, default=800)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = [(name, seed, args.epochs) for name in args.recipes for seed in args.seeds]
    results = in_parallel(run, jobs, args.jobs)
    print(f"\n2,000 points per run, {args.epochs} epochs, seeds {args.seeds}, "
          f"torch {torch.__version__}")
    print(f"{'recipe':<22}" + "".join(f"{key:>38}" for key in results[0][2]))
    for name in args.recipes:
        runs = [scores for recipe, _, scores in results if recipe == name]
        cells = [" / ".join(f"{run[key]:.3f}" for run in runs)
                 + f" (mean {statistics.mean(r[key] for r in runs):.3f})" for key in runs[0]]
        print(f"{name:<22}" + "".join(f"{cell:>38}" for cell in cells))


if __name__ == "__main__":
    main()
