"fit: exact resume, checkpoints, the divergence guard, the learning-rate schedule, the CLI's train and sample."
import json, os
import pytest, torch
from shortrun_nb.core import CKPT_FORMAT, make_rng, read_checkpoint
from shortrun_nb.data import load_digits, make_loader
from shortrun_nb.core import WriteError, load, save_checkpoint
from shortrun_nb.fit import fit, TrainingDiverged
from shortrun_nb.presets import build_run
from shortrun_nb.cli import train_main, sample_main

TINY = {'n_iters': 30, 'log_every': 5, 'n_steps': 4, 'sample_every': 0, 'ckpt_every': 0}

def weights(m): return [t.clone() for t in m.state_dict().values()]
def same(a, b): return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))

def train(out, n, preset='digits', resume=False, data=None, **ov):
    cfg, model, d = build_run(preset, {**TINY, 'n_iters': n, **ov}, device='cpu')
    fit(model, data if data is not None else d, **cfg['fit'], out_dir=out, config=cfg, progress=False, resume=resume)
    return model

@pytest.mark.parametrize("preset", ["digits", "toy2d"])
def test_resume_is_bitwise_exact(tmp_path, preset):
    straight = weights(train(tmp_path/'a', 30, preset))
    train(tmp_path/'b', 12, preset)
    resumed = weights(train(tmp_path/'b', 30, preset, resume=True))
    assert same(straight, resumed)
    # and the resumed run really continued from 12 (not from scratch): its log has each window once
    iters = [json.loads(l)['iter'] for l in open(tmp_path/'b'/'metrics.jsonl') if 'event' not in l]
    assert iters == [5, 10, 12, 15, 20, 25, 30]

def test_resume_exact_with_dataloader(tmp_path):
    # the DataLoader path: resuming mid-epoch skips to the same batch
    loader = lambda: make_loader(load_digits(16, 'train'), 64, seed=0)   # 25 batches per epoch
    straight = weights(train(tmp_path/'a', 40, data=loader()))
    train(tmp_path/'b', 27, data=loader())
    resumed = weights(train(tmp_path/'b', 40, resume=True, data=loader()))
    assert same(straight, resumed)

def test_resume_without_checkpoint_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="nothing to resume in .*: it holds no checkpoint.pt"):
        train(tmp_path/'none', 5, resume=True)

def test_resume_with_other_model_is_refused(tmp_path):
    train(tmp_path/'a', 5)
    with pytest.raises(ValueError, match=r"model.energy.n_f changed \(32 → 8\)"):
        train(tmp_path/'a', 10, resume=True, n_f=8)

def test_checkpoint_loads_with_weights_only(tmp_path):
    train(tmp_path, 10)
    ck = torch.load(tmp_path/'checkpoint.pt', weights_only=True)
    assert ck['format'] == CKPT_FORMAT and ck['iteration'] == 10
    assert {'model', 'optimizers', 'generators', 'generator_device', 'config', 'lr_scale', 'restarts',
            'world_size'} <= set(ck)
    assert ck['config']['model']['kind'] == 'srmc'
    m = load(tmp_path/'checkpoint.pt', device='cpu')
    assert m.sample(3, rng=make_rng(0)).shape == (3, 1, 16, 16)

def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    p = save_checkpoint(tmp_path/'c.pt', {'x': torch.ones(3), 'iteration': 1})
    good = p.read_bytes()
    def broken_save(obj, f):
        f.write(b'partial')
        raise OSError("disk full")
    monkeypatch.setattr(torch, 'save', broken_save)
    with pytest.raises(WriteError, match="disk full .*previous version is intact"):
        save_checkpoint(p, {'x': torch.zeros(3), 'iteration': 2})
    assert p.read_bytes() == good                  # the old checkpoint is intact
    assert os.listdir(tmp_path) == ['c.pt']        # and no temporary file is left behind

def test_guard_restores_after_nan(tmp_path):
    cfg, model, data = build_run('toy2d', {'n_iters': 40, 'log_every': 5}, device='cpu')
    done = []
    def poison(it, m, stats):
        if it == 17 and not done:
            with torch.no_grad(): next(m.parameters()).fill_(float('nan'))
            done.append(it)
    res = fit(model, data, **cfg['fit'], out_dir=tmp_path, callback=poison, progress=False)
    ev = [r for r in res.history if r.get('event') == 'diverged']
    assert len(ev) == 1 and ev[0]['iter'] == 20 and ev[0]['restored_to'] == 15 and ev[0]['lr_scale'] == 0.5
    assert res.iteration == 40 and all(torch.isfinite(p).all() for p in model.parameters())
    logged = [json.loads(l) for l in open(tmp_path/'metrics.jsonl')]
    assert any(r.get('event') == 'diverged' for r in logged)
    assert [r for r in logged if 'loss' in r][-1]['lr'][0] == pytest.approx(cfg['model']['lr'] * 0.5)

def test_guard_exploding_gap(tmp_path):
    cfg, model, data = build_run('toy2d', {'n_iters': 20, 'log_every': 5, 'max_gap': 1e-9}, device='cpu')
    with pytest.raises(TrainingDiverged, match=r"\|gap\| = .* > max_gap"):
        fit(model, data, **{**cfg['fit'], 'max_restarts': 2}, out_dir=tmp_path, progress=False)
    ck = read_checkpoint(tmp_path/'checkpoint.pt')   # the last good state was saved
    assert ck['iteration'] == 0 and ck['restarts'] == 3

def test_lr_decay_schedule():
    cfg, model, data = build_run('toy2d', {'n_iters': 10, 'log_every': 1}, device='cpu')
    res = fit(model, data, **{**cfg['fit'], 'lr_decay': 0.5, 'decay_every': 4}, progress=False)
    lrs = [r['lr'][0] for r in res.history]
    lr0 = cfg['model']['lr']
    assert lrs == pytest.approx([lr0]*4 + [lr0/2]*4 + [lr0/4]*2)

def test_bad_fit_arguments():
    cfg, model, data = build_run('toy2d', {}, device='cpu')
    with pytest.raises(ValueError, match="n_iters must be a positive integer"): fit(model, data, 0)

def test_cli_train_and_sample(tmp_path, capsys):
    assert train_main(['toy2d', '--out', str(tmp_path), '--n_iters', '10', '--log_every', '5', '--no-progress']) == 0
    summary = json.loads((tmp_path/'summary.json').read_text())
    assert summary['iterations'] == 10
    assert sample_main([str(tmp_path/'checkpoint.pt'), '--n', '50', '--out', str(tmp_path/'pts.png')]) == 0
    assert (tmp_path/'pts.png').stat().st_size > 0

def test_cli_bad_input(tmp_path, capsys):
    assert train_main(['nopreset', '--out', str(tmp_path)]) == 2
    assert "unknown preset 'nopreset'" in capsys.readouterr().err
    assert train_main(['toy2d', '--out', str(tmp_path), '--n_itres', '5']) == 2
    assert "unknown setting 'n_itres'" in capsys.readouterr().err
    assert train_main(['toy2d', '--out', str(tmp_path), '--lr', 'fast']) == 2
    assert "expects a value like" in capsys.readouterr().err
    assert sample_main([str(tmp_path/'missing.pt')]) == 2
    assert "no checkpoint at" in capsys.readouterr().err
