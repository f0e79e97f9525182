#!/usr/bin/env python
"""Cross-check shortrun_nb's FID against pytorch-fid on the same images and the same weights.

    pip install pytorch-fid   # the reference implementation; not a dependency of shortrun_nb
    python tools/fid_check.py --npz ../shared/data/cifar10/cifar10_train10k_test10k.npz \
        --weights ../shared/data/fid/pt_inception_pool3_no_fc.pth --out fid_check.json

Both implementations read the same PNG files (written once from the .npz), so the comparison covers the whole
pipeline: decoding, resizing, the network, the statistics and the Fréchet distance. On a small CPU machine split the
work into single-threaded processes, one per (implementation, image set), each saving its statistics, then merge:

    for impl in shortrun_nb pytorch_fid; do for s in train test; do
        OMP_NUM_THREADS=1 python tools/fid_check.py ... --impl $impl --set $s --pngs P --stats-dir S & done; done
    python tools/fid_check.py ... --merge --stats-dir S --out fid_check.json
"""
import argparse, json, tempfile, time
from pathlib import Path
import numpy as np, torch

SETS = {'train': 'x_train', 'test': 'x_test'}

def write_pngs(x: np.ndarray, folder: Path):
    from PIL import Image
    folder.mkdir(parents=True, exist_ok=True)
    for i, a in enumerate(x): Image.fromarray(a).save(folder/f'{i:05d}.png')

def ours_stats(folder, weights, batch_size, device):
    from shortrun_nb.metrics import load_fid_inception, load_image_folder, image_features, feature_stats
    net = load_fid_inception(weights, device=device)
    return feature_stats(image_features(load_image_folder(folder), net, batch_size=batch_size))

def reference_stats(folder, weights, batch_size, device):
    import pytorch_fid.inception as inc
    from pytorch_fid.fid_score import compute_statistics_of_path
    sd = torch.load(weights, map_location='cpu', weights_only=True)
    # fc is not used for pool3 features
    sd.setdefault('fc.weight', torch.zeros(1008, 2048))
    sd.setdefault('fc.bias', torch.zeros(1008))
    inc.load_state_dict_from_url = lambda *a, **k: sd   # feed pytorch-fid the same weights instead of downloading
    net = inc.InceptionV3([inc.InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).to(device).eval()
    return compute_statistics_of_path(str(folder), net, batch_size, 2048, device, num_workers=0)

def distance(impl, a, b):
    "The Fréchet distance as each implementation computes it."
    if impl == 'shortrun_nb':
        from shortrun_nb.metrics import frechet_distance
    else:
        from pytorch_fid.fid_score import calculate_frechet_distance as frechet_distance
    return float(frechet_distance(a['mu'], a['sigma'], b['mu'], b['sigma']))

STATS = {'shortrun_nb': ours_stats, 'pytorch_fid': reference_stats}

def compute(impl, s, folder, a, stats_dir):
    t = time.time()
    mu, sigma = STATS[impl](folder, a.weights, a.batch_size, a.device)
    secs = round(time.time() - t, 1)
    np.savez(stats_dir/f'{impl}_{s}.npz', mu=mu, sigma=sigma, seconds=secs, n=a.n, threads=torch.get_num_threads())
    print(impl, s, secs, 's', flush=True)

def merge(stats_dir, impls):
    res = {}
    for impl in impls:
        a, b = (np.load(stats_dir/f'{impl}_{s}.npz') for s in SETS)
        res.update({impl: distance(impl, a, b), f'{impl}_seconds': float(a['seconds'] + b['seconds']),
                    'n_per_set': int(a['n']), f'{impl}_threads': int(a['threads'])})
    if len(impls) == 2: res['relative_difference'] = abs(res['shortrun_nb'] - res['pytorch_fid']) / res['pytorch_fid']
    return res

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--npz', required=True)
    p.add_argument('--weights', required=True)
    p.add_argument('--n', type=int, default=10_000)
    p.add_argument('--batch-size', type=int, default=100)
    p.add_argument('--device', default='cpu')
    p.add_argument('--out', default='fid_check.json')
    p.add_argument('--impl', choices=['both', *STATS], default='both')
    p.add_argument('--set', choices=['both', *SETS], default='both',
                   help='compute the statistics of one image set only')
    p.add_argument('--merge', action='store_true', help='only compute the distances from statistics in --stats-dir')
    p.add_argument('--pngs', help='folder to keep the PNGs in (default: a temporary folder)')
    p.add_argument('--stats-dir', help='folder for the per-set statistics (default: a temporary folder)')
    a = p.parse_args()
    impls = list(STATS) if a.impl == 'both' else [a.impl]
    with tempfile.TemporaryDirectory() as d:
        root, stats_dir = Path(a.pngs or d), Path(a.stats_dir or d)
        stats_dir.mkdir(parents=True, exist_ok=True)
        if not a.merge:
            z = np.load(a.npz)
            for s in (SETS if a.set == 'both' else [a.set]):
                folder = root/s
                if len(list(folder.glob('*.png'))) != a.n: write_pngs(z[SETS[s]][:a.n], folder)
                for impl in impls: compute(impl, s, folder, a, stats_dir)
        if a.merge or a.set == 'both':
            res = merge(stats_dir, impls)
            print(json.dumps(res, indent=1))
            Path(a.out).write_text(json.dumps(res, indent=1))
