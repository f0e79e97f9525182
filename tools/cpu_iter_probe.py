"""Whole learning iterations on the CPU, eager vs fast-path variants, interleaved in one process (ratios only).

    python tools/cpu_iter_probe.py [--threads 2] [--rounds 5] [--configs digits lebm_digits cifar_nf64_k20]

Each variant is its own model (same seed, same weights) stepping `iteration_runner(..., fast=False)` on a fixed
random batch; variants are timed round-robin, `--reps` iterations per round, median over rounds.
"""
import argparse, statistics, time

import torch

from quality_study import ChainAutocast   # tools/ is on the path when run as a script

CONFIGS = {'digits': ('digits', {}), 'lebm_digits': ('lebm_digits', {}),
           'cifar_nf64_k20': ('srmc_cifar10', {'n_f': 64, 'batch_size': 64, 'n_steps': 20})}



def variant(name, preset, ov, seed=0):
    from shortrun_nb.accel import FastChain, accelerate, autocast_forward
    from shortrun_nb.core import build, make_rng
    from shortrun_nb.fit import iteration_runner
    from shortrun_nb.presets import get_config
    cfg = get_config(preset, ov, profile='full')
    torch.manual_seed(seed)
    m = build(cfg['model'])
    nets = [getattr(m, k) for k in ('energy', 'prior_energy', 'generator') if getattr(m, k, None) is not None]
    if 'cl' in name:
        for n in nets: n.to(memory_format=torch.channels_last)
    if 'bf16' in name and 'chain-only' not in name:
        for n in nets: autocast_forward(n, 'cpu')
    if 'chain-only' in name: m.langevin = ChainAutocast(m.langevin)
    if 'replay' in name: m.langevin = FastChain(cpu_replay=True)
    if name == 'accelerate()': accelerate(m)
    x = torch.rand(cfg['data']['batch_size'], *m.sample_shape, generator=make_rng(seed)) * 2 - 1
    step = iteration_runner(m, m.configure_optimizers(), make_rng(seed), fast=False)
    return lambda: step(x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--reps', type=int, default=2)
    p.add_argument('--configs', nargs='+', default=list(CONFIGS))
    p.add_argument('--variants', nargs='+', default=['eager', 'cl', 'bf16', 'cl+bf16', 'cl+bf16 chain-only',
                                                     'cl+bf16 replay'])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    for c in a.configs:
        preset, ov = CONFIGS[c]
        vs = {v: variant(v, preset, ov) for v in a.variants}
        for f in vs.values(): f()
        ts = {k: [] for k in vs}
        for _ in range(a.rounds):
            for k, f in vs.items():
                t = time.perf_counter()
                for _ in range(a.reps): f()
                ts[k].append((time.perf_counter() - t) / a.reps)
        med = {k: statistics.median(v) for k, v in ts.items()}
        print(f'## {c} ({a.threads} threads): s per iteration, median of {a.rounds} interleaved rounds')
        for k, v in med.items(): print(f'{k:24s} {v:8.4f} s  x{med["eager"] / v:5.2f}')
        print(flush=True)


if __name__ == '__main__':
    main()
