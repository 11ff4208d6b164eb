"""Overlap modules and the composite factories (Dice + CE, Dice + focal, Tversky + CE)."""

from __future__ import annotations

import functools

import pytest
import torch

from losslab import nn as lnn
from losslab import registry
from losslab.functional import overlap as O
from losslab.functional import (
    sigmoid_cross_entropy,
    sigmoid_focal_loss,
    softmax_cross_entropy,
    softmax_dice_loss,
    softmax_focal_loss,
)
from losslab.nn import compose

F64 = torch.float64
COMPOSITES = [s for s in registry.list_losses(family="composite")]
OVERLAP_KEYS = ["sigmoid_dice", "softmax_dice", "sigmoid_generalized_dice", "softmax_generalized_dice",
                "sigmoid_jaccard", "softmax_jaccard", "sigmoid_tversky", "softmax_tversky",
                "sigmoid_focal_tversky", "softmax_focal_tversky"]


def data(kind, seed=0, n=3, c=3, spatial=(5, 4)):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c, *spatial, generator=g, dtype=F64) * 2
    if kind == "softmax_seg":
        return x, torch.randint(0, c, (n, *spatial), generator=g)
    return x, (torch.rand(n, c, *spatial, generator=g) < 0.4).to(F64)


# ------------------------------------------------------------------------------------------ modules
@pytest.mark.parametrize("key", OVERLAP_KEYS)
def test_module_equals_functional_with_non_default_options(key):
    spec = registry.get(key)
    x, t = data(spec.input_kind, seed=1)
    opts = {"smooth": 0.5, "aggregate": "batch", "include_background": False,
            "class_weight": torch.tensor([1.0, 2.0, 0.5]), "reduction": "sum"}
    if "generalized" in key:
        opts["weighting"] = "simple"
    if "tversky" in key:
        opts.update(alpha=0.6, beta=0.4)
    if "focal" in key:
        opts["gamma"] = 1.5
    if key in ("sigmoid_dice", "softmax_dice"):
        opts.update(squared=True, transform="log_cosh")
    module = spec.build(**opts)
    assert isinstance(module, lnn.LossModule) and module.key == key
    assert module.config["smooth"] == 0.5 and "class_weight" in dict(module.named_buffers())
    torch.testing.assert_close(module(x, t), spec.load_functional()(x, t, **opts), rtol=0, atol=0)
    w = torch.rand(2, generator=torch.Generator().manual_seed(2), dtype=F64)
    if "generalized" not in key:
        torch.testing.assert_close(module(x, t, weight=w), spec.load_functional()(x, t, weight=w, **opts))


@pytest.mark.parametrize("key", OVERLAP_KEYS)
def test_module_validates_hyper_parameters(key):
    cls = registry.get(key).load_module()
    with pytest.raises(ValueError, match=f"{cls.__name__}: expected `smooth` >= 0"):
        cls(smooth=-1.0)
    with pytest.raises(ValueError, match="aggregate"):
        cls(aggregate="global")
    with pytest.raises(TypeError, match="include_background"):
        cls(include_background=1)


def test_modules_compose_with_plus_and_scalar_times():
    x, t = data("softmax_seg", seed=3)
    loss = lnn.SoftmaxDiceLoss() + 0.5 * lnn.SoftmaxCrossEntropyLoss()
    assert isinstance(loss, lnn.WeightedSum) and loss.weights == [1.0, 0.5]
    torch.testing.assert_close(loss(x, t), softmax_dice_loss(x, t) + 0.5 * softmax_cross_entropy(x, t))


# ------------------------------------------------------------------------------------------ composites
@pytest.mark.parametrize("spec", COMPOSITES, ids=lambda s: s.key)
def test_factory_builds_a_weighted_sum_equal_to_the_functional(spec):
    x, t = data(spec.input_kind, seed=4)
    module = spec.build()
    assert isinstance(module, lnn.WeightedSum)
    assert [type(m).key for m in module.terms] == [k for k, _ in spec.components]
    assert module.weights == [w for _, w in spec.components]
    torch.testing.assert_close(module(x, t), spec.load_functional()(x, t), rtol=0, atol=0)
    assert spec.load_module() is getattr(compose, spec.key)


@pytest.mark.parametrize("spec", COMPOSITES, ids=lambda s: s.key)
def test_composite_is_the_weighted_sum_of_its_components(spec):
    x, t = data(spec.input_kind, seed=5)
    weights = {p.name: 0.0 for p in spec.params if p.name.endswith("_weight") and p.name not in ("class_weight", "pos_weight")}
    names = list(weights)
    weights[names[0]], weights[names[1]] = 0.7, 1.3
    ours = spec.build(smooth=0.1, **weights)(x, t)
    first = registry.get(spec.components[0][0]).build(smooth=0.1)(x, t)
    second = registry.get(spec.components[1][0]).build()(x, t)
    torch.testing.assert_close(ours, 0.7 * first + 1.3 * second)


def test_shared_options_reach_both_terms():
    x, t = data("softmax_seg", seed=6)
    t[0, 0] = -100
    cw = torch.tensor([0.2, 1.0, 3.0], dtype=F64)
    ours = compose.softmax_dice_ce(class_weight=cw, ignore_index=-100, label_smoothing=0.1, aggregate="batch",
                                   include_background=False)(x, t)
    expected = (softmax_dice_loss(x, t, class_weight=cw, aggregate="batch", include_background=False)
                + softmax_cross_entropy(x, t, class_weight=cw, label_smoothing=0.1))
    torch.testing.assert_close(ours, expected)
    alpha = torch.tensor([0.5, 1.0, 2.0], dtype=F64)
    ours = compose.softmax_dice_focal(gamma=1.5, alpha=alpha, focal_weight=2.0)(x, t)
    torch.testing.assert_close(ours, softmax_dice_loss(x, t) + 2.0 * softmax_focal_loss(x, t, gamma=1.5, alpha=alpha))
    xs, ts = data("sigmoid_seg", seed=7)
    pw = torch.full((3, 1, 1), 2.0, dtype=F64)
    torch.testing.assert_close(compose.sigmoid_tversky_ce(alpha=0.2, beta=0.8, pos_weight=pw)(xs, ts),
                               O.sigmoid_tversky_loss(xs, ts, alpha=0.2, beta=0.8)
                               + sigmoid_cross_entropy(xs, ts, pos_weight=pw))
    torch.testing.assert_close(compose.sigmoid_dice_focal(gamma=1.0, alpha=None)(xs, ts),
                               O.sigmoid_dice_loss(xs, ts) + sigmoid_focal_loss(xs, ts, gamma=1.0, alpha=None))


@pytest.mark.parametrize("spec", COMPOSITES, ids=lambda s: s.key)
def test_composite_parameters_are_validated_by_the_registry(spec):
    first_weight = spec.params[0].name
    with pytest.raises(ValueError, match=first_weight):
        spec.build(**{first_weight: -1.0})
    with pytest.raises(ValueError, match="aggregate"):
        spec.build(aggregate="nope")
    with pytest.raises(ValueError, match=first_weight):
        spec.load_functional()(*data(spec.input_kind), **{first_weight: -1.0})


@pytest.mark.parametrize("spec", [s for s in COMPOSITES if s.key.startswith("softmax")], ids=lambda s: s.key)
def test_composite_all_ignored_batch_gives_zero_with_graph(spec):
    x, t = data("softmax_seg", seed=8)
    x.requires_grad_(True)
    value = spec.build()(x, torch.full_like(t, -100))
    value.backward()
    assert float(value.detach()) == 0.0 and torch.equal(x.grad, torch.zeros_like(x))


def test_softmax_dice_ce_equals_monai_dice_ce():
    """MONAI DiceCELoss(softmax, to_onehot_y) = Dice + CE when every class is present in every image."""
    monai_losses = pytest.importorskip("monai.losses")
    x, t = data("softmax_seg", seed=9, c=4, spatial=(6, 5))
    t.view(3, -1)[:, :4] = torch.arange(4)
    ref = monai_losses.DiceCELoss(softmax=True, to_onehot_y=True, smooth_nr=1e-5, smooth_dr=1e-5,
                                  lambda_dice=0.7, lambda_ce=1.3)(x, t.unsqueeze(1))
    torch.testing.assert_close(compose.softmax_dice_ce(dice_weight=0.7, ce_weight=1.3)(x, t), ref)


def test_sigmoid_dice_ce_equals_monai_dice_ce():
    """MONAI DiceCELoss(sigmoid) = Dice + BCE-with-logits for one channel with non-empty masks.

    (With several channels MONAI applies a softmax cross-entropy to the sigmoid logits instead of BCE.)
    """
    monai_losses = pytest.importorskip("monai.losses")
    x, t = data("sigmoid_seg", seed=10, c=1, spatial=(6, 5))
    t.view(3, 1, -1)[:, :, 0] = 1
    ref = monai_losses.DiceCELoss(sigmoid=True, smooth_nr=1e-5, smooth_dr=1e-5)(x, t)
    torch.testing.assert_close(compose.sigmoid_dice_ce()(x, t), ref)


@pytest.mark.parametrize("spec", COMPOSITES, ids=lambda s: s.key)
def test_composite_module_is_one_call_of_its_functional(spec, monkeypatch):
    """The factory's module calls the fused functional once, with its current weights; a term option the
    functional cannot express (or shared options set apart) falls back to the plain sum of the terms."""
    x, t = data(spec.input_kind, seed=11)
    module = spec.build()
    assert isinstance(module, compose.CompositeLoss) and isinstance(module, lnn.WeightedSum)
    assert module.key == spec.key and f"key={spec.key!r}" in repr(module)
    calls = []
    function = module._function
    monkeypatch.setattr(module, "_function", lambda *a, **k: calls.append(k) or function(*a, **k))
    module.weights[1] = 0.25
    value = module(x, t)
    assert len(calls) == 1 and calls[0][module.weight_names[1]] == 0.25
    apart = module.weights[0] * module.terms[0](x, t) + 0.25 * module.terms[1](x, t)
    torch.testing.assert_close(value, apart, rtol=1e-12, atol=1e-12)

    module.terms[0].reduction = "sum"  # the composite's functional has no such option: the plain sum
    assert module.fused_kwargs() is None
    value = module(x, t)
    assert len(calls) == 1
    torch.testing.assert_close(value, module.weights[0] * module.terms[0](x, t) + 0.25 * module.terms[1](x, t))
    module.terms[0].reduction = "mean"
    module.terms[1].validate = False  # a shared option set apart: the plain sum
    assert module.fused_kwargs() is None
    module.terms[1].validate = True
    assert module.fused_kwargs() is not None


@pytest.mark.parametrize("factory", [compose.sigmoid_dice_ce, compose.sigmoid_tversky_ce, compose.sigmoid_dice_focal])
def test_sigmoid_composite_ignored_elements_leave_both_terms(factory):
    """``ignore_index`` elements give the same loss as cropping them out (here: whole images), fused or as
    the plain sum of the two modules."""
    x, t = data("sigmoid_seg", seed=12)
    pw = torch.tensor([1.0, 2.0, 0.5], dtype=F64).view(3, 1, 1)
    if factory is compose.sigmoid_dice_focal:  # no pos_weight: a focal option instead
        factory, pw = functools.partial(factory, alpha=0.3, gamma=1.5), None
    masked = t.clone()
    masked[1] = -1
    extra = {} if pw is None else {"pos_weight": pw}
    module = factory(ignore_index=-1, aggregate="batch", **extra)
    cropped = factory(aggregate="batch", **extra)(x[[0, 2]], t[[0, 2]])
    torch.testing.assert_close(module(x, masked), cropped)
    module.terms[1].validate = False  # the plain sum of the two modules: the same ignore rule in both terms
    assert module.fused_kwargs() is None
    torch.testing.assert_close(module(x, masked), cropped)


def test_terms_of_different_shapes_are_an_error_not_a_broadcast():
    from losslab.nn import SigmoidCrossEntropyLoss, SigmoidDiceLoss

    x, y = torch.randn(2, 3, 4, 4), (torch.rand(2, 3, 4, 4) > 0.5).float()
    loss = SigmoidDiceLoss(reduction="none") + SigmoidCrossEntropyLoss(reduction="none")
    with pytest.raises(ValueError, match=r"WeightedSum: expected every term's loss of one shape .*\(2, 3\), \(2, 3, 4, 4\)"):
        loss(x, y)
    mixed = SigmoidDiceLoss(reduction="none") + SigmoidCrossEntropyLoss()  # (N, C) + scalar: no silent broadcast
    with pytest.raises(ValueError, match="one shape"):
        mixed(x, y)


@pytest.mark.parametrize("terms, exc, message", [
    (None, TypeError, "`terms` to be a list of modules or \\(weight, module\\) pairs, got NoneType"),
    ("abc", TypeError, "`terms` to be a list"),
    ([(1.0,)], ValueError, "a \\(weight, module\\) pair, got 1 item"),
    ([(1.0, 2.0, 3.0)], ValueError, "got 3 item"),
])
def test_weighted_sum_terms_are_checked(terms, exc, message):
    from losslab.nn import WeightedSum

    with pytest.raises(exc, match=message):
        WeightedSum(terms)


@pytest.mark.parametrize("name, kwargs", [
    ("sigmoid_dice_focal_loss", {"gamma": -1.0}),
    ("sigmoid_dice_ce_loss", {"smooth": -1.0}),
    ("sigmoid_tversky_ce_loss", {"alpha": -1.0}),
    ("softmax_dice_ce_loss", {"label_smoothing": 2.0}),
    ("softmax_dice_focal_loss", {"gamma": -1.0}),
    ("softmax_tversky_ce_loss", {"beta": -1.0}),
])
def test_composite_errors_name_the_composite(name, kwargs):
    """A bad option of one term is reported under the function the user called (it named the term's)."""
    from losslab import functional

    fn = getattr(functional, name)
    x = torch.randn(2, 3, 4, 4)
    y = (torch.rand(2, 3, 4, 4) > 0.5).float() if name.startswith("sigmoid") else torch.randint(0, 3, (2, 4, 4))
    with pytest.raises(ValueError, match=f"^{name}: expected `{next(iter(kwargs))}`"):
        fn(x, y, **kwargs)
    with pytest.raises(TypeError, match=f"^{name}: expected `logits` dtype"):
        fn(x.long(), y)
