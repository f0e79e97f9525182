#!/usr/bin/env python
"""Cross-check shortrun_nb's FID against pytorch-fid on the same images and the same weights.

    pip install pytorch-fid   # the reference implementation; not a dependency of shortrun_nb
    python tools/fid_check.py --npz ../shared/data/cifar10/cifar10_train10k_test10k.npz \
        --weights ../shared/data/fid/pt_inception_pool3_no_fc.pth --out fid_check.json

Both implementations read the same PNG files (written once from the .npz), so the comparison covers the whole
pipeline: decoding, resizing, the network and the Fréchet distance. On a small CPU machine run the two halves as two
processes (`--impl shortrun_nb` / `--impl pytorch_fid`, same `--pngs` folder) and merge the JSON files afterwards.
"""
import argparse, json, tempfile, time
from pathlib import Path
import numpy as np, torch

def write_pngs(x: np.ndarray, folder: Path):
    from PIL import Image
    folder.mkdir(parents=True, exist_ok=True)
    for i, a in enumerate(x): Image.fromarray(a).save(folder/f'{i:05d}.png')

def ours(dirs, weights, batch_size, device):
    from shortrun_nb.metrics import load_fid_inception, load_image_folder, fid
    net = load_fid_inception(weights, device=device)
    return fid(load_image_folder(dirs[0]), load_image_folder(dirs[1]), net, batch_size=batch_size)

def reference(dirs, weights, batch_size, device):
    import pytorch_fid.inception as inc
    from pytorch_fid.fid_score import calculate_fid_given_paths
    sd = torch.load(weights, map_location='cpu', weights_only=True)
    sd.setdefault('fc.weight', torch.zeros(1008, 2048)); sd.setdefault('fc.bias', torch.zeros(1008))  # fc is not used for pool3 features
    inc.load_state_dict_from_url = lambda *a, **k: sd   # feed pytorch-fid the same weights instead of downloading
    return calculate_fid_given_paths([str(d) for d in dirs], batch_size, device, 2048, num_workers=0)

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--npz', required=True); p.add_argument('--weights', required=True)
    p.add_argument('--n', type=int, default=10_000); p.add_argument('--batch-size', type=int, default=100)
    p.add_argument('--device', default='cpu'); p.add_argument('--out', default='fid_check.json')
    p.add_argument('--impl', choices=['both', 'shortrun_nb', 'pytorch_fid'], default='both')
    p.add_argument('--pngs', help='folder to keep the PNGs in (default: a temporary folder)')
    a = p.parse_args()
    z = np.load(a.npz)
    with tempfile.TemporaryDirectory() as d:
        root = Path(a.pngs or d); dirs = [root/'train', root/'test']
        for key, folder in zip(('x_train', 'x_test'), dirs):
            if len(list(folder.glob('*.png'))) != a.n: write_pngs(z[key][:a.n], folder)
        res = {'n_per_set': a.n, 'device': a.device, 'torch_threads': torch.get_num_threads()}
        impls = {'shortrun_nb': ours, 'pytorch_fid': reference}
        for name in (impls if a.impl == 'both' else [a.impl]):
            t = time.time(); res[name] = impls[name](dirs, a.weights, a.batch_size, a.device); res[f'{name}_seconds'] = round(time.time() - t, 1)
            print(name, res[name], res[f'{name}_seconds'], 's', flush=True)
    if a.impl == 'both': res['relative_difference'] = abs(res['shortrun_nb'] - res['pytorch_fid']) / res['pytorch_fid']
    print(json.dumps(res, indent=1))
    Path(a.out).write_text(json.dumps(res, indent=1))
