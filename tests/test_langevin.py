"Statistical correctness of the Langevin chain on densities with known moments."
import torch
from shortrun_nb.core import make_rng
from shortrun_nb.langevin import langevin, init_uniform, init_gaussian
from shortrun_nb.data import GaussianMixture2D

def quad(x): return 0.5 * x.pow(2).flatten(1).sum(1)

def test_standard_gaussian_moments():
    # E(x)=|x|^2/2 is N(0, I). n = 20,000 chains x 2 dims = 40,000 draws:
    # standard error of the mean 0.005, of the variance sqrt(2/n) = 0.007.
    # The chain's own bias at s=0.1 is var = 1/(1-s^2/4) - 1 = 0.0025. Tolerances: 0.025 (mean), 0.03 (var).
    s = 0.1
    x0 = init_uniform(20_000, 2, rng=make_rng(0))
    x = langevin(quad, x0, 2_000, s**2 / 2, s, rng=make_rng(1))
    assert x.mean().abs().item() < 0.025
    assert abs(x.var().item() - 1.0) < 0.03
    # each coordinate separately, and no correlation between them
    assert (x.var(0) - 1).abs().max().item() < 0.04
    assert abs(torch.corrcoef(x.T)[0, 1].item()) < 0.03

def test_stationary_variance_matches_discrete_recursion():
    # for a large step the discretised chain has variance tau^2/(2 eta - eta^2), not 1: the test must see the difference
    eta, tau = 0.5, 1.0
    x = langevin(quad, torch.zeros(40_000, 1), 200, eta, tau, rng=make_rng(2))
    expected = tau**2 / (2*eta - eta**2)  # 1.333
    assert abs(x.var().item() - expected) < 0.04
    assert abs(x.var().item() - 1.0) > 0.2

def test_gaussian_mixture_moments():
    # overlapping components, so the chain mixes between them; exact mean and covariance from the mixture
    mix = GaussianMixture2D([[-0.3, 0.0], [0.3, 0.2]], std=0.25, weights=[0.7, 0.3])
    s = 0.04
    x0 = init_uniform(20_000, 2, rng=make_rng(3))
    x = langevin(mix.energy, x0, 3_000, s**2 / 2, s, rng=make_rng(4))
    # standard errors: mean ~0.002, covariance ~0.001; discretisation bias ~ s^2/(8 std^2) relative ~ 0.3%
    assert (x.mean(0) - mix.mean).abs().max().item() < 0.01
    assert (torch.cov(x.T) - mix.cov).abs().max().item() < 0.006

def test_short_chain_is_not_converged():
    # the defining property of short-run chains: after a few steps the moments are still those of the start
    s = 0.1
    x = langevin(quad, init_uniform(20_000, 2, rng=make_rng(5)), 5, s**2 / 2, s,
                 rng=make_rng(6))
    assert abs(x.var().item() - 1.0) > 0.5

def test_init_gaussian_std():
    z = init_gaussian(50_000, 4, std=0.5, rng=make_rng(7))
    assert abs(z.std().item() - 0.5) < 0.005
