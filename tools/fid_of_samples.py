#!/usr/bin/env python
"""FID of samples saved as uint8 .npz shards (`shortrun-sample --shards`, e.g. from tools/gpu_check.sh) against the
CIFAR-10 test statistics, on this machine's CPU:

    python tools/fid_of_samples.py OUT/cifar10_samples_*.npz --data ../shared/data [--ref cifar10 --split test]

`--data` needs fid/ (the Inception weights) and either fid_stats/ (cached statistics) or the reference images.
Prints one JSON line: fid, n_samples, reference, seconds.
"""
import argparse, json, time
import numpy as np, torch
from shortrun_nb.metrics import feature_stats, frechet_distance, image_features, load_fid_inception, reference_stats

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('shards', nargs='+', help='.npz files holding uint8 NHWC samples as x')
    p.add_argument('--data', required=True, help='data folder with fid/ and fid_stats/ (or the reference images)')
    p.add_argument('--ref', default='cifar10')
    p.add_argument('--split', default='test')
    p.add_argument('--batch-size', type=int, default=100)
    a = p.parse_args()
    t = time.time()
    x = torch.from_numpy(np.concatenate([np.load(f)['x'] for f in a.shards])).permute(0, 3, 1, 2).contiguous()
    net = load_fid_inception(root=a.data)
    mu, sigma = feature_stats(image_features(x, net, batch_size=a.batch_size))
    ref = reference_stats(a.ref, root=a.data, split=a.split, batch_size=a.batch_size)
    print(json.dumps(dict(fid=frechet_distance(mu, sigma, *ref), n_samples=len(x), reference=f'{a.ref} {a.split}',
                          seconds=round(time.time() - t, 1))))

if __name__ == '__main__': main()
