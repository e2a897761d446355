"""Small MLP and CNN classifiers, trained from scratch in floating point and cached under
``data/models/`` as plain state dicts (``hil program --weights <file> --key <name>`` reads them).

Architectures are chosen for a 2-core CPU: the digits CNN has about 38 k weights, all of them
on the chip (convolutions and linear layers); biases and BatchNorm stay digital.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from calibration.finetune.tasks import Task, load_task

ARCHS = ("mlp", "cnn")
MODELS_DIR = Path(__file__).resolve().parents[2] / "data" / "models"
FP_EPOCHS = 40
"""Epochs of floating-point training; enough for both tasks to plateau (measured)."""
FP_LR = 2e-3
"""Adam learning rate (Kingma & Ba 2015 default 1e-3, doubled for these small nets)."""
BATCH = 64


def build(arch: str, side: int, n_classes: int = 10) -> nn.Sequential:
    """A fresh model. ``mlp``: side^2-128-64-10 (the anchors' toy MLP shape); ``cnn``: two 3x3
    convolutions (16, 32 channels; the first with stride 2 above 8x8 inputs) with BatchNorm and
    ReLU, 2x2 max-pool, then linear layers of 64 and 10 outputs."""
    if arch == "mlp":
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(side * side, 128),
            nn.ReLU(),
            nn.Linear(128, 64),
            nn.ReLU(),
            nn.Linear(64, n_classes),
        )
    if arch == "cnn":
        # 28x28 inputs enter with stride 2 to keep CPU cost small; 8x8 ones at full resolution.
        stride = 1 if side <= 8 else 2
        pooled = side // (2 * stride)
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * pooled * pooled, 64),
            nn.ReLU(),
            nn.Linear(64, n_classes),
        )
    raise ValueError(f"unknown architecture {arch!r}; known: {', '.join(ARCHS)}")


@dataclass(frozen=True)
class ModelCard:
    """What a saved model is: stored as JSON next to its weights."""

    task: str
    arch: str
    epochs: int
    seed: int
    test_accuracy: float
    """Test accuracy of the saved model, fraction (on the chip for finetuned models)."""
    method: str = "fp"
    """``fp`` for a floating-point model, else the finetune method that produced it."""
    input_shrink: float = 1.0
    """DAC range-shrink factor the model was finetuned for (calibration.finetune.chip)."""


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Top-1 accuracy (fraction) in eval mode, no gradients."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        correct = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train(was_training)
    return float(correct)


def train_fp(task: Task, arch: str, *, epochs: int = FP_EPOCHS, seed: int = 0) -> nn.Sequential:
    """Train a model from scratch in floating point (Adam, cross-entropy, cosine schedule)."""
    torch.manual_seed(seed)
    model = build(arch, task.side, task.n_classes)
    optimiser = torch.optim.Adam(model.parameters(), lr=FP_LR)
    steps = epochs * ((len(task.x_train) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(task.x_train), generator=generator)
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            loss = nn.functional.cross_entropy(model(task.x_train[batch]), task.y_train[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    model.eval()
    return model


def model_path(task: str, arch: str, directory: Path = MODELS_DIR) -> Path:
    """Where the model of ``task`` and ``arch`` is cached: ``<dir>/<task>_<arch>.pt``."""
    return directory / f"{task}_{arch}.pt"


def save_model(model: nn.Module, card: ModelCard, path: Path) -> None:
    """State dict to ``path`` and the card to ``path`` with suffix ``.json``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    path.with_suffix(".json").write_text(json.dumps(asdict(card), indent=2) + "\n")


def load_model(path: Path) -> tuple[nn.Sequential, ModelCard]:
    """A model saved by :func:`save_model`.

    Raises:
        FileNotFoundError: if the weights or the card are missing.
    """
    card_path = path.with_suffix(".json")
    if not path.exists() or not card_path.exists():
        raise FileNotFoundError(f"no model at {path} (needs {path.name} and {card_path.name})")
    card = ModelCard(**json.loads(card_path.read_text()))
    side = {"digits": 8, "mnist5k": 28}[card.task]
    model = build(card.arch, side)
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    model.eval()
    return model, card


def load_or_train(
    task: str, arch: str, directory: Path = MODELS_DIR, *, retrain: bool = False
) -> tuple[nn.Sequential, Task]:
    """The cached floating-point model of ``task``/``arch``, training and saving it if missing.

    Returns:
        (model in eval mode, the task's data).
    """
    data = load_task(task)
    path = model_path(task, arch, directory)
    if path.exists() and not retrain:
        model, _ = load_model(path)
        return model, data
    model = train_fp(data, arch)
    card = ModelCard(task, arch, FP_EPOCHS, 0, accuracy(model, data.x_test, data.y_test))
    save_model(model, card, path)
    return model, data
