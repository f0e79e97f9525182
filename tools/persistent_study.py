"""Persistent (PCD) versus short-run (SRMC) learning on the 8-Gaussians, over seeds: the study toy2d section 4 plots.

    python tools/persistent_study.py [--seeds 0 1 2] [--n-iters 1500] [--eval-every 300] [--threads 1]
                                     [--out nbs/tutorials/quality/persistent_vs_shortrun.json]

For each seed, both learners start from the same `build_run('toy2d', {'n_iters': N, 'seed': seed})` network and are
trained with `fit` for N iterations (512 chains x K=50 steps each): SRMC as the preset builds it, PCD as the
`PersistentEBM` of nbs/tutorials/toy2d.ipynb (its class cell is read from the notebook and run here, so the study
trains exactly the lesson's code; its sha256 is recorded). Every `--eval-every` iterations a copy of each model is
judged as the lesson judges it: 1,000 chains from the same uniform noise (seed 1, chain seed 2) recorded after 50
(the trained K) and 2,000 steps of one chain (continued to 5,000 steps at the first and the last evaluation, to
keep the study short: 5 to 11 minutes per seed with --eval-every 150 on a shared 2-core machine, one thread), and
for PCD 1,000 entries of its buffer; each sample set
against the same 1,000 exact samples (seed 3): MMD^2 (RBF, bandwidth 0.1), SW_2 (256 directions) and the mean
exact log-density. The evaluation sets are the same for every seed, so the spread over seeds is the spread of
training. Writes one JSON, rewritten after every seed (`complete` says whether all seeds are in): settings, the
command, `--note`, the floor (exact vs exact), one row per (seed, learner, iteration, samples), and seconds per seed.
Run it with OMP_NUM_THREADS=1.
"""
import argparse, copy, hashlib, json, os, platform, shlex, sys, time
from pathlib import Path

import torch

NB = Path(__file__).resolve().parents[1]/'nbs'/'tutorials'/'toy2d.ipynb'
LONG = 2000, 5000   # every evaluation; the first and the last one only


def persistent_class():
    "The lesson's `PersistentEBM` (its code cell in toy2d.ipynb) and the sha256 of that cell's source."
    from shortrun_nb.shortrun import ShortRunEBM
    cells = [''.join(c['source']) for c in json.loads(NB.read_text())['cells'] if c['cell_type'] == 'code']
    src = [s for s in cells if s.startswith('class PersistentEBM(')]
    if len(src) != 1: sys.exit(f"expected one cell defining PersistentEBM in {NB}, found {len(src)}")
    ns = dict(torch=torch, ShortRunEBM=ShortRunEBM)
    exec(compile(src[0], f'{NB.name}:PersistentEBM', 'exec'), ns)
    return ns['PersistentEBM'], hashlib.sha256(src[0].encode()).hexdigest()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--n-iters', type=int, default=1500)
    p.add_argument('--eval-every', type=int, default=300)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', help='JSON file to write (default: print only)')
    p.add_argument('--note', default='', help='a sentence kept in the JSON (e.g. why the settings were reduced)')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from shortrun_nb.core import build, make_rng, write_atomic
    from shortrun_nb.data import toy_density
    from shortrun_nb.fit import fit
    from shortrun_nb.metrics import mmd_rbf, sliced_wasserstein
    from shortrun_nb.presets import build_run
    PersistentEBM, pcd_sha = persistent_class()
    t_start = time.time()

    mix = toy_density('8gaussians')
    truth = mix.sample(1000, rng=make_rng(3))
    floor = dict(mmd2=mmd_rbf(truth, mix.sample(1000, rng=make_rng(4)), 0.1),
                 sw2=sliced_wasserstein(truth, mix.sample(1000, rng=make_rng(4))),
                 mean_log_p=mix.log_prob(truth).mean().item())

    def score(x): return dict(mmd2=mmd_rbf(x, truth, 0.1), sw2=sliced_wasserstein(x, truth),
                              mean_log_p=mix.log_prob(x).mean().item())

    def judge(m, K, longs):
        "Sample sets of a model: K steps and the long runs of one chain from the lesson's noise (+ PCD's buffer)."
        out = {}
        def rec(step):
            if step['i'] + 1 in (K, *longs): out[step['i'] + 1] = step['x'].clone()
        m.chain_states(m.init_noise(1000, make_rng(1)), n_steps=max(longs), rng=make_rng(2), callback=rec)
        sets = {f'short-run K={K}': out[K]} | {f'long-run K={n}': out[n] for n in longs}
        if getattr(m, 'buffer', None) is not None:
            sets['buffer'] = m.buffer[torch.randperm(len(m.buffer), generator=make_rng(5))[:1000]]
        return {k: score(x) for k, x in sets.items()}

    rows, seconds, settings = [], {}, None
    cmd = 'OMP_NUM_THREADS=1 python ' + shlex.join(['tools/persistent_study.py', *sys.argv[1:]])

    def record(seconds):
        return dict(settings=settings, command=cmd, note=a.note, complete=len(seconds) == len(a.seeds),
                    cpus=os.cpu_count(), seconds_per_seed=seconds, total_seconds=round(time.time() - t_start, 1),
                    floor=floor, rows=rows)

    for seed in a.seeds:
        t_seed = time.time()
        cfg, srmc, data = build_run('toy2d', {'n_iters': a.n_iters, 'seed': seed}, device='cpu')
        cfg_p, net_p, data_p = build_run('toy2d', {'n_iters': a.n_iters, 'seed': seed}, device='cpu')
        spec = {k: v for k, v in cfg_p['model'].items() if k not in ('kind', 'energy')}
        pcd = PersistentEBM(net_p.energy, **spec)
        K = cfg['model']['chain']['n_steps']
        if settings is None:
            settings = dict(preset='toy2d', model=cfg['model'], data=cfg['data'],
                            fit={k: v for k, v in cfg['fit'].items() if k != 'seed'},
                            persistent=dict(buffer_size=pcd.buffer_size, reinit=pcd.reinit, class_sha256=pcd_sha,
                                            source=f'{NB.relative_to(NB.parents[2])}, the cell defining PersistentEBM'),
                            eval_every=a.eval_every, n_eval=1000, trained_K=K,
                            long_steps={str(LONG[0]): 'every evaluation',
                                        str(LONG[1]): f'iterations {a.eval_every} and {a.n_iters}'},
                            eval_seeds=dict(noise=1, chain=2, exact_samples=3, floor_samples=4, buffer_pick=5),
                            mmd_bandwidth=0.1, sw_directions=256, seeds=a.seeds, threads=a.threads,
                            torch=torch.__version__, python=platform.python_version())

        for learner, model, dat, c in (('srmc', srmc, data, cfg), ('persistent', pcd, data_p, cfg_p)):
            def evaluate(it, m, stats, learner=learner):
                if it % a.eval_every: return
                if learner == 'srmc':
                    copy_ = build(c['model'])
                    copy_.load_state_dict(m.state_dict())
                else: copy_ = copy.deepcopy(m)   # the buffer comes along
                for samples, s in judge(copy_, K, LONG if it in (a.eval_every, a.n_iters) else LONG[:1]).items():
                    rows.append(dict(seed=seed, learner=learner, iteration=it, samples=samples, **s))
                    print(json.dumps(rows[-1]), flush=True)
            fit(model, dat, **c['fit'], callback=evaluate, progress=False)
        seconds[str(seed)] = round(time.time() - t_seed, 1)
        print(f"seed {seed}: {seconds[str(seed)]} s", flush=True)
        rec = record(seconds)
        if a.out: write_atomic(a.out, json.dumps(rec, indent=1, ensure_ascii=False) + '\n')   # after every seed:
        # an interrupted study keeps the seeds it finished (`complete` says whether all of them are in)

    if not a.out: print(json.dumps({k: v for k, v in rec.items() if k != 'rows'}, indent=1, ensure_ascii=False))


if __name__ == '__main__':
    main()
