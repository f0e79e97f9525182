"""Train a preset over several seeds and judge each model's samples with the digit judge.

    python tools/quality_study.py PRESET --seeds 0 1 2 [--threads 1] [--out FILE.json] [key=value ...]

Each run is `build_run(PRESET, overrides)` + `fit` (the loop `shortrun-train` uses, no run folder), then
`metrics.judge_scores` of 1,000 samples (sampling seeds 0 and 1, 500 each). Writes one JSON record with the
settings, per-seed scores and wall-clock training seconds; the digits lessons read these files.
"""
import argparse, json, os, time

import torch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('preset')
    p.add_argument('overrides', nargs='*', help='key=value settings, as `shortrun-train --key value`')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', help='JSON file to write (default: print only)')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from shortrun_nb.core import make_rng
    from shortrun_nb.fit import fit
    from shortrun_nb.metrics import judge_scores
    from shortrun_nb.presets import build_run
    overrides = dict(kv.split('=', 1) for kv in a.overrides)
    runs = []
    for seed in a.seeds:
        cfg, model, data = build_run(a.preset, overrides | {'seed': seed}, device='cpu')
        t0 = time.time()
        fit(model, data, **cfg['fit'], config=cfg, progress=False)
        secs = time.time() - t0
        x = torch.cat([model.sample(500, rng=make_rng(k)) for k in range(2)])
        runs.append(dict(seed=seed, train_seconds=round(secs, 1), **judge_scores(x)))
        print(json.dumps(runs[-1]), flush=True)
    fds = torch.tensor([r['fd'] for r in runs], dtype=torch.float64)
    rec = dict(preset=a.preset, overrides=overrides, threads=a.threads, cpus=os.cpu_count(), runs=runs,
               fd_mean=fds.mean().item(), fd_std=fds.std().item() if len(fds) > 1 else 0.0)
    print(json.dumps({k: v for k, v in rec.items() if k != 'runs'}))
    if a.out:
        with open(a.out, 'w') as f: json.dump(rec, f, indent=1)


if __name__ == '__main__':
    main()
