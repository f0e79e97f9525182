#!/usr/bin/env python
"""Does a text LEBM use z? Train `text_toy` with overrides, then print the three posterior-collapse symptoms.

    python tools/text_collapse_check.py "{'n_iters': 1000, 'post_step_size': 0.5}"

Prints the prior EBM's energy gap over training, greedy decodes of prior samples (all variety must come from z),
U(z|x) at the start and end of the posterior chain, and a few sentences with their reconstructions.
"""
import sys, time, ast
import torch
from shortrun_nb.core import make_generator
from shortrun_nb.train import build_run, fit

overrides = ast.literal_eval(sys.argv[1]) if len(sys.argv) > 1 else {}
cfg, model, data = build_run('text_toy', overrides, device='cpu')
t = time.time(); res = fit(model, data, **cfg['fit'], progress=False)
print(f"trained {cfg['fit']['n_iters']} iterations in {time.time() - t:.0f}s")
for r in res.history[::4]: print({k: round(float(r[k]), 3) for k in ('nll_token', 'gap', 'z_post_norm', 'post_grad_norm')})
decodes = model.sample(8, generator=make_generator(0))
print(f"{len(set(decodes))} distinct greedy decodes of 8 prior samples:\n  " + '\n  '.join(decodes))
x, trace = data.sample(make_generator(1)), []
z = model.sample_posterior(x, generator=make_generator(3), callback=lambda d: trace.append(d['energy'].mean().item()))
print(f"U(z|x) along the posterior chain: {trace[0]:.2f} -> {trace[-1]:.2f}")
for s, r in zip([model.vocab.decode(t) for t in x[:3]], model.decode(z[:3])): print(f"  {s!r} -> {r!r}")
