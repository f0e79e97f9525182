"""The main job (`shortrun-train digits`) end to end, eager vs the CPU fast path, interleaved in one process.

    python tools/main_job_fast.py [--rounds 2] [--threads 2] [--seed 0] [--out FILE.json] [key=value ...]

Each round trains the preset eagerly, then on the fast path (`accelerate(model)` before `fit(..., fast=False)`, what
`fit` does on a CPU by default once its plan takes the CPU path), each with the same seed, into a fresh run folder
with samples and checkpoints as `shortrun-train` writes them, then writes the end-of-run report (`write_run_report`,
with the digit judge's FD). Prints and writes wall and CPU (process) times of training, report and both, their ratios
eager/fast, and the reports. On a shared machine the CPU times of a one-thread run are the robust measure.
"""
import argparse, json, os, tempfile, time
from pathlib import Path

import torch


def one(preset, overrides, fast, out, seed):
    from shortrun_nb.accel import accelerate
    from shortrun_nb.core import load_settings, make_rng, module_device
    from shortrun_nb.evaluate import write_run_report
    from shortrun_nb.fit import fit
    from shortrun_nb.presets import build_run
    settings = load_settings()
    t0, c0 = time.time(), time.process_time()
    cfg, model, data = build_run(preset, overrides | {'seed': seed}, device='cpu')
    if fast: accelerate(model)
    res = fit(model, data, **cfg['fit'], out_dir=out, config=cfg, fast=False, progress=False)
    t1, c1 = time.time(), time.process_time()
    report = write_run_report(model, cfg, out, root=settings.data_root,
                              rng=make_rng(cfg['fit']['seed'], module_device(model)))
    t2, c2 = time.time(), time.process_time()
    last = next((r for r in reversed(res.history) if 'loss' in r), {})
    return dict(path='fast' if fast else 'eager', plan=getattr(model, 'accel_plan', None), train_seconds=round(t1 - t0, 1),
                report_seconds=round(t2 - t1, 1), total_seconds=round(t2 - t0, 1), train_cpu_seconds=round(c1 - c0, 1),
                report_cpu_seconds=round(c2 - c1, 1), total_cpu_seconds=round(c2 - c0, 1), last_log=last, report=report)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('overrides', nargs='*', help='key=value settings')
    p.add_argument('--preset', default='digits')
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--threads', type=int, default=None, help='torch threads (default: PyTorch\'s, the cores)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', help='JSON file to write')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    overrides = dict(kv.split('=', 1) for kv in a.overrides)
    runs = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(a.rounds):
            for fast in (False, True):
                r = one(a.preset, overrides, fast, Path(d)/f'{i}_{fast}', a.seed)
                runs.append(r)
                sq = (r['report'] or {}).get('sample_quality', {})
                print(json.dumps({k: v for k, v in r.items() if k != 'report'} | {'fd': sq.get('fd')}), flush=True)
    def ratio(key):
        e = [r[key] for r in runs if r['path'] == 'eager']
        f = [r[key] for r in runs if r['path'] == 'fast']
        return [round(x / y, 2) for x, y in zip(e, f)]
    rec = dict(preset=a.preset, overrides=overrides, seed=a.seed, threads=torch.get_num_threads(), cpus=os.cpu_count(),
               torch=torch.__version__, runs=runs,
               **{f'ratio_{k}': ratio(f'{k}_seconds') for k in ('train', 'report', 'total', 'train_cpu', 'report_cpu',
                                                               'total_cpu')})
    print(json.dumps({k: v for k, v in rec.items() if k != 'runs'}))
    if a.out:
        with open(a.out, 'w') as f:
            json.dump(rec, f, indent=1, default=str)
            f.write('\n')


if __name__ == '__main__':
    main()
