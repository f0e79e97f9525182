"""Per-op probe of CPU fast-path options, interleaved in one process (ratios only; the machine is noisy).

    python tools/cpu_step_probe.py [--threads 2] [--rounds 7] [--which conv16 conv32 lebm gemm noise]

One Langevin step = energy forward + autograd.grad w.r.t. the fp32 chain state. Variants are timed round-robin,
each round every variant once; the median per variant over rounds is reported, and its ratio to eager fp32.
"""
import argparse, statistics, time

import torch


def timed(fn, reps):
    t = time.perf_counter()
    for _ in range(reps): fn()
    return (time.perf_counter() - t) / reps


def interleave(variants: dict, rounds: int, reps: int, warm: int = 2) -> dict:
    for f in variants.values():
        for _ in range(warm): f()
    ts = {k: [] for k in variants}
    for _ in range(rounds):
        for k, f in variants.items(): ts[k].append(timed(f, reps))
    return {k: statistics.median(v) for k, v in ts.items()}


def report(title, med, flops=None):
    base = next(iter(med.values()))
    print(f'## {title}')
    for k, v in med.items():
        extra = f'  {flops / v / 1e9:7.1f} GFLOP/s' if flops else ''
        print(f'{k:28s} {v * 1e3:9.3f} ms  x{base / v:5.2f}{extra}')
    print(flush=True)


def step_fn(E, x, bf16: bool):
    def f():
        xx = x.detach().requires_grad_()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            e = E(xx)
        g, = torch.autograd.grad(e.float().sum(), xx)
        return g
    return f


def conv_probe(n_f, size, ch, batch, rounds, reps):
    from shortrun_nb.nets import ConvEnergy
    from shortrun_nb.bench import count_flops
    torch.manual_seed(0)
    E = ConvEnergy(in_channels=ch, n_f=n_f, img_size=size)
    Ecl = ConvEnergy(in_channels=ch, n_f=n_f, img_size=size)
    Ecl.load_state_dict(E.state_dict())
    Ecl.to(memory_format=torch.channels_last)
    x = torch.rand(batch, ch, size, size) * 2 - 1
    xcl = x.contiguous(memory_format=torch.channels_last)
    flops = count_flops(step_fn(E, x, False))
    v = {'eager fp32': step_fn(E, x, False), 'channels-last (net)': step_fn(Ecl, x, False),
         'channels-last (net+x)': step_fn(Ecl, xcl, False), 'bf16 autocast': step_fn(E, x, True),
         'both (net)': step_fn(Ecl, x, True), 'both (net+x)': step_fn(Ecl, xcl, True)}
    report(f'ConvEnergy n_f={n_f} {size}px c={ch} batch {batch}: one step ({flops / 1e9:.2f} GFLOP)',
           interleave(v, rounds, reps), flops)


def lebm_probe(rounds, reps):
    from shortrun_nb.presets import build_run
    from shortrun_nb.bench import count_flops
    _, m, data = build_run('lebm_digits', device='cpu')
    x = torch.rand(100, 1, 16, 16) * 2 - 1
    z = torch.randn(100, 16)
    def prior(bf16): return step_fn(m.prior_energy_total, z, bf16)
    def post(bf16):
        def f():
            zz = z.detach().requires_grad_()
            with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
                e = m.posterior_energy(zz, x)
            g, = torch.autograd.grad(e.float().sum(), zz)
            return g
        return f
    fl = count_flops(prior(False))
    report(f'LEBM digits prior step, batch 100 ({fl / 1e6:.1f} MFLOP)',
           interleave({'eager fp32': prior(False), 'bf16 autocast': prior(True)}, rounds, reps * 10), fl)
    fl = count_flops(post(False))
    report(f'LEBM digits posterior step, batch 100 ({fl / 1e6:.1f} MFLOP)',
           interleave({'eager fp32': post(False), 'bf16 autocast': post(True)}, rounds, reps * 10), fl)


def gemm_probe(rounds, reps):
    for n in (256, 512, 1024):
        a, b = torch.randn(n, n), torch.randn(n, n)
        ab, bb = a.bfloat16(), b.bfloat16()
        med = interleave({f'fp32 {n}': lambda: a @ b, f'bf16 {n}': lambda: ab @ bb}, rounds, reps)
        report(f'GEMM {n}x{n}', med, 2 * n ** 3)


def _autocast_noop():
    with torch.autocast('cpu', dtype=torch.bfloat16): pass


def noise_probe(rounds, reps):
    g = torch.Generator().manual_seed(0)
    for shape in ((64, 1, 16, 16), (64, 3, 32, 32), (100, 16)):
        x = torch.zeros(shape)
        med = interleave({f'randn {shape}': lambda: torch.randn(shape, generator=g),
                          f'x - g + t*randn {shape}': lambda: (x - 1.0 * x + 0.01 * torch.randn(shape, generator=g)).clamp(-1, 1),
                          'autocast enter/exit': _autocast_noop},
                         rounds, reps * 20)
        report(f'noise and elementwise, {shape}', med)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--rounds', type=int, default=7)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--which', nargs='+', default=['conv16', 'conv32', 'lebm', 'gemm', 'noise'])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(f'torch {torch.__version__}, {a.threads} threads, capability {torch.backends.cpu.get_cpu_capability()}, '
          f"avx512_bf16 {torch.cpu.get_capabilities().get('avx512_bf16')}, "
          f"amx_bf16 {torch.cpu.get_capabilities().get('amx_bf16')}\n")
    if 'gemm' in a.which: gemm_probe(a.rounds, a.reps)
    if 'conv16' in a.which: conv_probe(32, 16, 1, 64, a.rounds, a.reps)
    if 'conv32' in a.which: conv_probe(64, 32, 3, 64, a.rounds, max(1, a.reps // 5))
    if 'lebm' in a.which: lebm_probe(a.rounds, a.reps)
    if 'noise' in a.which: noise_probe(a.rounds, a.reps)


if __name__ == '__main__':
    main()
