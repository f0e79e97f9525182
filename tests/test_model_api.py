"One model API (issue 21): one loader, self-describing models, one generator view for both learners."
import pytest, torch
from shortrun_nb.core import build, load, make_rng, read_checkpoint, shipped_models
from shortrun_nb.diagnostics import long_run, long_run_report
from shortrun_nb.fit import fit
from shortrun_nb.inference import interpolate, interpolation_grid
from shortrun_nb.langevin import Chain
from shortrun_nb.latent import LatentEBM
from shortrun_nb.nets import ConvEnergy, MLPEnergy, MLPGenerator
from shortrun_nb.presets import build_run
from shortrun_nb.shortrun import ShortRunEBM

def trained(tmp_path, preset='digits', **ov):
    cfg, model, data = build_run(preset, {'n_iters': 6, 'log_every': 3, 'ema': 0.5, **ov}, device='cpu')
    fit(model, data, **cfg['fit'], out_dir=tmp_path, config=cfg, progress=False)
    return model

def weights(m): return {k: v.clone() for k, v in m.state_dict().items()}

@pytest.mark.parametrize('preset', ['digits', 'lebm_digits'])
def test_every_public_path_loads_the_weight_average(tmp_path, preset):
    model = trained(tmp_path, preset, **({'n_steps': 2} if preset == 'digits' else {'post_chain.n_steps': 2,
                                                                                     'prior_chain.n_steps': 2}))
    ema = read_checkpoint(tmp_path/'checkpoint.pt')['ema']
    cls = type(model)
    for m in (load(tmp_path), load(tmp_path/'checkpoint.pt'), cls.from_pretrained(tmp_path/'checkpoint.pt')):
        assert all(torch.equal(m.state_dict()[k], v) for k, v in ema.items())
        assert all(torch.equal(m.state_dict()[k], v) for k, v in model.state_dict().items())   # fit left the average
    load(tmp_path).save_pretrained(tmp_path/'export.pt')
    assert all(torch.equal(load(tmp_path/'export.pt').state_dict()[k], v) for k, v in ema.items())
    assert load(tmp_path/'export.pt').run_info['iteration'] == 6

def test_a_fit_checkpoint_without_a_config_loads(tmp_path):
    torch.manual_seed(0)
    model = ShortRunEBM(ConvEnergy(in_channels=1, n_f=8, img_size=16), chain=Chain(3, 1.0, 0.01))
    data = [torch.rand(8, 1, 16, 16) * 2 - 1]
    fit(model, data, 4, out_dir=tmp_path, log_every=2, progress=False)          # no config= given
    again = load(tmp_path)
    assert type(again) is ShortRunEBM and again.chain == model.chain
    assert all(torch.equal(again.state_dict()[k], v) for k, v in model.state_dict().items())

def test_a_model_that_cannot_describe_itself_still_trains_and_loads_with_model(tmp_path, caplog):
    model = ShortRunEBM(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 1), torch.nn.Flatten(0)),
                        chain=Chain(2, 0.1, 0.01), sample_shape=(4,))
    fit(model, [torch.randn(8, 4) * 0.3], 2, out_dir=tmp_path, log_every=1, progress=False)
    assert 'checkpoints will hold weights only' in caplog.text
    with pytest.raises(ValueError, match='pass the model to load them into'): load(tmp_path)
    twin = ShortRunEBM(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 1), torch.nn.Flatten(0)),
                       chain=Chain(2, 0.1, 0.01), sample_shape=(4,))
    assert torch.equal(load(tmp_path, model=twin).energy[1].weight, model.energy[1].weight)

def small_learners():
    torch.manual_seed(0)
    srmc = ShortRunEBM(ConvEnergy(in_channels=1, n_f=8, img_size=16), chain=Chain(4, 1.0, 0.01, bounds=(-1, 1)))
    lebm = LatentEBM(MLPEnergy(4, hidden=16), MLPGenerator(4, (1, 16, 16), hidden=16), 4,
                     prior_chain=Chain.textbook(4, 0.4), post_chain=Chain.textbook(3, 0.1))
    return {'srmc': srmc, 'lebm': lebm}

@pytest.mark.parametrize('kind', ['srmc', 'lebm'])
def test_both_learners_share_one_generator_view(kind):
    m = small_learners()[kind]
    x = torch.rand(3, 1, 16, 16, generator=make_rng(0)) * 2 - 1
    # the same calls, with the same signatures, for both learners
    assert m.sample(5, rng=make_rng(1)).shape == (5, 1, 16, 16)
    assert torch.equal(m.sample(5, rng=make_rng(1)), m.sample(5, rng=make_rng(1)))
    assert interpolation_grid(m, 2, 3, rng=make_rng(2)).shape == (6, 1, 16, 16)
    a, b = m.init_noise(2, make_rng(3)).split(1)
    assert interpolate(m, a, b, 4, path='slerp', rng=make_rng(4)).shape == (4, 1, 16, 16)
    x_hat, code = m.reconstruct(x, rng=make_rng(5))
    assert x_hat.shape == x.shape and len(code) == 3
    lr = long_run(m, 4, 12, snapshots=(4,), rng=make_rng(6))
    assert len(lr['energy']) == 12 and set(lr['states']) == {4, 12}
    rep = long_run_report(m, n=4, n_steps=12, rng=make_rng(7))
    assert rep['trained_steps'] == 4 and {'short_energy', 'long_energy', 'long_saturation'} <= set(rep)
    assert build(m.config).config == m.config                       # it describes itself

def test_shipped_models_load_by_name_and_describe_themselves():
    for name in shipped_models():
        m = load(name)
        assert m.run_info['iteration'] > 0 and build(m.config).config == m.config
