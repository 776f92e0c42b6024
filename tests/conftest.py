"""Shared test set-up: a headless matplotlib backend for this process only (not the notebook kernels)."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402


@pytest.fixture
def profile(monkeypatch):
    """Set GAN_PROFILE for one test: ``profile("quick")``."""

    def set_profile(name: str) -> None:
        monkeypatch.setenv("GAN_PROFILE", name)

    return set_profile
