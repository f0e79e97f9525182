"No run lost, no traceback: run folders, signals, torn logs, bad input, resume rules (issue 12, each numbered case)."
import json, os, signal
from pathlib import Path
import pytest, torch
from conftest import cli, start_training
from shortrun_nb.core import make_rng, read_checkpoint
from shortrun_nb.fit import RunFolder, fit
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
    assert 'metrics.jsonl: line 2 is not valid JSON' in one_line(capsys.readouterr().err)

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
    RunFolder(tmp_path).release()
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
