"No run lost, no traceback: run folders, signals, torn logs, bad input, resume rules (issue 12, each numbered case)."
import json, os, signal
from pathlib import Path
import pytest, torch
from conftest import cli, start_training
from shortrun_nb.core import make_rng, read_checkpoint
from shortrun_nb.core import RunFolder
from shortrun_nb.fit import fit
from shortrun_nb.core import load
from shortrun_nb.presets import build_run
from shortrun_nb.cli import train_main, sample_main, eval_main

TINY = ['--n_iters', '10', '--log_every', '5', '--no-progress', '--no-report']

def train(out, *extra): return train_main(['toy2d', '--out', str(out), *TINY, *extra])
def iteration(out): return read_checkpoint(Path(out)/'checkpoint.pt')['iteration']
def one_line(err: str) -> str:
    "The error line (the last one; earlier lines are the run's log), checking there is no traceback."
    assert err.strip() and 'Traceback' not in err, err
    return err.strip().splitlines()[-1]

# 1. an existing run folder is refused unless --resume or --overwrite; a second live run is refused
def test_rerun_into_existing_out_is_refused(tmp_path, capsys):
    assert train(tmp_path, '--n_iters', '20') == 0
    capsys.readouterr()
    assert train(tmp_path, '--n_iters', '5') == 2
    assert 'already holds a run' in one_line(capsys.readouterr().err)
    assert iteration(tmp_path) == 20                                   # the earlier run is intact
    assert [json.loads(l)['iter'] for l in open(tmp_path/'metrics.jsonl')][-1] == 20
    assert train(tmp_path, '--n_iters', '5', '--overwrite') == 0
    assert iteration(tmp_path) == 5
    assert [json.loads(l)['iter'] for l in open(tmp_path/'metrics.jsonl') if 'event' not in l] == [5]

def test_second_live_run_on_the_same_folder_is_refused(tmp_path):
    p = start_training(tmp_path/'run')
    try:
        r = cli('shortrun-train', 'toy2d', '--out', tmp_path/'run', '--n_iters', '5', '--overwrite', '--no-progress')
        assert r.returncode == 2 and f'another run (pid {p.pid})' in r.stderr
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=120)
    assert p.returncode == 128 + signal.SIGTERM
    assert not (tmp_path/'run'/'.lock').exists()

# 2. SIGTERM (schedulers, docker stop, timeout) saves the last good state, like SIGINT
@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_signal_saves_a_checkpoint_that_resumes(tmp_path, sig):
    out = tmp_path/'run'
    p = start_training(out)
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 128 + sig, err
    assert 'checkpoint is saved' in err
    it = iteration(out)
    assert 0 < it < 100000
    assert train_main(['toy2d', '--out', str(out), '--resume', '--n_iters', str(it + 5), '--log_every', '5',
                       '--no-progress', '--no-report']) == 0
    assert iteration(out) == it + 5

# 3. a torn last line of metrics.jsonl is dropped with a warning on resume
def test_torn_log_line_is_dropped_on_resume(tmp_path, capsys):
    assert train(tmp_path) == 0
    with open(tmp_path/'metrics.jsonl', 'a') as f: f.write('{"iter": 15, "loss": 0.1')
    capsys.readouterr()
    assert train(tmp_path, '--n_iters', '20', '--resume') == 0
    err = capsys.readouterr().err
    assert 'metrics.jsonl: dropped a torn last line' in err
    rows = [json.loads(l) for l in open(tmp_path/'metrics.jsonl')]
    assert [r['iter'] for r in rows if 'event' not in r] == [5, 10, 15, 20]

def test_damaged_middle_log_line_names_the_file(tmp_path, capsys):
    assert train(tmp_path) == 0
    lines = (tmp_path/'metrics.jsonl').read_text().splitlines()
    lines[1] = lines[1][:10]
    (tmp_path/'metrics.jsonl').write_text('\n'.join(lines) + '\n')
    capsys.readouterr()
    assert train(tmp_path, '--n_iters', '20', '--resume') == 2
    assert 'metrics.jsonl: line 2 is not a JSON record' in one_line(capsys.readouterr().err)

# 4. one line instead of a traceback
def test_out_is_a_file_or_under_a_file(tmp_path, capsys):
    (tmp_path/'f').write_text('')
    assert train(tmp_path/'f') == 2
    assert 'is a file, not a folder' in one_line(capsys.readouterr().err)
    assert train(tmp_path/'f'/'run') == 2
    assert 'a part of that path is a file' in one_line(capsys.readouterr().err)

def test_disk_full_while_checkpointing(tmp_path, capsys, monkeypatch):
    assert train(tmp_path, '--ckpt_every', '5') == 0
    good = (tmp_path/'checkpoint.pt').read_bytes()
    def full(obj, f): raise OSError(28, 'No space left on device')
    monkeypatch.setattr(torch, 'save', full)
    capsys.readouterr()
    assert train(tmp_path, '--n_iters', '20', '--resume', '--ckpt_every', '5') == 1
    line = one_line(capsys.readouterr().err)
    assert 'checkpoint.pt: the disk is full' in line and 'previous version is intact' in line
    assert (tmp_path/'checkpoint.pt').read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith('.tmp')) == []

def test_cuda_asked_for_without_a_gpu(tmp_path):
    if torch.cuda.is_available(): pytest.skip('this machine has a GPU')
    assert train(tmp_path) == 0
    for cmd in (['shortrun-sample', tmp_path/'checkpoint.pt', '--out', tmp_path/'s.png'],
                ['shortrun-eval', tmp_path/'checkpoint.pt', '--long-run'], ['shortrun-bench'],
                ['shortrun-train', 'toy2d', '--out', tmp_path/'x']):
        r = cli(*cmd, env={'SHORTRUN_DEVICE': 'cuda'})
        assert r.returncode == 2 and 'CUDA is not available' in one_line(r.stderr), r.stderr
    assert not (tmp_path/'s.png').exists() and not (tmp_path/'x').exists()

@pytest.mark.parametrize('args, message', [
    (['--n-steps', '-3'], '--n-steps must be a positive integer, got -3'),
    (['--n-steps', '0'], '--n-steps must be a positive integer, got 0'),
    (['--n', '0'], '--n must be a positive integer, got 0')])
def test_sample_bad_values(tmp_path, capsys, args, message):
    assert train(tmp_path) == 0
    capsys.readouterr()
    assert sample_main([str(tmp_path/'checkpoint.pt'), '--out', str(tmp_path/'s.png'), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path/'s.png').exists()

@pytest.mark.parametrize('override, message', [
    (['--betas', 'x'], 'expects a value like [0.9, 0.999]'),
    (['--n_f', '0'], 'n_f must be a positive integer, got 0'),
    (['--ckpt_every', '-1'], 'ckpt_every must be a non-negative integer'),
    (['--lr_backoff', '2'], 'lr_backoff must be a number in (0, 1)'),
    (['--max_restarts', '-1'], 'max_restarts must be a non-negative integer')])
def test_train_bad_values_write_nothing(tmp_path, capsys, override, message):
    preset = 'digits' if override[0] in ('--n_f', '--betas') else 'toy2d'
    assert train_main([preset, '--out', str(tmp_path/'run'), *TINY, *override]) == 2
    assert message in one_line(capsys.readouterr().err)
    assert not (tmp_path/'run'/'config.json').exists() and not (tmp_path/'run'/'checkpoint.pt').exists()

def test_resume_from_an_export_is_explained(tmp_path, capsys):
    assert train(tmp_path/'a') == 0
    (tmp_path/'b').mkdir()
    load(tmp_path/'a'/'checkpoint.pt').save_pretrained(tmp_path/'b'/'checkpoint.pt')
    capsys.readouterr()
    assert train(tmp_path/'b', '--resume', '--n_iters', '20') == 2
    assert 'holds weights only (an exported model)' in one_line(capsys.readouterr().err)

def test_weights_that_do_not_fit_their_config(tmp_path, capsys):
    assert train_main(['digits', '--out', str(tmp_path), *TINY, '--n_steps', '2']) == 0
    ck = read_checkpoint(tmp_path/'checkpoint.pt')
    ck['config']['model']['energy']['n_f'] = 8
    torch.save(ck, tmp_path/'bad.pt')
    capsys.readouterr()
    assert sample_main([str(tmp_path/'bad.pt'), '--out', str(tmp_path/'s.png')]) == 2
    assert 'weights do not fit the model its config describes' in one_line(capsys.readouterr().err)

def test_sample_and_eval_out_under_a_file(tmp_path, capsys):
    assert train_main(['digits', '--out', str(tmp_path), *TINY, '--n_steps', '2']) == 0
    (tmp_path/'f').write_text('')
    capsys.readouterr()
    assert sample_main([str(tmp_path/'checkpoint.pt'), '--out', str(tmp_path/'f'/'s.png')]) == 2
    assert 'a part of that path is a file' in capsys.readouterr().err
    assert eval_main([str(tmp_path/'checkpoint.pt'), '--long-run', '--long-steps', '3',
                      '--out', str(tmp_path/'f'/'r.json')]) == 2
    assert 'a part of that path is a file' in capsys.readouterr().err

def test_cuda_checkpoint_resumed_on_cpu_is_explained(tmp_path, capsys):
    assert train(tmp_path) == 0
    ck = read_checkpoint(tmp_path/'checkpoint.pt')
    ck['generator_device'] = 'cuda'
    torch.save(ck, tmp_path/'checkpoint.pt')
    capsys.readouterr()
    assert train(tmp_path, '--resume', '--n_iters', '20') == 2
    assert 'was trained on cuda and cannot continue exactly on cpu' in one_line(capsys.readouterr().err)

# 5. invalid input never produces something that looks like a result
def test_zero_steps_are_errors_not_the_trained_k(tmp_path, capsys):
    assert train_main(['digits', '--out', str(tmp_path), *TINY, '--n_steps', '2']) == 0
    capsys.readouterr()
    assert eval_main([str(tmp_path/'checkpoint.pt'), '--long-run', '--long-steps', '0']) == 2
    assert 'n_steps must be a positive integer, got 0' in capsys.readouterr().err
    assert eval_main([str(tmp_path/'checkpoint.pt'), '--mse', '--n-mse', '0']) == 2
    assert '--n-mse must be a positive integer' in capsys.readouterr().err
    assert not (tmp_path/'eval.json').exists()
    _, model, _ = build_run('digits', device='cpu')
    with pytest.raises(ValueError, match='n_steps must be a positive integer'): model.sample(2, n_steps=0)

def test_uint8_batches_and_nan_chains_are_refused():
    _, model, _ = build_run('digits', device='cpu')
    with pytest.raises(TypeError, match='to_float_images'):
        model.train_step(torch.zeros(4, 1, 16, 16, dtype=torch.uint8))
    with pytest.raises(FloatingPointError, match='x0 contains NaN'):
        model.chain_states(torch.full((2, 1, 16, 16), float('nan')))
    with torch.no_grad(): next(model.parameters()).fill_(float('nan'))
    with pytest.raises(FloatingPointError, match=f'after {model.chain.n_steps} steps contains NaN'):
        model.sample(2, rng=make_rng(0))

def test_eval_report_with_nan_is_not_written(tmp_path, capsys):
    assert train_main(['digits', '--out', str(tmp_path), *TINY, '--n_steps', '2']) == 0
    ck = read_checkpoint(tmp_path/'checkpoint.pt')
    for key in ('model', 'ema'):   # the weights, and their average that sampling uses
        ck[key] = {k: torch.full_like(v, float('nan')) for k, v in ck[key].items()}
    torch.save(ck, tmp_path/'nan.pt')
    capsys.readouterr()
    assert eval_main([str(tmp_path/'nan.pt'), '--long-run', '--long-steps', '3', '--out', str(tmp_path/'r.json')]) == 2
    assert 'NaN' in one_line(capsys.readouterr().err) and not (tmp_path/'r.json').exists()

def test_bad_fit_arguments():
    _, model, data = build_run('toy2d', device='cpu')
    for kw, msg in ((dict(ckpt_every=-1), 'ckpt_every must be'), (dict(lr_backoff=2), 'lr_backoff must be'),
                    (dict(max_restarts=-1), 'max_restarts must be'), (dict(log_every=0), 'log_every must be')):
        with pytest.raises(ValueError, match=msg): fit(model, data, 5, progress=False, **kw)

# 6. resume refuses changes that break exactness, allows the guard's (learning rate, restart budget)
def test_resume_with_changed_batch_size_is_refused(tmp_path, capsys):
    assert train(tmp_path) == 0
    capsys.readouterr()
    assert train(tmp_path, '--resume', '--n_iters', '20', '--batch_size', '256') == 2
    assert 'data.batch_size changed (512 → 256)' in one_line(capsys.readouterr().err)

def test_resume_with_changed_lr_and_guard_settings_is_accepted(tmp_path, capsys):
    assert train(tmp_path) == 0
    capsys.readouterr()
    assert train(tmp_path, '--resume', '--n_iters', '20', '--lr', '0.001', '--max_restarts', '2',
                 '--lr_backoff', '0.25') == 0
    err = capsys.readouterr().err
    assert 'model.lr changed: 0.005 → 0.001' in err and 'fit.max_restarts changed' in err
    rows = [json.loads(l) for l in open(tmp_path/'metrics.jsonl') if 'event' not in l]
    assert rows[-1]['lr'] == [pytest.approx(0.001)]
    summary = json.loads((tmp_path/'summary.json').read_text())
    assert summary['resumed_changes']['model.lr'] == [0.005, 0.001]

def test_resume_with_fewer_iterations_says_so(tmp_path, capsys):
    assert train(tmp_path, '--n_iters', '20') == 0
    capsys.readouterr()
    assert train(tmp_path, '--resume', '--n_iters', '10') == 2
    assert 'is at iteration 20, and n_iters is 10: nothing to train' in one_line(capsys.readouterr().err)

# 7. smaller things
def test_hostile_file_message_gives_no_dangerous_advice(tmp_path):
    torch.save({'f': os.system}, tmp_path/'evil.pt')
    with pytest.raises(ValueError) as e: read_checkpoint(tmp_path/'evil.pt')
    assert 'not a shortrun_nb checkpoint' in str(e.value) and 'weights_only=False' not in str(e.value)

def test_stale_tmp_checkpoint_is_removed(tmp_path):
    (tmp_path/'.checkpoint.pt.999999999.tmp').write_bytes(b'partial')
    with RunFolder(tmp_path): pass
    assert not (tmp_path/'.checkpoint.pt.999999999.tmp').exists()

def test_help_lists_how_to_override_and_every_flag_has_help(capsys):
    from shortrun_nb.cli import _train_parser, _sample_parser, _eval_parser, _bench_parser
    with pytest.raises(SystemExit): train_main(['--help'])
    out = capsys.readouterr().out
    assert '--settings' in out and 'presets: ' in out and 'digits' in out
    assert train_main(['digits', '--settings']) == 0
    assert '--model.energy.n_f 32' in capsys.readouterr().out
    for parser in (_train_parser(), _sample_parser(), _eval_parser(), _bench_parser()):
        assert all(a.help for a in parser._actions), [a.dest for a in parser._actions if not a.help]

def test_progress_without_a_terminal_is_plain_lines(tmp_path):
    r = cli('shortrun-train', 'toy2d', '--out', tmp_path, '--n_iters', '20', '--log_every', '10', '--no-report')
    assert r.returncode == 0, r.stderr
    assert '\r' not in r.stderr and 'iteration 10/20' in r.stderr and 'iteration 20/20' in r.stderr

# ---- Issue 20 (nothing lost, round 2): one test per class of failure ----
from shortrun_nb.cli import bench_main

def files_of(folder: Path) -> dict:
    "Every file under `folder` (but the lock) and its bytes."
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob('*'))
            if p.is_file() and p.name != '.lock'}

# 1. a replacement is validated first and replaces only the run's own files
def test_overwrite_with_a_bad_setting_leaves_the_old_run(tmp_path, capsys):
    assert train(tmp_path/'r1') == 0
    before = files_of(tmp_path/'r1')
    assert train(tmp_path/'r1', '--overwrite', '--betas', '[2, 3]') == 2
    assert 'betas must be two numbers in [0, 1)' in one_line(capsys.readouterr().err)
    assert files_of(tmp_path/'r1') == before

def test_overwrite_failing_before_its_first_iteration_puts_the_old_run_back(tmp_path, monkeypatch, capsys):
    assert train(tmp_path, '--sample_every', '5') == 0
    before = files_of(tmp_path)
    from shortrun_nb.shortrun import ShortRunEBM
    def broken(self, batch, *, rng=None): raise RuntimeError('the first iteration failed')
    monkeypatch.setattr(ShortRunEBM, 'train_step', broken)
    assert train(tmp_path, '--overwrite') == 2
    assert 'the first iteration failed' in one_line(capsys.readouterr().err)
    assert files_of(tmp_path) == before

def test_overwrite_keeps_what_no_run_wrote(tmp_path):
    assert train(tmp_path, '--sample_every', '5') == 0
    (tmp_path/'samples'/'mine').mkdir()
    (tmp_path/'samples'/'mine'/'fig.txt').write_text('mine')
    (tmp_path/'notes.md').write_text('mine too')
    assert train(tmp_path, '--overwrite', '--n_iters', '5', '--sample_every', '5') == 0
    assert (tmp_path/'samples'/'mine'/'fig.txt').read_text() == 'mine' and (tmp_path/'notes.md').exists()
    assert sorted(p.name for p in (tmp_path/'samples').iterdir()) == ['0000005.png', 'mine']

def test_a_failed_first_start_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    from shortrun_nb.shortrun import ShortRunEBM
    real = ShortRunEBM.train_step
    def broken(self, batch, *, rng=None): raise RuntimeError('broken')
    monkeypatch.setattr(ShortRunEBM, 'train_step', broken)
    assert train(tmp_path/'new') == 2
    assert not (tmp_path/'new').exists()                         # not even the folder
    (tmp_path/'old').mkdir()
    assert train(tmp_path/'old') == 2
    assert list((tmp_path/'old').iterdir()) == []
    monkeypatch.setattr(ShortRunEBM, 'train_step', real)
    capsys.readouterr()
    assert train(tmp_path/'new') == 0 and train(tmp_path/'old') == 0   # the corrected command just works

# 2. every file a run writes goes through a temporary file and a rename: a signal mid-write loses nothing
def test_a_signal_during_resume_start_up_keeps_the_log(tmp_path, monkeypatch):
    assert train(tmp_path) == 0
    log_before = (tmp_path/'metrics.jsonl').read_text()
    real = os.replace
    def interrupted(src, dst):
        if str(dst).endswith('metrics.jsonl'): raise KeyboardInterrupt
        return real(src, dst)
    monkeypatch.setattr(os, 'replace', interrupted)
    with pytest.raises(KeyboardInterrupt): train(tmp_path, '--resume', '--n_iters', '20')
    monkeypatch.setattr(os, 'replace', real)
    assert (tmp_path/'metrics.jsonl').read_text() == log_before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]
    assert train(tmp_path, '--resume', '--n_iters', '20') == 0

# 3. no command writes over a checkpoint or over a file it did not create
@pytest.mark.parametrize('target', ['checkpoint.pt', 'notes.json'])
def test_eval_out_never_overwrites_a_checkpoint_or_a_foreign_file(tmp_path, capsys, target):
    assert train_main(['digits', '--out', str(tmp_path), *TINY, '--n_steps', '2']) == 0
    (tmp_path/'notes.json').write_text('{"mine": 1}')
    before = (tmp_path/target).read_bytes()
    assert eval_main([str(tmp_path/'checkpoint.pt'), '--long-run', '--long-steps', '3', '--out', str(tmp_path/target)]) == 2
    assert 'not writing over' in one_line(capsys.readouterr().err)
    assert (tmp_path/target).read_bytes() == before

# 4. a new run into a folder holding someone's files is refused, without touching them
@pytest.mark.parametrize('name', ['samples.png', 'summary.json', 'config.json'])
def test_new_run_refuses_a_folder_with_someone_elses_run_files(tmp_path, capsys, name):
    (tmp_path/name).write_text('mine')
    for extra in ([], ['--overwrite']):
        assert train(tmp_path, *extra) == 2
        assert f'holds {name}, which no run of this package wrote' in one_line(capsys.readouterr().err)
    assert (tmp_path/name).read_text() == 'mine' and sorted(p.name for p in tmp_path.iterdir()) == [name]

# 5. writes never follow a symbolic link out of the run folder
def test_writes_never_follow_symlinks(tmp_path, capsys):
    victim = tmp_path/'victim.txt'
    victim.write_text('keep me')
    (tmp_path/'s').mkdir()
    (tmp_path/'s'/'summary.json').symlink_to(victim)
    assert train(tmp_path/'s') == 2                               # a link planted before the run: refused
    assert 'holds summary.json' in one_line(capsys.readouterr().err)
    (tmp_path/'s'/'summary.json').unlink()
    assert train(tmp_path/'s', '--no-report') == 0
    for name in ('summary.json', 'metrics.jsonl', 'config.json'):   # links planted in a run: replaced, not followed
        (tmp_path/'s'/name).unlink()
        (tmp_path/'s'/name).symlink_to(victim)
    assert train(tmp_path/'s', '--resume', '--n_iters', '20') in (0, 2)
    assert victim.read_text() == 'keep me'

# 7. the seed setting is honoured, and the settings file in use is printed
def test_seed_setting_is_honoured_and_reported(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv('SHORTRUN_SEED', '1')
    assert train(tmp_path/'a') == 0
    err = capsys.readouterr().err
    assert 'shortrun-train: settings:' in err and 'seed = 1 (SHORTRUN_SEED)' in err
    monkeypatch.setenv('SHORTRUN_SEED', '0')
    assert train(tmp_path/'b') == 0
    a, b = read_checkpoint(tmp_path/'a'/'checkpoint.pt'), read_checkpoint(tmp_path/'b'/'checkpoint.pt')
    assert (a['config']['fit']['seed'], b['config']['fit']['seed']) == (1, 0)
    assert not all(torch.equal(a['model'][k], b['model'][k]) for k in a['model'])
    cfg = json.loads((tmp_path/'a'/'config.json').read_text())
    assert cfg['settings']['origins']['seed'] == 'SHORTRUN_SEED' and cfg['settings']['threads'] >= 1

# 9. outputs are checked before the work, and results are printed when the write fails
def test_outputs_are_checked_before_the_work(tmp_path, capsys):
    assert train(tmp_path) == 0
    capsys.readouterr()
    assert eval_main([str(tmp_path), '--long-run', '--long-steps', '3', '--out', '/proc/x.json']) == 2
    assert 'cannot write into /proc' in one_line(capsys.readouterr().err)
    assert bench_main(['cpu_srmc_digits', '--n', '1', '--warmup', '0', '--out', str(tmp_path)]) == 2
    assert 'is a folder' in one_line(capsys.readouterr().err)

def test_a_report_whose_write_fails_is_still_printed(tmp_path, capsys, monkeypatch):
    assert train(tmp_path) == 0
    capsys.readouterr()
    import shortrun_nb.cli as cli_mod
    def full(path, data): raise cli_mod.WriteError(f"could not write {path}: the disk is full")
    monkeypatch.setattr(cli_mod, 'write_atomic', full)
    assert eval_main([str(tmp_path), '--long-run', '--long-steps', '3', '--n-long', '4']) == 1
    out, err = capsys.readouterr()
    assert '"long_run"' in out and 'the disk is full' in one_line(err)

# tracebacks that reached the user: each is one line and a non-zero exit
def test_bad_runs_are_one_line(tmp_path, capsys, monkeypatch):
    assert train(tmp_path/'ok') == 0
    ck = read_checkpoint(tmp_path/'ok'/'checkpoint.pt')
    ck['config'] = [1, 2]
    torch.save(ck, tmp_path/'bad_config.pt')
    (tmp_path/'empty.npz').write_bytes(b'')
    import numpy as np
    np.savez(tmp_path/'full.npz', x=np.zeros((40, 16, 16), np.uint8))
    (tmp_path/'cut.npz').write_bytes((tmp_path/'full.npz').read_bytes()[:300])
    cases = [
        (train_main, ['toy2d', '--out', str(tmp_path/'b1'), *TINY, '--betas', '[0.9]'], 'betas must be two numbers'),
        (train_main, ['digits', '--out', str(tmp_path/'b2'), *TINY, '--n_steps', '100000000000'], 'n_steps must be at most'),
        (sample_main, ['digits', '--n-steps', '100000000000', '--out', str(tmp_path/'s.png')], 'n_steps must be at most'),
        (train_main, ['digits', '--out', str(tmp_path/'b3'), *TINY, '--name', str(tmp_path/'empty.npz')], 'could not be read as an .npz'),
        (train_main, ['digits', '--out', str(tmp_path/'b4'), *TINY, '--name', str(tmp_path/'cut.npz')], 'could not be read as an .npz'),
        (sample_main, ['text_toy', '--shards', '2', '--out', str(tmp_path/'t')], '--shards is for models of images'),
        (sample_main, [str(tmp_path/'bad_config.pt'), '--out', str(tmp_path/'s.png')], "its 'config' are not dictionaries"),
        (train_main, ['toy2d', '--out', str(tmp_path/'b5'), *TINY, '--seed', str(2**70)], 'fit.seed must be an integer in [0, '),
        (sample_main, ['digits', '--seed', str(2**70), '--out', str(tmp_path/'s.png')], '--seed must be an integer in [0, '),
    ]
    for main, argv, message in cases:
        capsys.readouterr()
        assert main(argv) != 0, argv
        assert message in one_line(capsys.readouterr().err), argv
    assert eval_main(['text_toy', '--long-run', '--n-long', '4', '--long-steps', '5', '--out', str(tmp_path/'t.json')]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith('b')) == ['bad_config.pt']   # nothing left

def test_a_log_line_that_is_not_a_record_is_named_on_resume(tmp_path, capsys):
    assert train(tmp_path) == 0
    lines = (tmp_path/'metrics.jsonl').read_text().splitlines()
    (tmp_path/'metrics.jsonl').write_text('\n'.join([lines[0], '42', *lines[1:]]) + '\n')
    capsys.readouterr()
    assert train(tmp_path, '--resume', '--n_iters', '20') == 2
    assert 'metrics.jsonl: line 2 is not a JSON record' in one_line(capsys.readouterr().err)

def test_tensorboard_missing_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch):
    import sys as _sys
    monkeypatch.setitem(_sys.modules, 'torch.utils.tensorboard', None)
    assert train(tmp_path/'tb', '--tensorboard') == 2
    assert 'needs the tensorboard package: pip install tensorboard' in one_line(capsys.readouterr().err)
    assert not (tmp_path/'tb').exists()

def test_full_disk_torch_error_names_the_file(tmp_path, capsys, monkeypatch):
    assert train(tmp_path, '--ckpt_every', '5') == 0
    def full(obj, f): raise RuntimeError('[enforce fail at inline_container.cc:664] . unexpected pos 128 vs 64')
    monkeypatch.setattr(torch, 'save', full)
    import shutil as _shutil
    monkeypatch.setattr(_shutil, 'disk_usage', lambda p: _shutil._ntuple_diskusage(100, 100, 0))
    capsys.readouterr()
    assert train(tmp_path, '--n_iters', '20', '--resume', '--ckpt_every', '5') == 1
    line = one_line(capsys.readouterr().err)
    assert f'{tmp_path}/checkpoint.pt: the disk is full' in line and 'previous version is intact' in line

def test_a_lock_of_a_dead_or_reused_pid_does_not_block(tmp_path):
    assert train(tmp_path) == 0
    for n, pid in ((15, 1), (20, os.getpid()), (25, 999999999)):   # pid 1 is alive but holds no lock
        (tmp_path/'.lock').write_text(str(pid))
        assert train(tmp_path, '--resume', '--n_iters', str(n)) == 0

def test_bad_environment_names_the_variable(tmp_path):
    r = cli('shortrun-train', 'toy2d', '--out', tmp_path/'x', '--n_iters', '5', env={'WORLD_SIZE': 'abc'})
    assert r.returncode == 2 and 'WORLD_SIZE must be an integer (torchrun sets it), got' in one_line(r.stderr)
    assert not (tmp_path/'x').exists()
