"""Retention-model fitting and hardware-aware finetune and calibration loops."""
