"The fast path: CPU fallbacks everywhere; CUDA graph, bf16 and parity checks where a GPU exists."
import pytest, torch
from shortrun_nb.accel import FastChain, accelerate, autocast_forward, bench
from shortrun_nb.core import make_generator
from shortrun_nb.langevin import langevin, init_uniform
from shortrun_nb.nets import ConvEnergy
from shortrun_nb.train import build_run, fit

def quad(x): return 0.5 * x.pow(2).flatten(1).sum(1)

def test_fast_chain_falls_back_to_langevin_on_cpu():
    x = torch.rand(8, 3)
    assert torch.equal(FastChain()(quad, x, 10, 0.1, 0.1, generator=make_generator(0)),
                       langevin(quad, x, 10, 0.1, 0.1, generator=make_generator(0)))

def test_accelerate_on_cpu_changes_nothing():
    cfg, a, da = build_run('digits', {'n_iters': 6, 'n_steps': 3, 'log_every': 3}, device='cpu')
    _, b, db = build_run('digits', {'n_iters': 6, 'n_steps': 3, 'log_every': 3}, device='cpu')
    accelerate(b)
    fit(a, da, **cfg['fit'], progress=False); fit(b, db, **cfg['fit'], progress=False)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))

def test_autocast_keeps_state_dict_and_fp32_outputs():
    E = ConvEnergy(in_channels=1, n_f=4, img_size=16)
    keys = list(E.state_dict())
    autocast_forward(E, 'cpu')
    assert list(E.state_dict()) == keys and E(torch.zeros(2, 1, 16, 16)).dtype == torch.float32

def test_bench_runs_on_cpu():
    r = bench('cpu_srmc_digits', 'cpu', n=1, warmup=0)
    assert r['flops_per_iter'] > 1e9 and r['s_per_iter_fast'] > 0 and r['speedup'] > 0

cuda = pytest.mark.cuda

@cuda
def test_graphed_chain_samples_the_right_distribution():
    x0 = init_uniform(20_000, 2, device='cuda', generator=make_generator(0, 'cuda'))
    g = make_generator(1, 'cuda')
    fc = FastChain()
    x = fc(quad, x0, 500, 0.005, 0.1, generator=g)
    assert fc.graphs, "the chain was not captured"
    assert abs(x.var().item() - 0.1**2 / (2 * 0.005 - 0.005**2)) < 0.05
    y = fc(quad, x0, 500, 0.005, 0.1, generator=g)           # a replay draws fresh noise
    assert not torch.equal(x, y)

@cuda
def test_fast_path_learns_the_same_model():
    # parity: the same preset, eager fp32 vs accelerated, from the same seed; energy statistics agree at equal iterations
    runs = []
    for fast in (False, True):
        cfg, m, data = build_run('digits', {'n_iters': 300, 'log_every': 50}, device='cuda')
        if fast: accelerate(m)
        runs.append(fit(m, data, **cfg['fit'], progress=False).history)
    for a, b in zip(*runs):
        assert abs(a['energy_data'] - b['energy_data']) < 0.1 * abs(a['energy_data']) + 0.1
        assert abs(a['gap']) < 1.0 and abs(b['gap']) < 1.0
