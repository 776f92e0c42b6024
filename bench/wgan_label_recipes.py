"""Notebook 07's `quick` recipe, measured: how fast G learns to obey its glasses label, per
optimizer recipe.

Each recipe trains notebook 07's conditional WGAN-GP (32x32 procedural faces, `features` 16, the
book's step, ``training.wgan_gp_step``: 5 critic steps with gradient penalty 10 per G step; the
book's weight init) for ``--steps`` G steps on 4,500 faces. Every ``--every`` steps, a face
classifier trained on the faces' labels (``scorers.attribute_classifier``) scores 500 noise
vectors drawn with the glasses label and the same 500 without, as notebook 07 does: the attribute
accuracy of each label (the share of faces in which it sees what was asked for), for G and for a
moving average of G (decay 0.99).

A recipe is ``batch:lr:beta1`` (Adam's second beta is the book's 0.9); the book's is
``16:1e-4:0``. Recipes run two at a time, one CPU thread each (a quality comparison, not a
timing): about 15 minutes on a 2-core CPU for two recipes and 2,500 steps.

    .venv/bin/python bench/wgan_label_recipes.py [--recipes 16:1e-4:0 32:2e-4:0.5] [--steps 2500]
"""

from __future__ import annotations

import argparse

import torch

from timing import in_parallel

FACES, SCORED, SIZE = 4_500, 500, 32


def obeys(generator, classifier) -> tuple[float, float]:
    """(share with glasses when asked for glasses, share without when asked for none)."""
    from gan_helpers import metrics, sampling

    noise = sampling.seeded_noise(1, 100, SCORED)
    seen = [metrics.attribute_rates(
        sampling.conditional_faces(generator, noise, sampling.glasses_label(weight)), classifier,
        ["glasses"])["glasses"] for weight in (1.0, 0.0)]
    return seen[0], 1 - seen[1]


def train(job: tuple[str, int, int, int, torch.Tensor, dict, dict]) -> tuple[str, list]:
    from torch import nn

    from gan_helpers import data, models, training

    recipe, steps, every, seed, images, attributes, classifier_state = job
    batch, lr, beta1 = recipe.split(":")
    classifier = models.face_classifier(len(attributes))
    classifier.load_state_dict(classifier_state)
    one_hot = nn.functional.one_hot((~attributes["glasses"]).long(), 2).float()
    torch.manual_seed(seed)
    loader = data.TensorLoader(data.to_unit_range(images), one_hot, batch_size=int(batch),
                               shuffle=True, drop_last=True,
                               generator=torch.Generator().manual_seed(seed))
    G = models.conditional_generator(features=16, image_size=SIZE).apply(models.init_weights)
    C = models.wgan_critic(features=16, image_size=SIZE).apply(models.init_weights)
    betas = (float(beta1), 0.9)
    optimizers = {"g_optimizer": torch.optim.Adam(G.parameters(), lr=float(lr), betas=betas),
                  "d_optimizer": torch.optim.Adam(C.parameters(), lr=float(lr), betas=betas)}
    average = training.MovingAverage(G, decay=0.99)
    rows, step = [], 0
    while step < steps:
        for real, labels in loader:
            G.train()
            C.train()
            training.wgan_gp_step(G, C, real, labels, **optimizers, latent_size=100)
            average.update_parameters(G)
            step += 1
            if step % every == 0:
                rows.append((step, obeys(G, classifier), obeys(average.module, classifier)))
            if step == steps:
                break
    return recipe, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipes", nargs="+", default=["16:1e-4:0", "32:2e-4:0.5"])
    parser.add_argument("--steps", type=int, default=2500)
    parser.add_argument("--every", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    from gan_helpers import scorers
    from gan_helpers.course import faces

    images, attributes = faces.make_faces(FACES, size=SIZE)
    classifier, _ = scorers.attribute_classifier(images, attributes, torch.device("cpu"), seed=42)
    state = classifier.state_dict()  # trained once, here; each worker loads it
    results = in_parallel(train, [(recipe, args.steps, args.every, args.seed, images, attributes,
                                   state) for recipe in args.recipes])
    print(f"\nattribute accuracy on {SCORED} noise vectors per label (asked glasses / asked none), "
          f"seed {args.seed}, torch {torch.__version__}")
    print(f"{'recipe batch:lr:beta1':>22} {'G steps':>8} {'G':>14} {'average of G':>14}")
    for recipe, rows in results:
        for step, (g_yes, g_no), (a_yes, a_no) in rows:
            print(f"{recipe:>22} {step:>8} {g_yes:>6.1%} /{g_no:>6.1%} {a_yes:>6.1%} /{a_no:>6.1%}")


if __name__ == "__main__":
    main()
