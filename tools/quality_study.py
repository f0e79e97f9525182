"""A preset's model quality over training seeds, on the eager path, the CPU fast path, or both side by side.

    python tools/quality_study.py PRESET --seeds 0 1 2 [--paths eager fast] [--threads 1] [--out FILE.json] [key=value ...]

For each seed, each path in turn (eager, fast, eager, fast, ...): `build_run(PRESET, overrides)`, then for `fast`
`accelerate(model)` (the CPU fast path of `11_accel`: channels-last and native bf16 for conv nets), then `fit(...,
fast=False)` (the loop `shortrun-train` uses, no run folder). Image presets are judged by the digit judge
(`metrics.judge_scores` of 1,000 samples, sampling seeds 0 and 1); an anomaly preset reports `anomaly_eval`'s AUPRC on
its held-out digit (set SHORTRUN_DATA_ROOT to a folder with MNIST). Paths: `eager`; `fast`; `chain_bf16` (channels-
last everywhere, bf16 autocast only inside the chains, the parameter update fp32). Writes one JSON record.
"""
import argparse, json, os, time

import torch


class ChainAutocast:
    "Run a learner's chains (only) under CPU bf16 autocast: the parameter update stays fp32."
    def __init__(self, runner): self.runner = runner
    def __call__(self, *a, **k):
        with torch.autocast('cpu', dtype=torch.bfloat16): return self.runner(*a, **k)


def prepare(model, path: str):
    from shortrun_nb.accel import accelerate
    if path == 'fast': accelerate(model)
    elif path == 'chain_bf16':
        accelerate(model, bf16=False)
        model.langevin = ChainAutocast(model.langevin)
        model.accel_plan = dict(model.accel_plan, bf16='inside the chains only')
    elif path != 'eager': raise ValueError(f'unknown path {path!r}')
    return model


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('preset')
    p.add_argument('overrides', nargs='*', help='key=value settings, as `shortrun-train --key value`')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--paths', nargs='+', default=['eager'], help='eager, fast, chain_bf16 (default: eager)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', help='JSON file to write (default: print only)')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from shortrun_nb.core import load_settings, make_rng
    from shortrun_nb.fit import fit
    from shortrun_nb.presets import build_run
    overrides = dict(kv.split('=', 1) for kv in a.overrides)
    runs = []
    def write(final=False):
        rec = dict(preset=a.preset, overrides=overrides, threads=a.threads, cpus=os.cpu_count(), torch=torch.__version__,
                   paths=a.paths, runs=runs)
        for path in a.paths:
            key = 'auprc' if any('auprc' in r for r in runs) else 'fd'
            v = torch.tensor([r[key] for r in runs if r['path'] == path], dtype=torch.float64)
            if len(v): rec[f'{key}_{path}'] = dict(mean=v.mean().item(), std=v.std().item() if len(v) > 1 else 0.0)
        if len(a.paths) == 1 and f'{key}_{a.paths[0]}' in rec:   # one path: also the keys of the earlier records
            rec[f'{key}_mean'], rec[f'{key}_std'] = rec[f'{key}_{a.paths[0]}']['mean'], rec[f'{key}_{a.paths[0]}']['std']
        if final: print(json.dumps({k: v for k, v in rec.items() if k != 'runs'}))
        if a.out:
            with open(a.out, 'w') as f:
                json.dump(rec, f, indent=1)
                f.write('\n')
    for seed in a.seeds:
        for path in a.paths:
            cfg, model, data = build_run(a.preset, overrides | {'seed': seed}, device='cpu')
            prepare(model, path)
            t0 = time.time()
            res = fit(model, data, **cfg['fit'], config=cfg, fast=False, progress=False)
            secs = time.time() - t0
            last = {k: v for k, v in res.history[-1].items() if isinstance(v, (int, float))} if res.history else {}
            row = dict(seed=seed, path=path, train_seconds=round(secs, 1),
                       plan=getattr(model, 'accel_plan', None), last_log=last)
            if cfg['data']['kind'] == 'anomaly':
                from shortrun_nb.evaluate import anomaly_eval
                r = anomaly_eval(model, cfg['data'], root=load_settings().data_root, rng=make_rng(0))
                row.update({k: v for k, v in r.items() if isinstance(v, (int, float))})
            else:
                from shortrun_nb.metrics import judge_scores
                x = torch.cat([model.sample(500, rng=make_rng(k)) for k in range(2)])
                row.update(judge_scores(x))
            row['param_checksum'] = float(sum(p.detach().double().abs().sum() for p in model.parameters()))
            runs.append(row)
            print(json.dumps(row), flush=True)
            write()
    write(final=True)


if __name__ == '__main__':
    main()
