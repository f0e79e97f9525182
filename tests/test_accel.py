"The fast path: static inputs and bounded caches on the CPU (replay mode); the CPU fast path's parity and fallback;\
graphs, bf16 and parity on a GPU."
import copy, json, os
from pathlib import Path
import pytest, torch
from torch import nn
from shortrun_nb import accel
from shortrun_nb.accel import FastChain, StaticGraph, accelerate, autocast_forward, cpu_bf16
from shortrun_nb.core import make_rng, read_checkpoint
from shortrun_nb.fit import fit
from shortrun_nb.langevin import langevin, init_uniform
from shortrun_nb.nets import ConvEnergy
from shortrun_nb.presets import build_run
from shortrun_nb.bench import bench

class Quad(nn.Module):
    "E(x) = |x|²/2: N(0, I)."
    def forward(self, x): return 0.5 * x.pow(2).flatten(1).sum(1)

# ---------------------------------------------------------------- CPU: the plumbing, in replay mode
def test_replayed_chain_is_langevin_with_its_noise_drawn_up_front():
    x0 = torch.rand(8, 3)
    out = FastChain(cpu_replay=True)(Quad(), x0, 10, 0.1, 0.1, rng=make_rng(0))
    g = make_rng(0)
    eps = torch.randn(10, 8, 3, generator=g)
    assert torch.equal(out, langevin(Quad(), x0, 10, 0.1, 0.1, eps=eps))

def test_replayed_projected_chain_keeps_its_bounds_and_keys_them():
    x0, fc, E = torch.rand(8, 3) * 2 - 1, FastChain(cpu_replay=True), Quad()
    far = lambda b: fc(E, x0, 10, 0.1, 1.0, bounds=b, rng=make_rng(0))
    eps = torch.randn(10, 8, 3, generator=make_rng(0))
    assert torch.equal(far((-1., 1.)), langevin(Quad(), x0, 10, 0.1, 1.0, eps=eps, bounds=(-1., 1.)))
    assert far((-1., 1.)).abs().max() <= 1 and far(None).abs().max() > 1   # noise 1.0 leaves the box unless bounded
    assert len(fc.cache) == 2                                                # bounds are part of the graph's key

def test_fast_chain_is_eager_on_cpu_without_replay():
    x = torch.rand(8, 3)
    fc = FastChain()
    assert torch.equal(fc(Quad(), x, 10, 0.1, 0.1, rng=make_rng(0)),
                       langevin(Quad(), x, 10, 0.1, 0.1, rng=make_rng(0)))
    assert len(fc.cache) == 0

def test_only_modules_and_their_methods_are_captured():
    fc, x = FastChain(cpu_replay=True), torch.rand(4, 2)
    fc(lambda z: z.pow(2).sum(1), x, 3, 0.1, 0.1)
    fc(Quad().forward, x, 3, 0.1, 0.1)
    assert len(fc.cache) == 1 and len(fc.told) == 1

def test_cache_is_bounded_and_keyed_by_what_determines_the_graph():
    fc, E = FastChain(cpu_replay=True, max_graphs=3), Quad()
    # fresh generators: one graph
    for i in range(50): fc(E, torch.rand(4, 2), 3, 0.1, 0.1, rng=make_rng(i))
    assert len(fc.cache) == 1
    # nine shapes: at most three kept
    for n in range(1, 10): fc(E, torch.rand(n, 2), 3, 0.1, 0.1)
    assert len(fc.cache) == 3 and fc.cache.evicted == 7

def test_static_graph_refuses_other_shapes():
    sg = StaticGraph(lambda a: a * 2)
    sg(torch.ones(3))
    with pytest.raises(ValueError, match='other shapes'): sg(torch.ones(4))

# ---------------------------------------------------------------- CPU: the fast path's choices, parity and fallback
SHORT = {'n_iters': 20, 'n_steps': 5, 'batch_size': 32, 'log_every': 10, 'sample_every': 0, 'ckpt_every': 0}

def _trained(preset, fast: bool, overrides=SHORT):
    "A short run of `preset` on the CPU: on fit's default path (`fast`), or `fast=False` (`--eager`)."
    cfg, m, data = build_run(preset, overrides, device='cpu')
    res = fit(m, data, **cfg['fit'], fast=None if fast else False, progress=False)
    return m, res.history

@pytest.mark.parametrize('bf16', ['0', '1'])
def test_fit_takes_the_cpu_fast_path_by_default_and_records_it(tmp_path, monkeypatch, bf16):
    "Default on a CPU: accelerate's CPU plan, iterations eager, recorded in config.json; `--eager` turns it off."
    monkeypatch.setenv('SHORTRUN_CPU_BF16', bf16)
    from shortrun_nb.cli import train_main
    ov = ['--n_iters', '2', '--log_every', '1', '--sample_every', '0', '--ckpt_every', '0', '--no-progress', '--no-report']
    for eager, out in ((False, tmp_path/'fast'), (True, tmp_path/'eager')):
        train_main(['digits', '--out', str(out), *ov, *(['--eager'] if eager else [])])
        rt = json.loads((out/'config.json').read_text())['runtime']
        if eager: assert rt['path'] == 'eager' and 'accel' not in rt
        else:
            assert (rt['path'], rt['iteration_graphs']) == ('fast', False) and rt['why'].startswith('CPU')
            assert rt['accel']['channels_last'] == ['energy'] and rt['accel']['chain'] == 'langevin'
            assert rt['accel']['bf16'] == (['energy'] if bf16 == '1' else [])

def test_cpu_bf16_detection_and_its_overrides(monkeypatch):
    assert cpu_bf16({'SHORTRUN_CPU_BF16': '0'}) == (False, 'SHORTRUN_CPU_BF16=0')
    assert cpu_bf16({'SHORTRUN_CPU_BF16': '1'}) == (True, 'SHORTRUN_CPU_BF16=1')
    caps = dict(torch.cpu.get_capabilities())
    native = bool(caps.get('avx512_bf16') or caps.get('amx_bf16')) and torch.backends.mkldnn.is_available()
    accel._detect_bf16.cache_clear()
    try:
        assert cpu_bf16({})[0] == native
        monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', 'AVX512_CORE')        # oneDNN told to emulate bf16: not native
        accel._detect_bf16.cache_clear()
        assert cpu_bf16({}) == (False, 'oneDNN limited to AVX512_CORE')
        monkeypatch.delenv('ONEDNN_MAX_CPU_ISA')
        if Path('/proc/cpuinfo').exists():                             # an older PyTorch: the kernel's flags
            monkeypatch.delattr(torch.cpu, 'get_capabilities')
            flags = accel._cpu_flags()
            assert bool(flags.get('avx512_bf16')) == bool(caps.get('avx512_bf16'))
    finally: accel._detect_bf16.cache_clear()

def test_cpu_fast_path_leaves_mlp_learners_bit_for_bit_eager():
    "lebm_digits has only MLPs: on a CPU the fast path changes nothing, so the run is the eager run, bit for bit."
    ov = {'n_iters': 6, 'log_every': 3, 'sample_every': 0, 'ckpt_every': 0}
    (a, ha), (b, hb) = _trained('lebm_digits', False, ov), _trained('lebm_digits', True, ov)
    assert b.accel_plan['bf16'] == [] and b.accel_plan['channels_last'] == [] and b.langevin is langevin
    untimed = lambda h: [{k: v for k, v in r.items() if k != 'time'} for r in h]
    assert len(ha) == 2 and untimed(ha) == untimed(hb)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))

def test_cpu_fallback_without_native_bf16(monkeypatch):
    "Detection forced off: no autocast anywhere, the conv energy only changes layout, so its numbers are eager's."
    monkeypatch.setenv('SHORTRUN_CPU_BF16', '0')
    _, a, _ = build_run('digits', SHORT, device='cpu')
    _, b, _ = build_run('digits', SHORT, device='cpu')
    accelerate(b)
    assert b.accel_plan['bf16'] == [] and b.accel_plan['channels_last'] == ['energy'] and b.langevin is langevin
    assert not hasattr(b.energy, '_autocast_forward') and 'forward' not in vars(b.energy)
    assert b.energy.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.rand(16, 1, 16, 16, generator=make_rng(0)) * 2 - 1
    torch.testing.assert_close(b.energy(x), a.energy(x), rtol=1e-5, atol=1e-5)            # fp32 rounding only
    eps = torch.randn(5, 16, 1, 16, 16, generator=make_rng(1))
    torch.testing.assert_close(b.chain_states(x, eps=eps), a.chain_states(x, eps=eps), rtol=1e-4, atol=1e-4)

def test_cpu_fast_path_parity_with_bf16(monkeypatch):
    """bf16 on (forced, so it runs on any CPU): the same statistics as eager within bf16's rounding.

    bf16 keeps 8 bits of mantissa (relative rounding 2^-9 ≈ 0.2% per stored activation); over the energy's layers the
    errors partly cancel: measured, energies of a fixed batch differ by ≤ 0.35% of |E| (tolerance 1%). Short training
    runs are paired (the fast path draws the same random numbers), so they differ only by rounding that Adam carries
    forward: measured after 20-30 iterations, energies ≤ 1.2% apart and gaps ≤ 0.1 (tolerances 5% and 0.5)."""
    monkeypatch.setenv('SHORTRUN_CPU_BF16', '1')
    _, a, _ = build_run('digits', SHORT, device='cpu')
    _, b, _ = build_run('digits', SHORT, device='cpu')
    accelerate(b)
    assert b.accel_plan['bf16'] == ['energy'] and b.langevin is langevin
    x = torch.rand(64, 1, 16, 16, generator=make_rng(0)) * 2 - 1
    ea, eb = a.energy(x), b.energy(x)
    assert eb.dtype == torch.float32 and (ea - eb).abs().max() < 0.01 * ea.abs().max()
    xk = b.sample(8, rng=make_rng(0))
    assert xk.dtype == torch.float32 and xk.is_contiguous()                             # the chain state: fp32 NCHW
    assert b.reconstruct(x[:4], n_opt_steps=2, rng=make_rng(0))[0].dtype == torch.float32  # gradients of gradients
    (_, he), (_, hf) = _trained('digits', False), _trained('digits', True)
    assert len(he) == len(hf) == 2
    for r, q in zip(he, hf):
        assert abs(r['energy_data'] - q['energy_data']) < 0.05 * abs(r['energy_data']) + 0.05, (r, q)
        assert abs(r['gap'] - q['gap']) < 0.5, (r, q)

def test_autocast_forward_survives_a_deep_copy():
    E = autocast_forward(ConvEnergy(in_channels=1, n_f=4, img_size=16), 'cpu')
    twin = copy.deepcopy(E)
    with torch.no_grad(): twin.net[0].bias += 1.0
    x = torch.zeros(2, 1, 16, 16)
    assert not torch.equal(twin(x), E(x))                      # the copy computes with its own weights

@pytest.mark.parametrize('preset', ['digits', 'lebm_digits', 'text_toy'])
def test_fast_path_plumbing_trains_every_learner_on_cpu(tmp_path, preset):
    ov = {'n_iters': 8, 'log_every': 4, 'sample_every': 0, 'ckpt_every': 0, 'n': 200}
    cfg, m, data = build_run(preset, {k: v for k, v in ov.items() if k != 'n' or preset == 'text_toy'}, device='cpu')
    res = fit(m, data, **cfg['fit'], out_dir=tmp_path, config=cfg, fast=True, progress=False)
    assert (res.plan['path'], res.plan['iteration_graphs']) == ('fast', True)
    assert res.plan['why'].startswith('fast=True on CPU')
    assert len(res.history) == 2 and all(torch.isfinite(torch.tensor(r['loss'])) for r in res.history)
    assert json.loads((tmp_path/'config.json').read_text())['runtime']['path'] == 'fast'

def test_checkpoints_are_interchangeable_between_paths(tmp_path):
    def run(n, fast, resume):
        cfg, m, data = build_run('lebm_digits', {'n_iters': n, 'log_every': 2, 'sample_every': 0, 'ckpt_every': 0},
                                 device='cpu')
        return fit(m, data, **cfg['fit'], out_dir=tmp_path, config=cfg, fast=fast, resume=resume, progress=False)
    run(4, True, False)
    run(6, False, True)
    assert run(8, True, True).iteration == 8
    assert read_checkpoint(tmp_path/'checkpoint.pt')['iteration'] == 8

def test_autocast_keeps_state_dict_and_fp32_outputs():
    E = ConvEnergy(in_channels=1, n_f=4, img_size=16)
    keys = list(E.state_dict())
    autocast_forward(E, 'cpu')
    assert list(E.state_dict()) == keys and E(torch.zeros(2, 1, 16, 16)).dtype == torch.float32

def test_bench_runs_on_cpu():
    r = bench('cpu_srmc_digits', 'cpu', n=1, warmup=0)
    assert r['flops_per_iter'] > 1e9 and r['s_per_iter_fast'] > 0 and r['speedup'] > 0
    assert r['fast_channels_last'] == 'energy' and r['gemm_gflops_fp32'] > 0 and r['gemm_gflops_bf16'] > 0
    assert r['peak_fp32_eager'] == pytest.approx(r['gflops_eager'] / r['gemm_gflops_fp32'])

# ---------------------------------------------------------------- GPU: graphs, bf16, parity
cuda = pytest.mark.cuda

@cuda
def test_graphed_chain_samples_the_right_distribution():
    x0 = init_uniform(20_000, 2, device='cuda', rng=make_rng(0, 'cuda'))
    g, fc, E = make_rng(1, 'cuda'), FastChain(), Quad()
    xs = [fc(E, x0, 500, 0.005, 0.1, rng=g) for _ in range(4)]           # 2 warm-up calls, a capture, a replay
    assert len(fc.cache) == 1 and fc.cache.graphs[next(iter(fc.cache.graphs))].graph is not None
    for x in xs[2:]: assert abs(x.var().item() - 0.1**2 / (2 * 0.005 - 0.005**2)) < 0.05
    assert not torch.equal(xs[2], xs[3])                                           # a replay draws fresh noise

@cuda
def test_posterior_depends_on_the_current_batch_on_gpu():
    # the reproduction of the stale-replay bug: alternate two batches with one generator;
    # every replay is the chain of its batch
    from test_latent import replayed_and_eager_posteriors
    _, m, data = build_run('lebm_digits', device='cuda')
    accelerate(m)
    g = make_rng(0, 'cuda')
    x1, x2 = data.sample(g), data.sample(g)
    for z, expected in replayed_and_eager_posteriors(m, (x1, x2) * 3, g):
        torch.testing.assert_close(z, expected, rtol=1e-3, atol=1e-3)
    assert len(m.langevin.cache) == 1 and m.langevin.cache.graphs[next(iter(m.langevin.cache.graphs))].graph is not None
    for i in range(20): m.sample_posterior(data.sample(g), rng=make_rng(i, 'cuda'))
    assert len(m.langevin.cache) == 1                                              # no growth per call or per generator

@cuda
@pytest.mark.parametrize('preset, n_iters, key, tol', [('digits', 300, 'energy_data', 0.15),
                                                        ('lebm_digits', 300, 'mse', 0.25),
                                                        ('text_toy', 200, 'nll_token', 0.1)])
def test_fast_path_learns_the_same_model(preset, n_iters, key, tol):
    "The same preset and seed, eager fp32 vs the default fast path: the learning curves agree at equal iterations."
    runs = []
    for fast in (False, None):
        cfg, m, data = build_run(preset, {'n_iters': n_iters, 'log_every': 50, 'sample_every': 0, 'ckpt_every': 0},
                                 device='cuda')
        res = fit(m, data, **cfg['fit'], fast=fast, progress=False)
        runs.append([r for r in res.history if key in r])
    assert res.plan['iteration_graphs'] and len(runs[0]) == len(runs[1])
    for a, b in zip(*runs):
        assert abs(a[key] - b[key]) < tol * abs(a[key]) + 0.05, (a, b)
    assert abs(runs[0][-1]['gap'] - runs[1][-1]['gap']) < 1.0

@cuda
def test_whole_iteration_graphs_draw_fresh_batches():
    cfg, m, data = build_run('digits', {'n_iters': 12, 'log_every': 1, 'sample_every': 0, 'ckpt_every': 0},
                             device='cuda')
    res = fit(m, data, **cfg['fit'], progress=False)
    losses = [r['energy_data'] for r in res.history if 'loss' in r]
    assert res.plan['iteration_graphs'] and len(set(round(l, 6) for l in losses[3:])) == len(losses[3:])

@cuda
def test_checkpoints_are_interchangeable_between_paths_on_gpu(tmp_path):
    for n, fast, resume in ((20, None, False), (30, False, True), (40, None, True)):
        cfg, m, data = build_run('lebm_digits', {'n_iters': n, 'log_every': 10, 'sample_every': 0, 'ckpt_every': 0},
                                 device='cuda')
        fit(m, data, **cfg['fit'], out_dir=tmp_path, config=cfg, fast=fast, resume=resume, progress=False)
    assert read_checkpoint(tmp_path/'checkpoint.pt')['iteration'] == 40

@cuda
def test_text_posterior_after_eval_on_gpu():
    _, m, data = build_run('text_toy', {'n': 200}, device='cuda')
    m.eval()
    assert m.sample_posterior(data.sample(make_rng(0, 'cuda')),
                              rng=make_rng(1, 'cuda')).shape[1] == m.nz

@cuda
def test_anomaly_auprc_fast_vs_eager():
    "A short lebm_mnist_anomaly run per path gives the same AUPRC within noise (needs MNIST in SHORTRUN_TEST_DATA)."
    root = os.environ.get('SHORTRUN_TEST_DATA')
    if not root or not any((Path(root)/d).is_dir() for d in ('mnist', 'MNIST')):
        pytest.skip('set SHORTRUN_TEST_DATA to a folder with MNIST')
    from shortrun_nb.core import load_settings
    from shortrun_nb.evaluate import anomaly_eval
    settings = load_settings(env={'SHORTRUN_DATA_ROOT': root, 'SHORTRUN_DEVICE': 'cuda'})
    scores = []
    for fast in (False, None):
        cfg, m, data = build_run('lebm_mnist_anomaly', {'n_iters': 800, 'held_out': 4}, settings=settings)
        fit(m, data, **cfg['fit'], fast=fast, progress=False)
        scores.append(anomaly_eval(m, cfg['data'], root=root, rng=make_rng(0, 'cuda'))['auprc'])
    assert abs(scores[0] - scores[1]) < 0.1, scores
    assert min(scores) > 0.4                                                       # above chance (0.35)
