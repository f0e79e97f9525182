"Multi-process training with torch.distributed (gloo on CPU, 2 processes)."
import json, os, subprocess, sys
from pathlib import Path
import pytest, torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from shortrun_nb.core import read_checkpoint
from shortrun_nb.fit import fit
from shortrun_nb.presets import build_run

class Regression(nn.Module):
    "A deterministic learner (no chains), so gradient averaging can be checked exactly."
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.w = nn.Linear(4, 1)
    def configure_optimizers(self): return [torch.optim.Adam(self.parameters(), lr=0.05)]
    def train_step(self, batch, rng=None):
        return dict(loss=(self.w(batch[:, :4])[:, 0] - batch[:, 4]).pow(2).mean())

class Rows:
    "Iteration i serves rows [rank*B, (rank+1)*B) of the i-th block of a fixed table."
    def __init__(self, table, per_rank, rank): self.table, self.b, self.rank, self.i = table, per_rank, rank, 0
    def sample(self, rng=None):
        block = self.table[self.i % len(self.table)]
        self.i += 1
        return block[self.rank * self.b:(self.rank + 1) * self.b]

def table():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(20, 16, 4, generator=g)
    return torch.cat([x, (x @ torch.tensor([1., -2., 0.5, 3.]))[..., None]
                      + 0.1 * torch.randn(20, 16, 1, generator=g)], 2)

def _run(rank, world, store, out, job):
    dist.init_process_group('gloo', init_method=f'file://{store}', rank=rank, world_size=world)
    torch.set_num_threads(1)
    try:
        if job == 'regression':
            m = Regression()
            fit(m, Rows(table(), 8, rank), 20, log_every=5, progress=False)
            res = [p.detach() for p in m.parameters()]
        else:
            n, resume = job
            cfg, m, data = build_run('toy2d', {'n_iters': n, 'log_every': 5, 'ckpt_every': 0, 'sample_every': 0},
                                     device='cpu')
            fit(m, data, **cfg['fit'], out_dir=out, config=cfg, resume=resume, progress=False)
            res = [p.detach() for p in m.parameters()]
        flat = torch.cat([p.flatten() for p in res])
        gathered = [torch.zeros_like(flat) for _ in range(world)]
        dist.all_gather(gathered, flat)
        if rank == 0: torch.save(gathered, Path(out)/f'params_{job if isinstance(job, str) else job[0]}.pt')
    finally:
        dist.destroy_process_group()

def spawn(tmp, out, job):
    store = tmp/f'store_{os.getpid()}_{len(list(tmp.iterdir()))}'
    mp.spawn(_run, args=(2, str(store), str(out), job), nprocs=2, join=True)

def test_gradient_averaging_equals_the_combined_batch(tmp_path):
    spawn(tmp_path, tmp_path, 'regression')
    r0, r1 = torch.load(tmp_path/'params_regression.pt')
    assert torch.equal(r0, r1)                                   # every rank took the same step
    m = Regression()
    fit(m, Rows(table(), 16, 0), 20, log_every=5, progress=False)   # one process, both ranks' rows together
    single = torch.cat([p.detach().flatten() for p in m.parameters()])
    torch.testing.assert_close(r0, single, rtol=1e-5, atol=1e-6)

def test_distributed_srmc_run_logs_once_and_resumes_exactly(tmp_path):
    spawn(tmp_path, tmp_path/'a', (20, False))
    a0, a1 = torch.load(tmp_path/'a'/'params_20.pt')
    assert torch.equal(a0, a1)
    ck = read_checkpoint(tmp_path/'a'/'checkpoint.pt')
    assert (ck['world_size'] == 2 and len(ck['generators']) == 2
            and not torch.equal(ck['generators'][0], ck['generators'][1]))
    # rank 0 alone writes
    assert [json.loads(l)['iter'] for l in open(tmp_path/'a'/'metrics.jsonl') if 'event' not in l] == [5, 10, 15, 20]
    spawn(tmp_path, tmp_path/'b', (8, False))
    spawn(tmp_path, tmp_path/'b', (20, True))
    b0, _ = torch.load(tmp_path/'b'/'params_20.pt')
    assert torch.equal(a0, b0)                                   # 8 + 12 iterations == 20 straight, bitwise

def test_resume_with_another_world_size_is_refused(tmp_path):
    spawn(tmp_path, tmp_path/'a', (5, False))
    cfg, m, data = build_run('toy2d', {'n_iters': 10}, device='cpu')
    with pytest.raises(ValueError, match="written by 2 process"):
        fit(m, data, **cfg['fit'], out_dir=tmp_path/'a', config=cfg, resume=True, progress=False)

def test_torchrun_cli(tmp_path):
    torchrun = Path(sys.executable).parent/'torchrun'
    r = subprocess.run([str(torchrun), '--standalone', '--nproc_per_node', '2',
                        str(Path(sys.executable).parent/'shortrun-train'),
                        'toy2d', '--out', str(tmp_path), '--n_iters', '10', '--log_every', '5', '--device', 'cpu',
                        '--no-progress', '--no-report'], capture_output=True, text=True, timeout=300,
                       env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    assert read_checkpoint(tmp_path/'checkpoint.pt')['world_size'] == 2

def test_a_users_own_script_under_torchrun_trains_one_model(tmp_path):
    "fit joins torchrun's process group itself: two processes, one run, the global batch recorded."
    script = tmp_path/'train.py'
    script.write_text(
        "import sys\n"
        "from shortrun_nb.fit import fit\n"
        "from shortrun_nb.presets import build_run\n"
        "cfg, model, data = build_run('toy2d', {'n_iters': 10, 'log_every': 5}, device='cpu')\n"
        "fit(model, data, **cfg['fit'], config=cfg, out_dir=sys.argv[1], progress=False)\n")
    torchrun = Path(sys.executable).parent/'torchrun'
    r = subprocess.run([str(torchrun), '--standalone', '--nproc_per_node', '2', str(script), str(tmp_path/'run')],
                       capture_output=True, text=True, timeout=300, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    ck = read_checkpoint(tmp_path/'run'/'checkpoint.pt')
    assert ck['world_size'] == 2 and len(ck['generators']) == 2
    runtime = json.loads((tmp_path/'run'/'config.json').read_text())['runtime']
    assert (runtime['processes'], runtime['batch_size'], runtime['global_batch']) == (2, 512, 1024)
    assert [json.loads(l)['iter'] for l in open(tmp_path/'run'/'metrics.jsonl') if 'event' not in l] == [5, 10]
