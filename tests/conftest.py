import os, subprocess, sys, time
from pathlib import Path
import pytest

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

BIN = Path(sys.executable).parent

def cli(*args, **kw) -> subprocess.CompletedProcess:
    "Run a console script to completion; returns the finished process (text output)."
    return subprocess.run([str(BIN/args[0]), *map(str, args[1:])], capture_output=True, text=True, timeout=300,
                          env={**os.environ, 'OMP_NUM_THREADS': '1', **kw.pop('env', {})}, **kw)

def start_training(out: Path, *extra, preset='toy2d') -> subprocess.Popen:
    "Start a long `shortrun-train` in the background and wait until it has logged a row."
    cmd = [str(BIN/'shortrun-train'), preset, '--out', str(out), '--n_iters', '100000', '--log_every', '5',
           '--ckpt_every', '0', '--sample_every', '0', '--no-report', *map(str, extra)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, 'OMP_NUM_THREADS': '1'})
    deadline = time.time() + 120
    log = out/'metrics.jsonl'
    while not (log.exists() and log.read_text().count('\n') >= 2):
        if p.poll() is not None or time.time() > deadline:
            p.kill()
            raise AssertionError(p.communicate()[1][-2000:] if p.poll() is not None
                                 else 'timeout waiting for a logged row')
        time.sleep(0.2)
    return p
