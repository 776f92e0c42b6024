"""Helpers for the GAN course, one module a topic; each module's docstring says which notebook
introduces it (the course's design: README.md, "Layout").

Lessons: ``settings`` profile, device, hyperparameters, paths; ``data`` datasets as tensors;
``faces`` procedural faces; ``models`` the networks and the conditional GAN's inputs;
``training`` early stopping, the GAN steps and the loop; ``sampling`` drawing from a generator
and its latent space; ``metrics`` measures; ``scorers`` classifiers that score generators;
``plotting`` pictures and diagrams; ``widgets`` sliders; ``checkpoints`` saving, loading, export;
``exercises`` checks of the learners' answers.
Around the lessons: ``prepare`` getting and checking datasets (``make data``); ``speed`` speed
switches; ``results`` the README's figures (``make results``); ``check`` the environment check
(``make check``); ``editions`` the student edition (``make student``); ``runner`` finding and
running the notebooks (tests and benchmarks).
"""

__version__ = "0.2.0"
