"""Load a layer's weights from .npy or torch files as an (in_features, out_features) matrix.

Conventions: a 2-D `.npy` array is taken as (in_features, out_features) already; torch tensors
follow torch's layouts, (out, in) for Linear and (out, in, kh, kw) for Conv2d, and are turned into
(in, out) matrices (convolutions through im2col, `hil.mapping.conv_to_matrix`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hil.mapping import conv_to_matrix


def load_weights(path: str | Path, key: str | None = None) -> np.ndarray:
    """The (in_features, out_features) weight matrix stored in `path`."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"weights file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        array = np.load(path, allow_pickle=False)
        if array.ndim == 4:
            return conv_to_matrix(array)
        if array.ndim != 2:
            raise ValueError(f"{path}: expected a 2-D (in, out) matrix, got shape {array.shape}")
        return array.astype(np.float64)
    if suffix in (".pt", ".pth"):
        return _from_torch(path, key)
    raise ValueError(f"{path}: unsupported weights format {suffix!r}; use .npy, .pt or .pth")


def _from_torch(path: Path, key: str | None) -> np.ndarray:
    import torch

    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for bad files
        raise ValueError(f"{path}: not a loadable torch file ({error})") from None
    if isinstance(loaded, dict):
        candidates = {k: v for k, v in loaded.items() if torch.is_tensor(v) and v.ndim in (2, 4)}
        if key is None:
            if len(candidates) != 1:
                names = ", ".join(sorted(candidates)) or "none"
                raise ValueError(f"{path}: choose a weight with --key (2-D/4-D tensors: {names})")
            key = next(iter(candidates))
        if key not in candidates:
            raise ValueError(f"{path}: no 2-D or 4-D tensor named {key!r}")
        loaded = candidates[key]
    if not torch.is_tensor(loaded):
        raise ValueError(f"{path}: holds a {type(loaded).__name__}, not a tensor or state dict")
    array = loaded.detach().to(torch.float64).numpy()
    if array.ndim == 4:
        return conv_to_matrix(array)
    if array.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D or 4-D tensor, got shape {tuple(array.shape)}")
    return array.T.copy()  # torch Linear weights are (out, in)
