"""Shared test set-up: a headless matplotlib backend for this process only (not the notebook
kernels), figures closed after each test, and fixtures for the profile and a course folder."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def profile(monkeypatch):
    """Set GAN_PROFILE for one test: ``profile("quick")``."""

    def set_profile(name: str) -> None:
        monkeypatch.setenv("GAN_PROFILE", name)

    return set_profile


@pytest.fixture
def course_root(monkeypatch, tmp_path):
    """An empty course folder (GAN_COURSE_ROOT) for one test, with no shared data folder."""
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    monkeypatch.delenv("GAN_DATA_DIR", raising=False)
    return tmp_path
