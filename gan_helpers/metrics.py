"""What the course measures (classifier accuracy and confusion matrix introduced in notebook 01)."""

from __future__ import annotations

import torch
from torch import nn


def predicted_labels(outputs: torch.Tensor) -> torch.Tensor:
    """Class indices from a classifier's outputs: ``p > 0.5`` for one sigmoid output, else the argmax."""
    if outputs.shape[-1] == 1:
        return torch.where(outputs.squeeze(-1) > 0.5, 1, 0)
    return outputs.argmax(dim=-1)


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """The predicted class of every image, with the model in eval mode (no dropout) and no gradients."""
    model.eval()
    device = next(model.parameters()).device
    batches = [model(images[i : i + batch_size].to(device)) for i in range(0, len(images), batch_size)]
    return predicted_labels(torch.cat(batches)).cpu()


def accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    """The share of predictions equal to the labels."""
    return (predictions.view(-1) == labels.view(-1).to(predictions)).float().mean().item()


def confusion_matrix(predictions: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Counts: row = true class, column = predicted class."""
    pairs = labels.view(-1).long() * num_classes + predictions.view(-1).long().cpu()
    return torch.bincount(pairs, minlength=num_classes**2).view(num_classes, num_classes)
