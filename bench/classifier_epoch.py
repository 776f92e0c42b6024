"""Notebook 01's claim, measured: one epoch of the 10-class classifier, book-style loop vs the
course's.

Book style (ch. 2): torchvision's FashionMNIST with ToTensor() + Normalize() applied image by
image through a DataLoader, images reshaped in the loop. Course: the whole set normalised once
into one tensor, batches as shuffled slices (data.TensorLoader), training.train_epoch.
Same model, batch size, optimizer and number of steps; timed one after the other in one run.

    .venv/bin/python bench/classifier_epoch.py [--steps N]
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

from gan_helpers import data, models, settings, training

from timing import (  # bench/timing.py, beside this script
    book_fashion_loader,
    describe_machine,
    report,
    timed,
)


def book_style_epoch(model, loader, loss_fn, optimizer, device, steps):
    for step, (imgs, labels) in enumerate(loader):
        if step == steps:
            break
        imgs, labels = imgs.reshape(-1, 28 * 28).to(device), labels.to(device)
        loss = loss_fn(model[1:](imgs), labels)  # model[0] is the Flatten the book does by hand
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=782,
                        help="optimizer steps per loop (782 = one epoch)")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    device = settings.get_device()
    loss_fn = nn.CrossEntropyLoss()

    def fresh():
        torch.manual_seed(42)
        model = models.fashion_classifier().to(device)
        return model, torch.optim.Adam(model.parameters(), lr=1e-3)

    book_loader = book_fashion_loader(args.batch_size)
    model, optimizer = fresh()
    book = timed(lambda: book_style_epoch(model, book_loader, loss_fn, optimizer, device,
                                          args.steps))

    images, labels = data.load_fashion_mnist(train=True)
    count = args.steps * args.batch_size
    loader = data.TensorLoader(images[:count].to(device), labels[:count].to(device),
                               batch_size=args.batch_size, shuffle=True,
                               generator=torch.Generator().manual_seed(42))
    model, optimizer = fresh()
    course = timed(lambda: training.train_epoch(model, loader, loss_fn, optimizer))

    print(describe_machine(device))
    report(f"{args.steps} steps of batch {args.batch_size}", count, book, course)

if __name__ == "__main__":
    main()
