"""Hardware-aware finetuning and post-programming calibration for ReRAM chips (issue 8).

Modules: ``tasks`` (offline data), ``models`` (small MLP/CNN, cached in data/models/), ``chip``
(torch layers that compute like the chip), ``retention`` (the retention model in use),
``training`` (methods a, b, d), ``dora`` (method c), ``compensation`` (baselines e),
``evaluate`` (accuracy vs time), ``readback`` (HDF5 read-backs), ``plot``, ``api`` and ``cli``.
"""
