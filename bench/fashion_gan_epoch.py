"""Notebook 04's speed, measured: one epoch of the Fashion-MNIST GAN, book-style loop vs the course's.

Book style (ch. 4): torchvision's FashionMNIST with ToTensor() + Normalize() applied image by image
through a DataLoader; per batch three optimizer steps (D on real, D on fresh fakes, G on fresh
fakes), images reshaped and moved in the loop, losses summed as tensors as the book does. Course:
the whole set normalised once into one tensor, batches as shuffled slices (data.TensorLoader),
training.gan_step (D on real and fakes in one step, then G on the same fakes). Same architecture,
batch size, optimizer and number of batches; timed one after the other in one run.

    .venv/bin/python bench/fashion_gan_epoch.py [--batches N] [--batch-size 32]
"""

from __future__ import annotations

import argparse

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms as T

from gan_helpers import data, models, settings, training
from timing import report, timed  # bench/timing.py, beside this script

LATENT = 100


def book_style_epoch(G, D, loader, loss_fn, g_optimizer, d_optimizer, device, batches):
    """The book's loop of ch. 4, written the book's way (train_D_on_real, train_D_on_fake, train_G)."""
    flat_D = D[1:]  # D[0] is the Flatten the book does by hand with reshape
    flat_G = G[:-1]  # G[-1] is the Unflatten the book does by hand
    batch_size = loader.batch_size
    d_total, g_total = 0, 0
    for step, (real, _) in enumerate(loader):
        if step == batches:
            break
        real = real.reshape(-1, 28 * 28).to(device)
        loss_d = loss_fn(flat_D(real), torch.ones((real.shape[0], 1)).to(device))
        d_optimizer.zero_grad()
        loss_d.backward()
        d_optimizer.step()
        d_total += loss_d
        fake = flat_G(torch.randn((batch_size, LATENT)).to(device))
        loss_d = loss_fn(flat_D(fake), torch.zeros((batch_size, 1)).to(device))
        d_optimizer.zero_grad()
        loss_d.backward()
        d_optimizer.step()
        d_total += loss_d
        fake = flat_G(torch.randn((batch_size, LATENT)).to(device))
        loss_g = loss_fn(flat_D(fake), torch.ones((batch_size, 1)).to(device))
        g_optimizer.zero_grad()
        loss_g.backward()
        g_optimizer.step()
        g_total += loss_g
    return d_total, g_total


def course_epoch(G, D, loader, loss_fn, g_optimizer, d_optimizer):
    d_total, g_total = 0.0, 0.0
    for (real,) in loader:
        d_loss, g_loss = training.gan_step(G, D, real, g_optimizer, d_optimizer, loss_fn, LATENT)
        d_total, g_total = d_total + d_loss, g_total + g_loss
    return float(d_total), float(g_total)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--batches", type=int, default=None, help="batches per loop (default: one epoch)")
    args = parser.parse_args()
    device = settings.get_device()
    raw_dir = data.prepare_fashion_mnist()
    loss_fn = nn.BCELoss()
    batches = args.batches or 60_000 // args.batch_size

    def fresh():
        torch.manual_seed(42)
        G, D = models.fashion_generator().to(device), models.fashion_discriminator().to(device)
        return G, D, torch.optim.Adam(G.parameters(), lr=1e-4), torch.optim.Adam(D.parameters(), lr=1e-4)

    transform = T.Compose([T.ToTensor(), T.Normalize([0.5], [0.5])])
    book_set = torchvision.datasets.FashionMNIST(raw_dir.parent.parent, train=True, transform=transform)
    book_loader = DataLoader(book_set, batch_size=args.batch_size, shuffle=True)
    G, D, g_optimizer, d_optimizer = fresh()
    book = timed(lambda: book_style_epoch(G, D, book_loader, loss_fn, g_optimizer, d_optimizer, device, batches))

    images, _ = data.load_fashion_mnist(train=True)
    count = batches * args.batch_size
    loader = data.TensorLoader(images[:count].to(device), batch_size=args.batch_size, shuffle=True,
                               generator=torch.Generator().manual_seed(42))
    G, D, g_optimizer, d_optimizer = fresh()
    course = timed(lambda: course_epoch(G, D, loader, loss_fn, g_optimizer, d_optimizer))

    report(device, f"{batches} batches of {args.batch_size} images", count, book, course)

if __name__ == "__main__":
    main()
