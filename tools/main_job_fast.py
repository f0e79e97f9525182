"""The main job (`shortrun-train digits`) end to end, eager (`--eager`) vs its default CPU fast path, interleaved.

    python tools/main_job_fast.py [--rounds 2] [--threads 2] [--seed 0] [--out FILE.json] [-- extra CLI arguments]

Each round runs the console script twice, same seed, each into a fresh run folder: `shortrun-train digits --eager`,
then `shortrun-train digits` (the fast path `fit` takes by default on a CPU). Both write samples, checkpoints and the
end-of-run report (the digit judge's FD) as a user's run does. Records per run the wall time of the whole command,
the child's CPU time, and what its `summary.json` says (train and report seconds, FD, the path and why); then the
ratios eager/fast. On a shared machine the CPU times of one-thread runs are the robust measure.
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name('shortrun-train')


def one(preset: str, eager: bool, out: Path, seed: int, threads: int, extra: list) -> dict:
    "Run `shortrun-train` once; its wall and CPU seconds and its summary."
    cmd = [str(SCRIPT), preset, '--out', str(out), '--seed', str(seed), '--threads', str(threads), '--no-progress',
           *(['--eager'] if eager else []), *extra]
    c0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, OMP_NUM_THREADS=str(threads)))
    t1, c1 = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    s = json.loads((out/'summary.json').read_text())
    return dict(path='eager' if eager else 'fast', plan=s['path'], wall_seconds=round(t1 - t0, 1),
                cpu_seconds=round(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime, 1),
                train_seconds=s['train_seconds'], report_seconds=s['report_seconds'],
                fd=((s.get('report') or {}).get('sample_quality') or {}).get('fd'))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--preset', default='digits')
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', help='JSON file to write')
    p.add_argument('extra', nargs='*', help='more shortrun-train arguments (after --)')
    a = p.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(a.rounds):
            for eager in (True, False):
                runs.append(one(a.preset, eager, Path(d)/f'{i}_{eager}', a.seed, a.threads, a.extra))
                print(json.dumps(runs[-1]), flush=True)
    def ratios(key):
        e, f = ([r[key] for r in runs if r['path'] == p] for p in ('eager', 'fast'))
        return [round(x / y, 2) for x, y in zip(e, f)]
    rec = dict(preset=a.preset, extra=a.extra, seed=a.seed, threads=a.threads, cpus=os.cpu_count(),
               loadavg_end=os.getloadavg(), runs=runs,
               **{f'ratio_{k}': ratios(f'{k}_seconds') for k in ('wall', 'cpu', 'train', 'report')})
    print(json.dumps({k: v for k, v in rec.items() if k != 'runs'}))
    if a.out: Path(a.out).write_text(json.dumps(rec, indent=1) + '\n')


if __name__ == '__main__':
    main()
