"Bad input gets a clear exception that names the problem."
import math, urllib.error, torch, pytest
from shortrun_nb.core import load_settings, get_device
from shortrun_nb.langevin import langevin
from shortrun_nb.data import load_images, toy_density, TensorSampler, load_digits
from shortrun_nb.nets import ConvEnergy, ConvGenerator, MLPEnergy

def quad(x): return 0.5 * x.pow(2).flatten(1).sum(1)
x0 = torch.zeros(4, 2)

@pytest.mark.parametrize("steps", [0, -1, 2.5, True, "10"])
def test_bad_steps(steps):
    with pytest.raises(ValueError, match="n_steps must be a positive integer"): langevin(quad, x0, steps, 0.1, 0.1)

@pytest.mark.parametrize("step", [math.nan, math.inf, -math.inf])
def test_non_finite_step_size(step):
    with pytest.raises(ValueError, match="step_size must be a finite positive number"): langevin(quad, x0, 5, step, 0.1)

def test_non_finite_noise():
    with pytest.raises(ValueError, match="noise must be a finite non-negative number"):
        langevin(quad, x0, 5, 0.1, math.nan)

def test_wrong_shapes():
    with pytest.raises(ValueError, match="at least 2 dims"): langevin(quad, torch.zeros(4), 5, 0.1, 0.1)
    with pytest.raises(ValueError, match=r"ConvEnergy input must have shape \(N, 3, 32, 32\)"):
        ConvEnergy()(torch.zeros(2, 3, 16, 16))
    with pytest.raises(ValueError, match=r"ConvGenerator input must have shape \(N, 100\)"):
        ConvGenerator(100)(torch.zeros(2, 50))
    with pytest.raises(ValueError, match="one value per point"):
        langevin(lambda x: x, x0, 5, 0.1, 0.1)
    with pytest.raises(ValueError, match="image size must be one of"): ConvEnergy(img_size=48)

def test_unknown_names():
    with pytest.raises(ValueError, match="unknown image dataset 'imagenet'"): load_images("imagenet")
    with pytest.raises(ValueError, match="unknown toy density 'spiral'"): toy_density("spiral")
    with pytest.raises(ValueError, match="unknown activation"): MLPEnergy(2, act="swishy")

@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10", "svhn", "celeba64"])
def test_missing_files_offline(name, tmp_path):
    with pytest.raises(FileNotFoundError, match=rf"{name} not found under .*pass download=True"):
        load_images(name, root=tmp_path)

def test_failed_download_is_explained(tmp_path, monkeypatch):
    # simulate an offline machine: torchvision's downloader cannot reach the network
    import torchvision.datasets.utils as u
    def offline(*a, **k): raise urllib.error.URLError("network is unreachable")
    monkeypatch.setattr(u, "download_url", offline)
    monkeypatch.setattr(u, "download_and_extract_archive", offline)
    import torchvision.datasets.mnist as m
    monkeypatch.setattr(m, "download_and_extract_archive", offline)
    with pytest.raises(RuntimeError, match="downloading mnist into .* failed .*offline"):
        load_images("mnist", root=tmp_path, download=True)

def test_bad_settings(tmp_path):
    f = tmp_path / "settings.ini"
    f.write_text("[shortrun]\ndevise = cpu\n")
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['devise'\]"): load_settings(f, env={})
    f.write_text("device = cpu\n")
    with pytest.raises(ValueError, match=r"not a valid ini file|needs a \[shortrun\] section"): load_settings(f, env={})

def test_bad_device():
    with pytest.raises(ValueError, match="device must be auto, cpu, cuda"): get_device("gpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"): get_device("cuda")

def test_bad_sampler():
    with pytest.raises(ValueError, match="batch_size must be a positive integer"): TensorSampler(load_digits(8), -1)
