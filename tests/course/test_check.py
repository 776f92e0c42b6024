"""The environment check (`make check`): what it says is OK, and what it tells a learner to fix."""

from gan_helpers.course import check, prepare


def test_check_names_a_device_this_machine_lacks(monkeypatch, capsys):
    monkeypatch.setenv("GAN_DEVICE", "tpu")
    assert check.main() == 1
    assert "FIX  GAN_DEVICE='tpu' is not a device" in capsys.readouterr().out


def test_check_tells_how_to_fix_an_unknown_profile(monkeypatch, capsys):
    monkeypatch.setenv("GAN_PROFILE", "fast")
    assert check.main() == 1
    out = capsys.readouterr().out
    assert "FIX  GAN_PROFILE='fast' is not a profile" in out and "1 thing(s) to fix" in out


def test_check_reports_missing_fashion_mnist_and_a_wrong_face_layout(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_ROOT", str(tmp_path))
    monkeypatch.setattr(prepare, "SYSTEM_FASHION_MNIST", tmp_path / "nowhere")
    (tmp_path / "data" / "anime").mkdir(parents=True)
    (tmp_path / "data" / "anime" / "face.png").write_bytes(b"not really")
    lines = check.check_data()
    statuses = {message.split()[0]: status for status, message in lines}
    assert statuses["Fashion-MNIST"] == "FIX" and "make data" in lines[0][1]
    fixes = [message for status, message in lines if status == "FIX"]
    notes = [message for status, message in lines if status == "NOTE"]
    assert any("Wrong layout" in message and "anime" in message for message in fixes)
    assert any("procedural faces" in message and "glasses" in message for message in notes)


def test_check_tells_how_to_fix_a_kernel_without_the_package(monkeypatch):
    class Spec:
        argv = ("/usr/bin/false", "-m", "ipykernel_launcher")

    monkeypatch.setattr("jupyter_client.kernelspec.KernelSpecManager.get_kernel_spec",
                        lambda self, name: Spec())
    [(status, message)] = check.check_kernel()
    assert status == "FIX" and "cannot import gan_helpers" in message and "make lab" in message
