"""Notebook 06's instance noise, measured: the DCGAN of `quick` trained with several noise levels.

Each level trains notebook 06's `quick` DCGAN (features 16, batch 32, Adam 2e-4 with betas
(0.5, 0.999), the book's weight init, a moving average of G with decay 0.99) on 10,000 procedural
faces for ``--epochs`` epochs, with ``InstanceNoise(std)`` in front of D, through
``training.train_gan`` and ``gan_step`` as the notebook does. Then a face classifier trained on the
faces' labels (``scorers.attribute_classifier``) scores 2,000 faces of G's average, as notebook
06 does: the Fréchet distance to 2,000 real faces (beside 2,000 other real faces: the baseline) and
how often it sees glasses and long hair, against the real faces.

The levels run two at a time, one CPU thread each (a quality comparison, not a timing): about 25
minutes on a 2-core CPU for the default four levels and 10 epochs.

    .venv/bin/python bench/dcgan_instance_noise.py [--levels 0 0.2 0.5 0.8] [--epochs 10]
"""

from __future__ import annotations

import argparse

import torch

from timing import in_parallel

FACES, SCORED = 10_000, 2_000


def train(job: tuple[float, int, int]) -> tuple[float, dict]:
    from gan_helpers import data, models, training
    from gan_helpers.course import faces

    std, epochs, seed = job
    images, _ = faces.make_faces(FACES, seed=0)
    torch.manual_seed(seed)
    loader = data.TensorLoader(data.to_unit_range(images), batch_size=32, shuffle=True,
                               drop_last=True, generator=torch.Generator().manual_seed(seed))
    G, D = models.dcgan_players(features=16, instance_noise=std)
    average = training.MovingAverage(G, decay=0.99)
    history, _ = training.train_gan(
        G, D, loader, step=training.gan_step, latent_size=100, epochs=epochs, average=average,
        g_optimizer=torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999)),
        d_optimizer=torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999)))
    return std, {"state": average.module.state_dict(), "d_loss_last_epoch": history["d_loss"][-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=float, nargs="+", default=[0.0, 0.2, 0.5, 0.8])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    results = dict(in_parallel(train, [(std, args.epochs, args.seed) for std in args.levels]))
    from gan_helpers import data, metrics, models, sampling, scorers
    from gan_helpers.course import faces

    images, attributes = faces.make_faces(FACES, seed=0)
    classifier, accuracy = scorers.attribute_classifier(images, attributes, torch.device("cpu"))
    names = list(attributes)
    order = torch.randperm(FACES, generator=torch.Generator().manual_seed(1))
    real = data.to_unit_range(images[order])
    real_a, real_b = real[:SCORED], real[SCORED : 2 * SCORED]
    real_rates = metrics.attribute_rates(real_a, classifier, names)
    held_out = ", ".join(f"{name} {value:.1%}" for name, value in accuracy.items())
    print(f"\n{args.epochs} epochs of batch 32, seed {args.seed}, torch {torch.__version__}; "
          f"classifier held-out accuracy {held_out}")
    baseline = metrics.frechet_distance(real_a, real_b, classifier)
    print(f"baseline: {SCORED:,} other real faces: Fréchet distance {baseline:.2f}; "
          + ", ".join(f"{name} {real_rates[name]:.1%}" for name in names))
    print(f"{'noise std':>9} {'Fréchet':>8} " + " ".join(f"{name + ' (gap)':>20}" for name in names)
          + f" {'D loss, last epoch':>19}")
    for std, result in results.items():
        G, _ = models.dcgan_players(features=16, instance_noise=std)
        G.load_state_dict(result["state"])
        made = sampling.generate(G, sampling.seeded_noise(1, 100, SCORED))
        rates = metrics.attribute_rates(made, classifier, names)
        gaps = " ".join(f"{rates[n]:>11.1%} ({(rates[n] - real_rates[n]) * 100:+5.1f})"
                        for n in names)
        print(f"{std:>9.1f} {metrics.frechet_distance(real_a, made, classifier):>8.2f} {gaps} "
              f"{result['d_loss_last_epoch']:>19.3f}")


if __name__ == "__main__":
    main()
