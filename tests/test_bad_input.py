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

# ---- Issue 20: bad input at the boundary is a clear error naming the argument, never a silent result ----
import numpy as np
from shortrun_nb.core import image_grid, to_uint8_images
from shortrun_nb.data import load_npz
from shortrun_nb.fit import fit
from shortrun_nb.inference import slerp
from shortrun_nb.metrics import frechet_distance, judge_scores, mmd_rbf, nearest_neighbor_mse
from shortrun_nb.presets import build_run

def test_images_outside_the_range_and_nan_data_are_refused():
    _, model, _ = build_run('digits', {'n_steps': 2}, device='cpu')
    loud = [torch.rand(8, 1, 16, 16) * 255]                        # 0–255 floats from a user's own loader
    with pytest.raises(ValueError, match=r'values in \[-1, 1\].*0–255 pixel values\? use x / 127.5 - 1'):
        fit(model, loud, 3, progress=False)
    with pytest.raises(ValueError, match='NaN or inf'):
        fit(model, [torch.full((8, 1, 16, 16), float('nan'))], 3, progress=False)
    with pytest.raises(ValueError, match='NaN or inf'):
        TensorSampler(torch.full((5, 2), float('nan')), 2)

def test_array_helpers_refuse_what_has_no_answer():
    with pytest.raises(ValueError, match='sigma1 is not a covariance'): frechet_distance([0., 0.], -np.eye(2), [0., 0.], -np.eye(2))
    with pytest.raises(ValueError, match='NaN'): to_uint8_images(torch.full((1, 1, 2, 2), float('nan')))
    with pytest.raises(ValueError, match='finite low < high'): langevin(quad, x0, 3, 0.1, 0.1, bounds=(1, -1))
    with pytest.raises(ValueError, match='1 \\(gray\\) or 3 \\(color\\) channels'): image_grid(torch.zeros(2, 2, 4, 4))

@pytest.mark.parametrize('call, message', [
    (lambda: slerp(torch.zeros(1, 2), torch.zeros(1, 3), torch.tensor([0.5])), 'same shape'),
    (lambda: mmd_rbf(torch.zeros(5, 2), torch.zeros(5, 3)), 'same shape'),
    (lambda: mmd_rbf(torch.zeros(1, 2), torch.zeros(5, 2)), 'x needs at least 2'),
    (lambda: mmd_rbf(torch.zeros(5, 2, dtype=torch.long), torch.zeros(5, 2)), 'x must be a floating-point batch'),
    (lambda: nearest_neighbor_mse(torch.zeros(3, 1, 4, 4), torch.zeros(5, 1, 8, 8)), 'same shape'),
    (lambda: nearest_neighbor_mse(torch.zeros(0, 1, 4, 4), torch.zeros(5, 1, 4, 4)), 'x needs at least 1'),
    (lambda: toy_density('8gaussians').log_prob(torch.zeros(4, 3)), r'x \(points\) must have shape \(N, 2\)'),
    (lambda: toy_density('8gaussians').log_prob(torch.zeros(4, 2, dtype=torch.long)), 'must be a floating-point tensor'),
    (lambda: judge_scores(torch.full((4, 1, 16, 16), float('nan'))), 'NaN or inf'),
])
def test_library_helpers_name_the_bad_argument(call, message):
    with pytest.raises((ValueError, TypeError), match=message): call()

@pytest.mark.parametrize('preset', ['digits', 'lebm_digits'])
def test_learners_refuse_the_wrong_dtype_rank_and_empty_batches(preset):
    _, model, _ = build_run(preset, device='cpu')
    for x, message in ((torch.zeros(4, 1, 16, 16, dtype=torch.float64), 'must be torch.float32'),
                       (torch.zeros(4, 16, 16), r'must have shape \(N, 1, 16, 16\)'),
                       (torch.zeros(0, 1, 16, 16), 'an empty batch')):
        with pytest.raises((TypeError, ValueError), match=message): model.train_step(x)
        with pytest.raises((TypeError, ValueError), match=message): model.reconstruct(x)

def test_an_npz_without_a_test_split_holds_out_images(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (50, 16, 16), dtype=np.uint8)
    np.savez(tmp_path/'own.npz', x=x)
    train, test = load_npz(tmp_path/'own.npz', 'train'), load_npz(tmp_path/'own.npz', 'test')
    assert (len(train), len(test)) == (45, 5)
    seen = {bytes(a) for a in train.images.numpy()}
    assert not any(bytes(a) in seen for a in test.images.numpy())   # the held-out images were never trained on
    from shortrun_nb.evaluate import run_images
    nn_mse, _ = nearest_neighbor_mse(run_images({'kind': 'images', 'name': str(tmp_path/'own.npz')}, 'test'),
                                     run_images({'kind': 'images', 'name': str(tmp_path/'own.npz')}, 'train'))
    assert nn_mse.min() > 1e-3                                      # not the training images scored against themselves
