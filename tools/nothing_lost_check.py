"""Re-run issue 20's adversarial cases against the installed commands and print a table.

    python tools/nothing_lost_check.py [--keep DIR]

Each case runs the console scripts in a fresh temporary folder (settings isolated with SHORTRUN_* variables,
one CPU thread) and checks what a careful user would: the exit status, that stderr has no traceback and ends in one
error line, and that no file was lost or changed (a snapshot of the files the case must not touch, before and after).
"""
import argparse, hashlib, json, os, shutil, subprocess, sys, tempfile
from pathlib import Path

BIN = Path(sys.executable).parent
TINY = ['--n_iters', '10', '--log_every', '5', '--no-progress', '--no-report']


def run(*args, env=None, cwd=None):
    e = {**os.environ, 'OMP_NUM_THREADS': '1', 'SHORTRUN_THREADS': '1', **(env or {})}
    return subprocess.run([str(BIN/args[0]), *map(str, args[1:])], capture_output=True, text=True, env=e, cwd=cwd,
                          timeout=600)


def snapshot(*paths) -> dict:
    out = {}
    for p in map(Path, paths):
        files = [p] if p.is_file() or p.is_symlink() else sorted(q for q in p.rglob('*') if q.is_file())
        for f in files:
            if f.name == '.lock': continue
            out[str(f)] = 'link' if f.is_symlink() else hashlib.sha1(f.read_bytes()).hexdigest()
    return out


def verdict(name, r, ok_rc, kept_before, kept_after, expect=''):
    err = r.stderr.strip().splitlines()
    tb = 'Traceback' in r.stderr
    line = err[-1] if err else ''
    rc_ok = (r.returncode != 0) if ok_rc == 'fail' else (r.returncode == 0)
    lost = sorted(set(kept_before) - set(kept_after) | {k for k in kept_before if kept_after.get(k) != kept_before[k]})
    good = rc_ok and not tb and not lost and (expect in line if expect else True)
    return dict(case=name, rc=r.returncode, traceback=tb, lost=lost, message=line[:150], ok=good)


def cases(w: Path):
    rows = []
    # 1. overwrite validated first
    run('shortrun-train', 'toy2d', '--out', w/'r1', *TINY)
    before = snapshot(w/'r1')
    r = run('shortrun-train', 'toy2d', '--out', w/'r1', *TINY, '--overwrite', '--betas', '[2, 3]')
    rows.append(verdict('--overwrite with a bad setting', r, 'fail', before, snapshot(w/'r1'), 'betas must be'))
    (w/'mine'/'samples'/'mine').mkdir(parents=True)
    (w/'mine'/'samples'/'mine'/'fig.txt').write_text('mine')
    (w/'mine'/'config.json').write_text('{"mine": 1}')
    before = snapshot(w/'mine')
    r = run('shortrun-train', 'toy2d', '--out', w/'mine', *TINY, '--overwrite')
    rows.append(verdict("--overwrite into a user's config.json and samples/mine/", r, 'fail', before,
                        snapshot(w/'mine'), 'which no run of this package wrote'))
    # 2. resume rewrites the log atomically (a signal mid start-up): checked by tests; here a resume keeps rows
    run('shortrun-train', 'toy2d', '--out', w/'r2', *TINY)
    r = run('shortrun-train', 'toy2d', '--out', w/'r2', *TINY[2:], '--n_iters', '20', '--resume')
    rows_ok = [json.loads(l)['iter'] for l in open(w/'r2'/'metrics.jsonl') if 'event' not in l] == [5, 10, 15, 20]
    rows.append(dict(case='--resume keeps the log rows', rc=r.returncode, traceback='Traceback' in r.stderr,
                     lost=[] if rows_ok else ['metrics.jsonl rows'], message='', ok=r.returncode == 0 and rows_ok))
    # 3. eval --out over the checkpoint
    before = snapshot(w/'r1'/'checkpoint.pt')
    r = run('shortrun-eval', w/'r1'/'checkpoint.pt', '--long-run', '--long-steps', '3', '--out', w/'r1'/'checkpoint.pt')
    rows.append(verdict('shortrun-eval CK --long-run --out CK', r, 'fail', before, snapshot(w/'r1'/'checkpoint.pt'),
                        'not writing over'))
    # 4. a new run into someone's samples.png / summary.json
    for name in ('samples.png', 'summary.json'):
        d = w/f'someone_{name}'
        d.mkdir()
        (d/name).write_text('mine')
        before = snapshot(d)
        r = run('shortrun-train', 'toy2d', '--out', d, *TINY)
        rows.append(verdict(f"new run into a folder with someone's {name}", r, 'fail', before, snapshot(d),
                            'which no run of this package wrote'))
    # 5. symlinks out of the run folder
    victim = w/'victim.txt'
    victim.write_text('keep me')
    (w/'s').mkdir()
    (w/'s'/'summary.json').symlink_to(victim)
    before = snapshot(victim)
    r = run('shortrun-train', 'toy2d', '--out', w/'s', *TINY)
    rows.append(verdict('ln -s victim s/summary.json; train into s', r, 'fail', before, snapshot(victim), 'holds summary.json'))
    run('shortrun-train', 'toy2d', '--out', w/'s2', *TINY[:-1])
    (w/'s2'/'summary.json').unlink()
    (w/'s2'/'summary.json').symlink_to(victim)
    r = run('shortrun-train', 'toy2d', '--out', w/'s2', '--n_iters', '20', '--log_every', '5', '--no-progress', '--resume')
    rows.append(verdict('a run whose summary.json became a link, resumed', r, 'ok', before, snapshot(victim)))
    # 6. an .npz with x only
    import numpy as np
    np.savez(w/'own.npz', x=np.random.default_rng(0).integers(0, 256, (200, 16, 16), dtype=np.uint8))
    r = run('shortrun-train', 'digits', '--name', w/'own.npz', '--out', w/'own', '--n_iters', '5', '--log_every', '5',
            '--no-progress', '--n_steps', '2')
    rep = json.loads((w/'own'/'reconstruction.json').read_text()) if (w/'own'/'reconstruction.json').exists() else {}
    held = rep.get('mse_nearest_train', 0) > 1e-3
    rows.append(dict(case='.npz with only x: held-out split in the report', rc=r.returncode, traceback='Traceback' in r.stderr,
                     lost=[], message=f"nearest-train MSE {rep.get('mse_nearest_train', float('nan')):.4f}",
                     ok=r.returncode == 0 and held and 'holding out every 10th image' in r.stderr))
    # 7. the seed setting, and the settings file in use
    r1 = run('shortrun-train', 'toy2d', '--out', w/'seed1', *TINY, env={'SHORTRUN_SEED': '1'})
    r0 = run('shortrun-train', 'toy2d', '--out', w/'seed0', *TINY, env={'SHORTRUN_SEED': '0'})
    same = (w/'seed1'/'checkpoint.pt').read_bytes() == (w/'seed0'/'checkpoint.pt').read_bytes()
    rows.append(dict(case='SHORTRUN_SEED honoured and reported', rc=r1.returncode, traceback=False, lost=[],
                     message='seed = 1 (SHORTRUN_SEED)' if 'seed = 1 (SHORTRUN_SEED)' in r1.stderr else 'not reported',
                     ok=r1.returncode == r0.returncode == 0 and not same and 'seed = 1 (SHORTRUN_SEED)' in r1.stderr))
    # 8. images outside [-1, 1] / NaN data
    np.savez(w/'floats.npz', x=np.random.default_rng(0).random((50, 16, 16)).astype(np.float32) * 255)
    r = run('shortrun-train', 'digits', '--name', w/'floats.npz', '--out', w/'floats', *TINY)
    rows.append(verdict('0–255 float images', r, 'fail', {}, {}, 'must be uint8'))
    # 9. results computed then lost
    r = run('shortrun-eval', w/'r1', '--long-run', '--long-steps', '3', '--out', '/proc/x.json')
    rows.append(verdict('shortrun-eval … --out /proc/x.json', r, 'fail', {}, {}, 'cannot write into /proc'))
    r = run('shortrun-bench', 'cpu_srmc_digits', '--n', '1', '--warmup', '0', '--out', '/tmp')
    rows.append(verdict('shortrun-bench … --out /tmp', r, 'fail', {}, {}, 'is a folder'))
    # tracebacks that reached the user
    (w/'empty.npz').write_bytes(b'')
    np.savez(w/'full.npz', x=np.zeros((40, 16, 16), np.uint8))
    (w/'cut.npz').write_bytes((w/'full.npz').read_bytes()[:300])
    import torch
    ck = torch.load(w/'r1'/'checkpoint.pt', weights_only=True)
    ck['config'] = [1, 2]
    torch.save(ck, w/'bad_config.pt')
    run('shortrun-train', 'toy2d', '--out', w/'r42', *TINY)
    with open(w/'r42'/'metrics.jsonl', 'r+') as f:
        lines = f.read().splitlines()
        f.seek(0)
        f.write('\n'.join([lines[0], '42', *lines[1:]]) + '\n')
    tb_cases = [
        ('--betas "[0.9]"', ('shortrun-train', 'toy2d', '--out', w/'t1', *TINY, '--betas', '[0.9]'), {}),
        ('--n_steps 100000000000', ('shortrun-train', 'digits', '--out', w/'t2', *TINY, '--n_steps', '100000000000'), {}),
        ('shortrun-sample --n-steps 1e11', ('shortrun-sample', 'digits', '--n-steps', '1e11', '--out', w/'x.png'), {}),
        ('shortrun-sample --n-steps 100000000000', ('shortrun-sample', 'digits', '--n-steps', '100000000000', '--out', w/'x.png'), {}),
        ('a zero-byte .npz', ('shortrun-train', 'digits', '--name', w/'empty.npz', '--out', w/'t3', *TINY), {}),
        ('a truncated .npz', ('shortrun-train', 'digits', '--name', w/'cut.npz', '--out', w/'t4', *TINY), {}),
        ('shortrun-sample text_toy --shards 2', ('shortrun-sample', 'text_toy', '--shards', '2', '--out', w/'t'), {}),
        ("a checkpoint whose config is not a dict", ('shortrun-sample', w/'bad_config.pt', '--out', w/'y.png'), {}),
        ("a metrics.jsonl line 42 on --resume", ('shortrun-train', 'toy2d', '--out', w/'r42', '--n_iters', '20', '--resume', '--no-progress'), {}),
        ('WORLD_SIZE=abc', ('shortrun-train', 'toy2d', '--out', w/'t5', *TINY), {'WORLD_SIZE': 'abc'}),
        ('--seed 2**70', ('shortrun-train', 'toy2d', '--out', w/'t6', *TINY, '--seed', str(2**70)), {}),
    ]
    for name, args, env in tb_cases:
        r = run(*args, env=env)
        rows.append(verdict(name, r, 'fail', {}, {}))
    r = run('shortrun-eval', 'text_toy', '--long-run', '--n-long', '8', '--long-steps', '20', '--out', w/'text_long.json')
    rows.append(verdict('shortrun-eval text_toy.pt --long-run', r, 'ok', {}, {}))
    left = sorted(p.name for p in w.iterdir() if p.name.startswith('t') and p.is_dir() and p.name != 'text_long.json')
    rows.append(dict(case='failed starts left no folder behind', rc=0, traceback=False, lost=[], message=', '.join(left),
                     ok=not left))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--keep', help='work in this folder and keep it (default: a temporary one)')
    a = p.parse_args()
    w = Path(a.keep) if a.keep else Path(tempfile.mkdtemp())
    w.mkdir(parents=True, exist_ok=True)
    env = dict(SHORTRUN_DATA_ROOT=str(w/'data'), SHORTRUN_OUT_DIR=str(w/'runs'), SHORTRUN_DEVICE='cpu')
    os.environ.update(env)
    try: rows = cases(w)
    finally:
        if not a.keep: shutil.rmtree(w, ignore_errors=True)
    print('| case | rc | traceback | lost or changed files | last stderr line | ok |\n|---|---|---|---|---|---|')
    for r in rows:
        msg = r['message'].replace('|', '\\|')
        print(f"| {r['case']} | {r['rc']} | {'yes' if r['traceback'] else 'no'} | {', '.join(r['lost']) or '—'} | {msg} | "
              f"{'yes' if r['ok'] else '**NO**'} |")
    print(f"\n{sum(r['ok'] for r in rows)}/{len(rows)} cases as they should be; "
          f"{sum(r['traceback'] for r in rows)} tracebacks; {sum(bool(r['lost']) for r in rows)} lost files")
    sys.exit(0 if all(r['ok'] for r in rows) else 1)


if __name__ == '__main__':
    main()
