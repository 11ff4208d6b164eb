"""Registry invariants."""

import pytest

from losslab import registry


def test_keys_unique_and_lookups_work():
    keys = [s.key for s in registry.list_losses()]
    assert len(keys) == len(set(keys))
    assert registry.get("mse").family == "regression"
    assert all("multiclass" in s.tasks for s in registry.list_losses(task="multiclass"))


def test_unknown_key_lists_known_ones():
    with pytest.raises(ValueError, match=r"registry: expected a loss key, one of .*'mse'.*got 'nope'"):
        registry.get("nope")


def test_register_rejects_duplicates_and_unknown_kinds():
    spec = registry.get("mse")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(spec)


def test_objective_less_entry_says_which_have_one():
    with pytest.raises(ValueError, match="losses with objectives: .*mse"):
        registry.get("binary_ce_probs").make_objective()


def test_issue_2_losses_are_all_registered():
    expected = {"mse", "mae", "huber", "smooth_l1", "log_cosh", "pinball", "poisson_nll", "sigmoid_ce",
                "binary_ce_probs", "sigmoid_focal", "asymmetric", "softmax_ce", "softmax_focal", "poly1", "kl_div"}
    assert expected <= {s.key for s in registry.list_losses()}


def test_families_are_the_declared_ones_and_filters_are_checked():
    assert {s.family for s in registry.list_losses()} == set(registry.FAMILIES)
    for kw in ({"family": "nope"}, {"task": "nope"}, {"task": 1}):
        with pytest.raises(ValueError, match=f"list_losses: expected `{next(iter(kw))}` one of"):
            registry.list_losses(**kw)


@pytest.mark.parametrize("key", ["sigmoid_ce", "sigmoid_focal", "asymmetric"])
def test_objective_refuses_a_parameter_it_cannot_honour(key):
    """The NumPy binary objectives have no ``ignore_index``: dropping a non-default one would silently train
    on the rows it should leave out (torch-only ``reduction`` is still dropped)."""
    spec = registry.get(key)
    assert spec.make_objective(ignore_index=None, reduction="sum") is not None
    with pytest.raises(ValueError, match=f"{key}: expected the NumPy objective's parameters .* got ignore_index=-1"):
        spec.make_objective(ignore_index=-1)
