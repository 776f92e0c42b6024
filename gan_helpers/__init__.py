"""Helpers for the GAN course: one module a topic (see DESIGN.md).

``settings`` profile, device, seeds, paths; ``data`` datasets; ``faces`` procedural faces;
``models`` the networks; ``training`` loops and early stopping; ``metrics`` measures;
``plotting`` pictures; ``checkpoints`` saving, loading, export; ``widgets`` sliders that steer
generators.
"""

__version__ = "0.1.0"
