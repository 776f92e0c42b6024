"""The environment check (`make check`): what it says is OK, and what it tells a learner to fix."""

import subprocess
import sys

from gan_helpers import check, data


def test_check_passes_on_the_course_environment(monkeypatch):
    monkeypatch.setenv("GAN_PROFILE", "smoke")
    run = subprocess.run([sys.executable, "-m", "gan_helpers.check"], capture_output=True, text=True)
    assert "OK  torchvision" in run.stdout and ("device cpu" in run.stdout or "device cuda" in run.stdout)
    assert "Jupyter kernel python3 runs" in run.stdout
    fixes = [line for line in run.stdout.splitlines() if line.lstrip().startswith("FIX")]
    assert run.returncode == (1 if fixes else 0), run.stdout


def test_check_tells_how_to_fix_an_unknown_profile(monkeypatch, capsys):
    monkeypatch.setenv("GAN_PROFILE", "fast")
    assert check.main() == 1
    out = capsys.readouterr().out
    assert "FIX  GAN_PROFILE='fast' is not a profile" in out and "1 thing(s) to fix" in out


def test_check_reports_missing_fashion_mnist_and_a_wrong_face_layout(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    monkeypatch.setattr(data, "SYSTEM_FASHION_MNIST", tmp_path / "nowhere")
    (tmp_path / "data" / "anime").mkdir(parents=True)
    (tmp_path / "data" / "anime" / "face.png").write_bytes(b"not really")
    lines = check.check_data()
    statuses = dict((message.split()[0], status) for status, message in lines)
    assert statuses["Fashion-MNIST"] == "FIX" and "make data" in lines[0][1]
    assert any(status == "FIX" and "Wrong layout" in message and "anime" in message for status, message in lines)
    assert any(status == "NOTE" and "procedural faces" in message and "glasses" in message for status, message in lines)


def test_check_tells_how_to_fix_a_kernel_without_the_package(monkeypatch):
    class Spec:
        argv = ["/usr/bin/false", "-m", "ipykernel_launcher"]

    monkeypatch.setattr("jupyter_client.kernelspec.KernelSpecManager.get_kernel_spec", lambda self, name: Spec())
    [(status, message)] = check.check_kernel()
    assert status == "FIX" and "cannot import gan_helpers" in message and "make lab" in message
