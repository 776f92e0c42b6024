"""Helpers for the GAN course, one module a topic, in the order the notebooks teach them; each
module's docstring says which notebook introduces it (README.md, "Layout").

The lessons, the code a learner reads:

- ``settings``: profile, device, the hyperparameter table, paths (notebook 01);
- ``data``: datasets as tensors, ``TensorLoader`` (notebook 01);
- ``models``: every network of the course, weight init, the conditional GAN's inputs;
- ``training``: early stopping, the classifier's epochs, the GAN steps and the one GAN loop;
- ``metrics``: what the course measures, up to the Fréchet distance;
- ``sampling``: drawing from a generator and moving through its latent space;
- ``scorers``: the classifiers that score generators (notebooks 04, 06, 07);
- ``plotting``: pictures of data, training and results;
- ``widgets``: sliders that steer generators;
- ``checkpoints``: saving, loading and exporting, and exploring without training.

``course/`` holds the course's machinery (exercise checks, results, speed switches, procedural
faces, data preparation, the environment check, the student edition, the notebook runner):
nothing there is taught.
"""

__version__ = "0.3.0"
