"""`make check` on this machine as it is: a ready machine is called ready."""

from gan_helpers.course import check, prepare


def test_check_says_ready_when_everything_is_there(monkeypatch, course_root, profile, capsys):
    """It starts this machine's Jupyter kernel `python3`, in a fresh process."""
    profile("smoke")  # course_root: no Kaggle faces, so notes, not fixes
    monkeypatch.delenv("GAN_DEVICE", raising=False)
    monkeypatch.setattr(prepare, "problem_with", lambda path: None)  # Fashion-MNIST is fine
    assert check.main() == 0
    out = capsys.readouterr().out
    assert "OK  torchvision" in out and "OK  Fashion-MNIST in" in out
    assert "Jupyter kernel python3 runs" in out and "FIX" not in out
    assert out.rstrip().endswith("ready")
