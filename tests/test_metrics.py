"Metrics with known answers; FID machinery without the Inception weights."
import json, math, numpy as np, pytest, torch
from shortrun_nb.core import asset_path, make_rng
from shortrun_nb.data import load_digits
from shortrun_nb.metrics import (JUDGE_FILE, gaussian_blur, judge_scores, frechet_distance, fid, feature_stats, FIDInception, load_fid_inception,
                                 find_fid_weights, auprc, auroc, active_units, perplexity,
                                 _split_kl_score)
from shortrun_nb.cli import train_main, eval_main

def test_frechet_closed_forms():
    rng = np.random.default_rng(1)
    # commuting covariances: the distance is per-coordinate (mu1-mu2)^2 + (s1-s2)^2
    s1, s2 = rng.uniform(0.1, 3, 50), rng.uniform(0.1, 3, 50)
    m1, m2 = rng.normal(size=50), rng.normal(size=50)
    assert (frechet_distance(m1, np.diag(s1**2), m2, np.diag(s2**2))
            == pytest.approx(((m1 - m2)**2 + (s1 - s2)**2).sum(), rel=1e-10))
    # invariance under a common rotation
    q, _ = np.linalg.qr(rng.normal(size=(50, 50)))
    assert frechet_distance(q @ m1, q @ np.diag(s1**2) @ q.T, q @ m2, q @ np.diag(s2**2) @ q.T) == \
           pytest.approx(((m1 - m2)**2 + (s1 - s2)**2).sum(), rel=1e-8)
    a = rng.normal(size=(30, 30))
    S = a @ a.T
    assert abs(frechet_distance(m1[:30], S, m1[:30], S)) < 1e-8

def test_frechet_handles_singular_covariances():
    # fewer samples than dimensions: rank-deficient covariances must not produce NaN or complex numbers
    f = torch.randn(10, 64, dtype=torch.float64)
    mu, sig = feature_stats(f)
    # the square root of a singular product is accurate to ~1e-8 of tr(2Σ) ≈ 128 here
    assert (np.isfinite(frechet_distance(mu, sig, mu + 1, sig))
            and frechet_distance(mu, sig, mu, sig) == pytest.approx(0, abs=1e-4))

def test_fid_with_a_tiny_extractor():
    tiny = torch.nn.Sequential(torch.nn.Conv2d(3, 6, 3), torch.nn.AdaptiveAvgPool2d(2), torch.nn.Flatten()).eval()
    a = torch.randint(0, 256, (300, 3, 8, 8), dtype=torch.uint8, generator=make_rng(0))
    assert fid(a, a, tiny) == pytest.approx(0, abs=1e-8)
    assert fid(a, (a // 2), tiny) > 10 * abs(fid(a[:150], a[150:], tiny))
    # float images in [-1, 1] are quantised to uint8 first, as saving a PNG would
    from shortrun_nb.core import to_float_images
    assert fid(to_float_images(a), a, tiny) == pytest.approx(0, abs=1e-8)

def test_fid_inception_architecture():
    net = FIDInception().eval()
    with torch.no_grad(): f = net(torch.zeros(1, 3, 64, 64))
    assert f.shape == (1, 2048)
    n = sum(p.numel() for p in net.parameters())
    assert 23_000_000 < n < 24_000_000            # Inception-v3 with a 1008-way fc
    with pytest.raises(ValueError, match="no final fc layer"): net.logits(f)

def test_fid_weights_missing_or_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="FID Inception weights not found"): find_fid_weights(root=tmp_path)
    torch.save({'conv.weight': torch.zeros(1)}, tmp_path/'bad.pth')
    with pytest.raises(ValueError, match="does not hold FID Inception weights"): load_fid_inception(tmp_path/'bad.pth')

def test_inception_score_known_answers():
    assert _split_kl_score(torch.eye(7).repeat(20, 1), 1)[0] == pytest.approx(7)
    assert _split_kl_score(torch.full((40, 5), 0.2), 4)[0] == pytest.approx(1)

def test_detection_scores():
    y = np.r_[np.zeros(900), np.ones(100)]
    s = np.r_[np.random.default_rng(0).normal(0, 1, 900), np.random.default_rng(1).normal(3, 1, 100)]
    assert 0.8 < auprc(s, y) <= 1 and 0.95 < auroc(s, y) <= 1
    assert auprc(-s, y) < 0.1

def test_active_units_and_perplexity():
    m = torch.cat([torch.randn(500, 2), 0.05 * torch.randn(500, 3)], 1)
    assert active_units(m) == 2
    assert perplexity(3 * math.log(7), 3) == pytest.approx(7)

def test_eval_cli(tmp_path, capsys):
    assert train_main(['digits', '--out', str(tmp_path), '--n_iters', '2', '--n_steps', '3', '--no-progress',
                       '--no-report']) == 0
    ck = str(tmp_path/'checkpoint.pt')
    assert eval_main([ck, '--long-run', '--n-long', '8', '--long-steps', '20', '--out', str(tmp_path/'r.json')]) == 0
    r = json.loads((tmp_path/'r.json').read_text())['long_run']
    assert r['trained_steps'] == 3 and r['long_steps'] == 20
    assert eval_main([ck, '--fid', '--n', '10']) == 2
    assert "FID Inception weights not found" in capsys.readouterr().err
    assert eval_main([ck, '--anomaly']) == 2

def test_digit_judge_orders_real_blur_noise_and_ships_small():
    assert asset_path(JUDGE_FILE).stat().st_size < 500_000
    train = load_digits(16, 'train').float()
    real = train[torch.randint(len(train), (1000,), generator=make_rng(0))]
    noise = torch.rand(1000, 1, 16, 16, generator=make_rng(0)) * 2 - 1
    fd = [judge_scores(x)['fd'] for x in (real, gaussian_blur(real), noise)]
    assert fd[0] < 15 < 100 < fd[1] < 1000 < fd[2], fd
    assert judge_scores(real)['confidence'] > 0.95 and judge_scores(torch.full((50, 1, 16, 16), -1.))['coverage'] < 0.11
