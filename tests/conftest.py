import os, pytest

def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")

def pytest_collection_modifyitems(config, items):
    import torch
    skip_slow = pytest.mark.skip(reason="slow: pass --runslow to run")
    skip_cuda = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "slow" in item.keywords and not config.getoption("--runslow"): item.add_marker(skip_slow)
        if "cuda" in item.keywords and not torch.cuda.is_available(): item.add_marker(skip_cuda)

@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    "Tests never read the checkout's settings.ini or a user's data: each gets its own data_root and out_dir."
    monkeypatch.setenv("SHORTRUN_DATA_ROOT", str(tmp_path / "data"))
    monkeypatch.setenv("SHORTRUN_OUT_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("SHORTRUN_DEVICE", "cpu")
