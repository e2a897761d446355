"""Chip backends: `sim` (in-process device model); RTL, serial board and VISA bench follow."""
