"LEBM: the posterior chain lowers U(z|x); a zero EBM prior samples N(0, σp²I); the ablation changes only the prior."
import pytest, torch
from shortrun_nb.core import build, make_rng
from shortrun_nb.data import ImageSet, anomaly_split
from shortrun_nb.langevin import init_gaussian
from shortrun_nb.latent import LatentEBM
from shortrun_nb.nets import MLPEnergy, MLPGenerator
from shortrun_nb.fit import fit
from shortrun_nb.presets import build_run, get_config

def model(use_prior=True, nz=6, seed=0, **kw):
    torch.manual_seed(seed)
    return LatentEBM(MLPEnergy(nz, hidden=32, act='lrelu'), MLPGenerator(nz, (1, 8, 8), hidden=32), nz,
                     use_prior=use_prior, **kw)

def test_posterior_chain_lowers_posterior_energy():
    m = model()
    # images the generator can explain: g(z*) plus a little noise
    with torch.no_grad():
        x = (m.generator(torch.randn(512, 6, generator=make_rng(0)))
             + 0.05 * torch.randn(512, 1, 8, 8, generator=make_rng(4)))
    z0 = init_gaussian(512, 6, rng=make_rng(1))
    z = m.sample_posterior(x, rng=make_rng(1))   # same generator: starts from z0
    with torch.no_grad():
        drop = m.posterior_energy(z0, x) - m.posterior_energy(z, x)
    # paired test: the mean drop is many standard errors above zero, and most chains went down
    assert drop.mean() > 5 * drop.std() / len(drop) ** 0.5
    assert (drop > 0).float().mean() > 0.6

@pytest.mark.parametrize("prior_sigma", [1.0, 0.5])
def test_zero_ebm_prior_chain_samples_the_gaussian(prior_sigma):
    m = model(prior_sigma=prior_sigma)
    with torch.no_grad():
        for p in m.prior_energy.parameters(): p.zero_()
    z = m.sample_prior(40_000, rng=make_rng(2), n_steps=200)
    (eta, *_), (tau, *_) = m.prior_chain.schedule()
    sp2 = prior_sigma**2
    # the discretised chain z <- (1 - eta/sp²) z + tau eps has stationary variance tau² / (1 - (1 - eta/sp²)²);
    # for the textbook eta = s²/2, tau = s that is sp² / (1 - s²/(4 sp²)). n*nz = 240,000 draws: s.e. of var ~ 0.003 sp²
    expected = tau**2 / (1 - (1 - eta / sp2)**2)
    assert expected == pytest.approx(sp2 / (1 - tau**2 / (4 * sp2)))
    assert abs(z.mean().item()) < 0.01 * prior_sigma
    assert abs(z.var().item() / expected - 1) < 0.015
    assert (z.var(0) / expected - 1).abs().max() < 0.03
    c = torch.corrcoef(z.T)
    assert (c - torch.eye(6)).abs().max() < 0.02
    # and the 4th moment of a Gaussian: E z^4 = 3 var^2
    assert abs((z**4).mean().item() / (3 * expected**2) - 1) < 0.04

def test_ablation_changes_only_the_prior():
    on, off = model(True), model(False)
    assert all(torch.equal(a, b) for a, b in zip(on.state_dict().values(), off.state_dict().values()))
    x = torch.rand(8, 1, 8, 8) * 2 - 1
    z = torch.randn(8, 6)
    with torch.no_grad():
        torch.testing.assert_close(on.posterior_energy(z, x) - off.posterior_energy(z, x), on.prior_energy(z))
        torch.testing.assert_close(on.prior_energy_total(z) - off.prior_energy_total(z), on.prior_energy(z))
    # with the EBM at zero the two models are the same model: identical generator updates
    with torch.no_grad():
        for p in on.prior_energy.parameters(): p.zero_()
        for p in off.prior_energy.parameters(): p.zero_()
    so, sf = on.train_step(x, rng=make_rng(3)), off.train_step(x, rng=make_rng(3))
    go = torch.autograd.grad(so['loss'], list(on.generator.parameters()))
    gf = torch.autograd.grad(sf['loss'], list(off.generator.parameters()))
    # the posterior chains drew the same noise, but the ablation skips the prior chain,
    # so compare the posterior part only
    assert torch.allclose(so['loss_g'], sf['loss_g'])
    assert all(torch.allclose(a, b) for a, b in zip(go, gf))
    assert [len(o.param_groups[0]['params']) for o in off.configure_optimizers()] == [6]

def test_ablation_trains_only_the_generator():
    cfg, m, data = build_run('lebm_digits', {'use_prior': False, 'n_iters': 3, 'post_chain.n_steps': 2, 'log_every': 1},
                             device='cpu')
    e0 = [p.clone() for p in m.prior_energy.parameters()]
    g0 = [p.clone() for p in m.generator.parameters()]
    fit(m, data, **cfg['fit'], progress=False)
    assert all(torch.equal(a, b) for a, b in zip(e0, m.prior_energy.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(g0, m.generator.parameters()))

def test_anomaly_split_protocol():
    labels = torch.arange(1000) % 10
    s = ImageSet(torch.zeros(1000, 1, 2, 2, dtype=torch.uint8), labels, 'x')
    tr, te, anom = anomaly_split(s, held_out=4, train_fraction=0.8, seed=0)
    assert len(tr) == 720 and len(te) == 280 and int(anom.sum()) == 100
    assert not (tr.labels == 4).any() and bool((te.labels[anom] == 4).all())
    assert anomaly_split(s, 4, 0.8, seed=1)[0].labels.tolist() != tr.labels.tolist()

def test_lebm_presets_follow_official_settings():
    m = get_config('lebm_svhn', profile='full')['model']
    pc, qc = m['prior_chain'], m['post_chain']
    assert (m['nz'], m['prior_energy']['hidden'], m['prior_energy']['act'], pc['n_steps'], pc['noise'], qc['n_steps'],
            qc['noise'], m['sigma'], m['prior_sigma'], m['lr_prior'], m['lr_generator'], m['betas']) == \
           (100, 200, 'lrelu', 60, 0.4, 20, 0.1, 0.3, 1.0, 2e-5, 1e-4, [0.5, 0.999])
    # the official code's textbook chains: step s²/2 for noise s
    assert pc['step_size'] == pytest.approx(0.4**2 / 2) and qc['step_size'] == pytest.approx(0.1**2 / 2)
    f = get_config('lebm_svhn', profile='full')['fit']
    assert f['lr_decay'] == 0.998 and get_config('lebm_svhn')['data']['batch_size'] == 100

def test_old_checkpoints_with_the_scale_as_step_size_still_load():
    spec = get_config('lebm_digits')['model']
    legacy = ({k: v for k, v in spec.items() if not k.endswith('_chain') and k != 'prior_energy'}
              | {'prior': spec['prior_energy'], 'prior_steps': 60, 'prior_step_size': 0.4, 'post_steps': 20,
                 'post_step_size': 0.1})   # version 0.1: the scale s as the step size, and no noise
    m = build(legacy)
    assert [m.prior_chain.step_size, m.prior_chain.noise, m.post_chain.step_size, m.post_chain.noise] == \
        pytest.approx([0.08, 0.4, 0.005, 0.1])

def replayed_and_eager_posteriors(m, batches, rng):
    "Posterior chains of `m` for `batches` in turn, and the eager chains with the same starts and noise."
    from shortrun_nb.langevin import langevin
    out = []
    for x in batches:
        state = rng.get_state()
        z = m.sample_posterior(x, rng=rng)
        rng.set_state(state)
        z0 = m.init_noise(len(x), rng)
        steps, noises = m.post_chain.schedule()
        eps = torch.randn((len(steps), len(x), m.nz), device=x.device, generator=rng)
        out.append((z, langevin(m.posterior_energy, z0, len(steps), steps, noises, inputs=(x,), eps=eps)))
    return out

def test_posterior_follows_its_batch_under_the_replay_plumbing():
    # the GPU bug, reproduced on the CPU replay path: alternating batches must each get their own posterior chain
    from shortrun_nb.accel import accelerate
    m = accelerate(model(), cpu_replay=True)
    x1, x2 = torch.rand(64, 1, 8, 8) * 2 - 1, torch.rand(64, 1, 8, 8) * 2 - 1
    for z, expected in replayed_and_eager_posteriors(m, (x1, x2, x1, x2), make_rng(0)):
        assert torch.equal(z, expected)
    assert len(m.langevin.cache) == 1
