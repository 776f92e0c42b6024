"""Notebook 06's instance noise, measured: the DCGAN of `quick` trained with several noise levels.

Each level trains notebook 06's `quick` DCGAN (features 16, batch 32, Adam 2e-4 with betas (0.5, 0.999),
the book's weight init, a moving average of G with decay 0.99) on 10,000 procedural faces for
``--epochs`` epochs, with ``InstanceNoise(std)`` in front of D. Then a face classifier trained on the
faces' labels (`training.train_face_classifier`) scores 2,000 faces of G's average, as notebook 06
does: the Fréchet distance to 2,000 real faces (beside 2,000 other real faces: the baseline) and
how often it sees glasses and long hair, against the real faces.

The levels run two at a time, one CPU thread each (a quality comparison, not a timing): about
25 minutes on a 2-core CPU for the default four levels and 10 epochs.

    .venv/bin/python bench/dcgan_instance_noise.py [--levels 0 0.2 0.5 0.8] [--epochs 10] [--seed 42]
"""

from __future__ import annotations

import argparse
from multiprocessing import Pool

import torch

FACES, SCORED = 10_000, 2_000


def train(job: tuple[float, int, int]) -> tuple[float, dict]:
    torch.set_num_threads(1)
    from torch import nn
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    from gan_helpers import data, faces, models, training

    std, epochs, seed = job
    images, _ = faces.make_faces(FACES, seed=0)
    torch.manual_seed(seed)
    loader = data.TensorLoader(data.to_unit_range(images), batch_size=32, shuffle=True, drop_last=True,
                               generator=torch.Generator().manual_seed(seed))
    G = nn.Sequential(nn.Unflatten(1, (100, 1, 1)), models.dcgan_generator(features=16))
    D = nn.Sequential(models.InstanceNoise(std), models.dcgan_discriminator(features=16))
    G.apply(models.init_weights)
    D.apply(models.init_weights)
    g_optimizer = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    average = AveragedModel(G, multi_avg_fn=get_ema_multi_avg_fn(0.99), use_buffers=True)
    loss_fn = nn.BCELoss()
    for epoch in range(epochs):
        d_total = 0.0
        for (real,) in loader:
            d_loss, _ = training.gan_step(G, D, real, g_optimizer, d_optimizer, loss_fn, 100)
            average.update_parameters(G)
            d_total += d_loss
    return std, {"state": average.module.state_dict(), "d_loss_last_epoch": float(d_total) / len(loader)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=float, nargs="+", default=[0.0, 0.2, 0.5, 0.8])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with Pool(2) as pool:
        results = dict(pool.map(train, [(std, args.epochs, args.seed) for std in args.levels]))

    from torch import nn

    from gan_helpers import data, faces, metrics, models, training, widgets

    images, attributes = faces.make_faces(FACES, seed=0)
    classifier, accuracy = training.train_face_classifier(images, attributes, torch.device("cpu"))
    names = list(attributes)
    real = data.to_unit_range(images[torch.randperm(FACES, generator=torch.Generator().manual_seed(1))])
    real_a, real_b = real[:SCORED], real[SCORED : 2 * SCORED]
    real_rates = metrics.attribute_rates(real_a, classifier, names)
    print(f"\n{args.epochs} epochs of batch 32, seed {args.seed}, torch {torch.__version__}; classifier held-out "
          "accuracy " + ", ".join(f"{name} {value:.1%}" for name, value in accuracy.items()))
    print(f"baseline: {SCORED:,} other real faces: Fréchet distance {metrics.frechet_distance(real_a, real_b, classifier):.2f}; "
          + ", ".join(f"{name} {real_rates[name]:.1%}" for name in names))
    print(f"{'noise std':>9} {'Fréchet':>8} " + " ".join(f"{name + ' (gap)':>20}" for name in names)
          + f" {'D loss, last epoch':>19}")
    for std, result in results.items():
        G = nn.Sequential(nn.Unflatten(1, (100, 1, 1)), models.dcgan_generator(features=16))
        G.load_state_dict(result["state"])
        made = widgets.generate(G, widgets.seeded_noise(1, 100, SCORED))
        rates = metrics.attribute_rates(made, classifier, names)
        print(f"{std:>9.1f} {metrics.frechet_distance(real_a, made, classifier):>8.2f} "
              + " ".join(f"{rates[n]:>11.1%} ({(rates[n] - real_rates[n]) * 100:+5.1f})" for n in names)
              + f" {result['d_loss_last_epoch']:>19.3f}")


if __name__ == "__main__":
    main()
