"""The loss registry: every loss described once.

The advisor, the compare harness, the CLI, the plots, the integrations and the generic test battery
all read this table. An entry names its functional, module and (optionally) NumPy objective by dotted
path, so ``import losslab.registry`` imports neither the losses nor torch.

Adding a loss = one functional + one thin module + one ``LossSpec`` here (+ one objective in
``losslab.reference`` where it is pointwise in the raw score); the generic tests then cover it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# What a loss takes as (input, target); ``example_inputs`` generates matching random data.
INPUT_KINDS = {
    "regression": "prediction (N, *) float; target (N, *) float, same shape",
    "log_rate": "log-rate (N, *) float; target (N, *) non-negative counts, same shape",
    "binary_logits": "logits (N, *) float; target (N, *) in [0, 1], same shape",
    "binary_probs": "probabilities (N, *) in [0, 1]; target (N, *) in [0, 1], same shape",
    "class_logits": "logits (N, C, *) float; target (N, *) int64 class indices or (N, C, *) probabilities",
    "class_probs": "logits (N, C) float; target (N, C) probability distributions",
    "sigmoid_seg": "logits (N, C, *spatial) float; target (N, C, *spatial) binary masks",
    "softmax_seg": "logits (N, C, *spatial) float; target (N, *spatial) int64 class indices or one-hot (N, C, *spatial)",
}

TASKS = ("regression", "count_regression", "binary", "multiclass", "multilabel",
         "binary_segmentation", "multiclass_segmentation")
FAMILIES = ("regression", "classification", "overlap", "composite")


@dataclass(frozen=True)
class Param:
    """A hyper-parameter: default, admissible range or choices, one line of meaning.

    Example:
        >>> from losslab import registry
        >>> p = registry.get("huber").param("delta")
        >>> p.default, p.low, p.low_open
        (1.0, 0, True)
    """

    name: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[Any, ...] = ()
    kind: str = "float"  # float | int | bool | choice | tensor | optional_float | optional_int


@dataclass(frozen=True)
class LossSpec:
    """One registry entry. ``functional``/``module``/``objective`` are ``"package.module:attr"`` paths.

    Example:
        >>> import torch
        >>> from losslab import registry
        >>> spec = registry.get("huber")
        >>> spec.family, spec.torch_equivalent, spec.defaults()
        ('regression', 'torch.nn.HuberLoss', {'delta': 1.0, 'reduction': 'mean'})
        >>> loss = spec.build(delta=0.5)
        >>> round(float(loss(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 0.0]))), 4)
        0.4375
        >>> obj = spec.make_objective(delta=0.5)
        >>> [float(v) for v in obj.gradient([0.0, 0.0], [0.25, 2.0])]
        [0.25, 0.5]
    """

    key: str
    family: str  # regression | classification | overlap | composite
    tasks: tuple[str, ...]
    input_kind: str
    functional: str
    module: str
    summary: str
    params: tuple[Param, ...] = ()
    objective: str | None = None
    torch_equivalent: str | None = None
    convex: bool | None = None  # convex in the raw score (logit / prediction)?
    differentiable: bool = True  # differentiable everywhere?
    empty_target: str = "n/a"
    references: tuple[str, ...] = ()
    components: tuple[tuple[str, float], ...] = field(default=())  # composites: (key, default weight)

    # -- loading -------------------------------------------------------------------------------
    def load_functional(self) -> Callable[..., Any]:
        return _resolve(self.functional)

    def load_module(self) -> type:
        return _resolve(self.module)

    def build(self, **params: Any):
        """The configured ``nn.Module`` (defaults for the parameters not given)."""
        return self.load_module()(**params)

    def make_objective(self, **params: Any):
        """The configured NumPy objective (``losslab.reference``), or ``ValueError`` if it has none."""
        if self.objective is None:
            raise ValueError(f"registry: expected a loss with a NumPy objective, got {self.key!r} "
                             f"(losses with objectives: {', '.join(s.key for s in list_losses() if s.objective)})")
        import inspect

        cls = _resolve(self.objective)
        unknown = set(params) - {p.name for p in self.params}
        if unknown:
            raise ValueError(f"{self.key}: expected parameters among {[p.name for p in self.params]}, "
                             f"got {sorted(unknown)}")
        accepted = set(inspect.signature(cls).parameters)  # torch-only options (reduction, ...) are dropped
        unsupported = sorted(k for k, v in params.items()
                             if k not in accepted and k != "reduction" and v != self.param(k).default)
        if unsupported:  # e.g. ignore_index of the binary objectives: dropping it would change the loss
            raise ValueError(f"{self.key}: expected the NumPy objective's parameters {sorted(accepted)} "
                             f"(the others at their defaults), got {unsupported[0]}={params[unsupported[0]]!r}")
        return cls(**{k: v for k, v in params.items() if k in accepted})

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


def _resolve(path: str) -> Any:
    mod, _, attr = path.partition(":")
    return getattr(importlib.import_module(mod), attr)


# -- common parameters ----------------------------------------------------------------------------
def _reduction() -> Param:
    return Param("reduction", "mean", "how the elementwise loss is reduced", choices=("mean", "sum", "none"),
                 kind="choice")


_FN = "losslab.functional"
_NN = "losslab.nn"
_REF = "losslab.reference"


_EMPTY_OVERLAP = ("empty (image, class) target: loss = soft false-positive fraction Σp/n (0 iff nothing is "
                  "predicted, gradient never vanishes); empty target + empty prediction give 0")
_TVERSKY = (Param("alpha", 0.3, "Tversky weight of the false positives", low=0),
            Param("beta", 0.7, "Tversky weight of the false negatives", low=0))
_SMOOTH = Param("smooth", 1e-05, "added to numerator and denominator of the non-empty terms", low=0)
_AGGREGATE = Param("aggregate", "per_image", "statistics per image, or summed over the batch",
                   choices=("per_image", "batch"), kind="choice")
_BACKGROUND = Param("include_background", True, "keep channel 0 in the loss", kind="bool")
_DISTRIBUTED = Param("distributed", False, "all-reduce batch statistics over torch.distributed ranks", kind="bool")
_CLASS_INDEX_IGNORED = Param("ignore_index", -100, "class index whose pixels are left out", kind="int")
_ELEMENT_IGNORED = Param("ignore_index", None, "target value whose elements are left out (None: every element "
                         "counts)", kind="optional_int")
_MASK_IGNORED = Param("ignore_index", -100, "target value whose elements leave both terms", kind="int")
_CE_POS_WEIGHT = Param("pos_weight", None, "positive weight of the cross-entropy (shape (C, 1, 1) for (N, C, H, W))",
                       kind="tensor")
_EMPTY_COMPOSITE = _EMPTY_OVERLAP + "; the pixelwise term always counts"


def _overlap_pair(stem: str, cls: str, summary: str, lead: tuple[Param, ...], mid: tuple[Param, ...],
                  references: tuple[str, ...]) -> tuple[LossSpec, LossSpec]:
    """The sigmoid (binary/multi-label masks) and softmax (class-index targets) entries of one overlap loss."""
    def spec(mode: str, task: str, ignored: str) -> LossSpec:
        params = (*lead, _SMOOTH, _AGGREGATE, *mid, _BACKGROUND,
                  Param("ignore_index", -100, f"{ignored} whose pixels are left out", kind="int"),
                  Param("class_weight", None, "per-class weight of the (image, class) terms, shape (C,)",
                        kind="tensor"),
                  _reduction(), _DISTRIBUTED)
        return LossSpec(f"{mode}_{stem}", "overlap", (task,), f"{mode}_seg",
                        f"{_FN}.overlap:{mode}_{stem}_loss", f"{_NN}.overlap:{mode.capitalize()}{cls}",
                        summary, params, convex=False, empty_target=_EMPTY_OVERLAP, references=references)

    return (spec("sigmoid", "binary_segmentation", "target value"),
            spec("softmax", "multiclass_segmentation", "class index"))

_SPECS: list[LossSpec] = [
    # ---------------------------------------------------------------- regression
    LossSpec("mse", "regression", ("regression",), "regression",
             f"{_FN}.regression:mse_loss", f"{_NN}.regression:MSELoss",
             "mean squared error (y − ŷ)²", (_reduction(),), f"{_REF}.regression:SquaredError",
             "torch.nn.MSELoss", convex=True,
             references=("Gauss, Theoria motus corporum coelestium, 1809",)),
    LossSpec("mae", "regression", ("regression",), "regression",
             f"{_FN}.regression:mae_loss", f"{_NN}.regression:MAELoss",
             "mean absolute error |y − ŷ|", (_reduction(),), f"{_REF}.regression:AbsoluteError",
             "torch.nn.L1Loss", convex=True, differentiable=False,
             references=("Laplace, 1774 (least absolute deviations)",)),
    LossSpec("huber", "regression", ("regression",), "regression",
             f"{_FN}.regression:huber_loss", f"{_NN}.regression:HuberLoss",
             "quadratic within delta of the target, linear outside (robust to outliers)",
             (Param("delta", 1.0, "residual at which the loss turns linear", low=0, low_open=True), _reduction()),
             f"{_REF}.regression:Huber", "torch.nn.HuberLoss", convex=True,
             references=("Huber, Robust Estimation of a Location Parameter, 1964",)),
    LossSpec("smooth_l1", "regression", ("regression",), "regression",
             f"{_FN}.regression:smooth_l1_loss", f"{_NN}.regression:SmoothL1Loss",
             "Huber divided by beta: quadratic within beta, |r| − beta/2 outside",
             (Param("beta", 1.0, "residual at which the loss turns linear (0 gives MAE)", low=0), _reduction()),
             f"{_REF}.regression:SmoothL1", "torch.nn.SmoothL1Loss", convex=True,
             references=("Girshick, Fast R-CNN, 2015",)),
    LossSpec("log_cosh", "regression", ("regression",), "regression",
             f"{_FN}.regression:log_cosh_loss", f"{_NN}.regression:LogCoshLoss",
             "log(cosh(ŷ − y)): ≈ r²/2 near 0, ≈ |r| − log 2 far away, smooth everywhere",
             (_reduction(),), f"{_REF}.regression:LogCosh", convex=True,
             references=("Chen et al., Log Hyperbolic Cosine Loss Improves Variational Auto-Encoder, 2019",)),
    LossSpec("pinball", "regression", ("regression",), "regression",
             f"{_FN}.regression:pinball_loss", f"{_NN}.regression:PinballLoss",
             "quantile (pinball) loss max(q·r, (q − 1)·r), r = y − ŷ",
             (Param("quantile", 0.5, "the quantile q to estimate", low=0, high=1, low_open=True, high_open=True),
              _reduction()),
             f"{_REF}.regression:Pinball", convex=True, differentiable=False,
             references=("Koenker & Bassett, Regression Quantiles, 1978",)),
    LossSpec("poisson_nll", "regression", ("count_regression",), "log_rate",
             f"{_FN}.regression:poisson_nll_loss", f"{_NN}.regression:PoissonNLLLoss",
             "Poisson negative log-likelihood exp(s) − y·s of a log-rate s",
             (Param("full", False, "add the Stirling term log(y!) ≈ y log y − y + ½ log(2πy)", kind="bool"),
              _reduction()),
             f"{_REF}.regression:PoissonNLL", "torch.nn.PoissonNLLLoss(log_input=True)", convex=True,
             references=("McCullagh & Nelder, Generalized Linear Models, 1989",)),
    # ---------------------------------------------------------------- binary / multi-label
    LossSpec("sigmoid_ce", "classification", ("binary", "multilabel", "binary_segmentation"), "binary_logits",
             f"{_FN}.classification:sigmoid_cross_entropy", f"{_NN}.classification:SigmoidCrossEntropyLoss",
             "binary cross-entropy (log loss) on logits",
             (Param("pos_weight", None, "weight of the positive term (broadcast over the last dimension)",
                    kind="tensor"),
              Param("label_smoothing", 0.0, "targets y → y(1 − ε) + ε/2", low=0, high=1), _ELEMENT_IGNORED,
              _reduction()),
             f"{_REF}.classification:SigmoidCrossEntropy", "torch.nn.BCEWithLogitsLoss", convex=True,
             empty_target="every pixel counts: an empty target pushes every logit down",
             references=("Cox, The Regression Analysis of Binary Sequences, 1958",)),
    LossSpec("binary_ce_probs", "classification", ("binary", "multilabel"), "binary_probs",
             f"{_FN}.classification:binary_cross_entropy_probs", f"{_NN}.classification:BinaryCrossEntropyProbsLoss",
             "binary cross-entropy on probabilities (finite at exactly 0 and 1); prefer sigmoid_ce",
             (Param("eps", 1e-12, "guard > 0: p and 1 − p are clamped to >= eps only inside the logs",
                    low=0, high=0.5, low_open=True), _reduction()),
             None, "torch.nn.BCELoss", convex=True,
             references=("Cox, The Regression Analysis of Binary Sequences, 1958",)),
    LossSpec("sigmoid_focal", "classification", ("binary", "multilabel", "binary_segmentation"), "binary_logits",
             f"{_FN}.classification:sigmoid_focal_loss", f"{_NN}.classification:SigmoidFocalLoss",
             "focal loss −α_t (1 − p_t)^γ log p_t: down-weights easy examples",
             (Param("gamma", 2.0, "focusing parameter γ >= 0 (0 gives cross-entropy)", low=0, high=10),
              Param("alpha", 0.25, "weight of positives α in [0, 1] (negatives get 1 − α); None: no weighting",
                    low=0, high=1, kind="optional_float"),
              _ELEMENT_IGNORED, _reduction()),
             f"{_REF}.classification:SigmoidFocal", convex=False,
             empty_target="every pixel counts: an empty target pushes every logit down",
             references=("Lin et al., Focal Loss for Dense Object Detection, 2017",)),
    LossSpec("asymmetric", "classification", ("multilabel", "binary"), "binary_logits",
             f"{_FN}.classification:asymmetric_loss", f"{_NN}.classification:AsymmetricLoss",
             "asymmetric loss (ASL): separate focusing for positives and negatives, negatives shifted by clip",
             (Param("gamma_pos", 0.0, "focusing parameter for positives", low=0, high=10),
              Param("gamma_neg", 4.0, "focusing parameter for negatives", low=0, high=10),
              Param("clip", 0.05, "probability margin m: negatives use p_m = max(p − m, 0)", low=0, high=1,
                    high_open=True),
              _ELEMENT_IGNORED, _reduction()),
             f"{_REF}.classification:Asymmetric", convex=False,
             references=("Ridnik et al., Asymmetric Loss For Multi-Label Classification, 2021",)),
    # ---------------------------------------------------------------- multi-class
    LossSpec("softmax_ce", "classification", ("multiclass", "multiclass_segmentation"), "class_logits",
             f"{_FN}.classification:softmax_cross_entropy", f"{_NN}.classification:SoftmaxCrossEntropyLoss",
             "softmax cross-entropy on logits (class-index or probability targets)",
             (Param("class_weight", None, "per-class weight, shape (C,)", kind="tensor"),
              Param("ignore_index", -100, "class index whose elements are left out", kind="int"),
              Param("label_smoothing", 0.0, "targets y → y(1 − ε) + ε/C", low=0, high=1), _reduction()),
             f"{_REF}.classification:SoftmaxCrossEntropy", "torch.nn.CrossEntropyLoss", convex=True,
             references=("Bridle, Probabilistic Interpretation of Feedforward Classification Network Outputs, 1990",)),
    LossSpec("softmax_focal", "classification", ("multiclass", "multiclass_segmentation"), "class_logits",
             f"{_FN}.classification:softmax_focal_loss", f"{_NN}.classification:SoftmaxFocalLoss",
             "multi-class focal loss −α_y (1 − p_y)^γ log p_y",
             (Param("gamma", 2.0, "focusing parameter γ >= 0 (0 gives cross-entropy)", low=0, high=10),
              Param("alpha", None, "per-class weight α, shape (C,); None: no weighting", kind="tensor"),
              Param("ignore_index", -100, "class index whose elements are left out", kind="int"), _reduction()),
             f"{_REF}.classification:SoftmaxFocal", convex=False,
             references=("Lin et al., Focal Loss for Dense Object Detection, 2017",)),
    LossSpec("poly1", "classification", ("multiclass", "multiclass_segmentation"), "class_logits",
             f"{_FN}.classification:poly1_cross_entropy", f"{_NN}.classification:Poly1CrossEntropyLoss",
             "Poly-1: cross-entropy + ε(1 − p_y)",
             (Param("epsilon", 1.0, "coefficient ε of the first polynomial term (>= −1)", low=-1),
              Param("class_weight", None, "per-class weight, shape (C,)", kind="tensor"),
              Param("ignore_index", -100, "class index whose elements are left out", kind="int"),
              Param("label_smoothing", 0.0, "targets y → y(1 − ε) + ε/C", low=0, high=1), _reduction()),
             f"{_REF}.classification:Poly1", convex=None,
             references=("Leng et al., PolyLoss: A Polynomial Expansion Perspective of Classification Loss "
                         "Functions, 2022",)),
    LossSpec("kl_div", "classification", ("multiclass",), "class_probs",
             f"{_FN}.classification:softmax_kl_div", f"{_NN}.classification:SoftmaxKLDivLoss",
             "KL(target ‖ softmax(logits)) = Σ_c t_c (log t_c − log p_c), per sample",
             (Param("log_target", False, "target is given as log-probabilities", kind="bool"), _reduction()),
             f"{_REF}.classification:SoftmaxKLDiv", "torch.nn.KLDivLoss(reduction='batchmean')", convex=True,
             references=("Kullback & Leibler, On Information and Sufficiency, 1951",)),
    # ---------------------------------------------------------------- overlap (segmentation)
    # [overlap-entries] Dice family, Jaccard, Tversky, focal Tversky: a sigmoid and a softmax entry each
    *_overlap_pair("dice", "DiceLoss",
                   "soft Dice 1 − (2I + s)/(P + T + s) per image (or batch) and class; squared/log-cosh/−log forms",
                   (), (Param("squared", False, "squared denominator Σp² + Σt² (Milletari et al.)", kind="bool"),
                        Param("transform", "none", "1 − D, log(cosh(1 − D)) or −log D",
                              choices=("none", "log_cosh", "neg_log"), kind="choice")),
                   ("Milletari, Navab & Ahmadi, V-Net: Fully Convolutional Neural Networks for Volumetric "
                    "Medical Image Segmentation, 2016",
                    "Jadon, A survey of loss functions for semantic segmentation, 2020")),
    *_overlap_pair("generalized_dice", "GeneralizedDiceLoss",
                   "generalized Dice: one Dice per image with class weights 1/T², 1/T or 1",
                   (), (Param("weighting", "square", "class weights w_c = 1/T_c², 1/T_c or 1",
                              choices=("square", "simple", "uniform"), kind="choice"),),
                   ("Sudre et al., Generalised Dice overlap as a deep learning loss function for highly "
                    "unbalanced segmentations, 2017",)),
    *_overlap_pair("jaccard", "JaccardLoss",
                   "Jaccard (soft IoU) 1 − (I + s)/(P + T − I + s) per image (or batch) and class", (), (),
                   ("Rahman & Wang, Optimizing Intersection-Over-Union in Deep Neural Networks for Image "
                    "Segmentation, 2016",)),
    *_overlap_pair("tversky", "TverskyLoss",
                   "Tversky 1 − (TP + s)/(TP + α·FP + β·FN + s): alpha weighs false positives, beta false negatives",
                   _TVERSKY, (),
                   ("Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully "
                    "convolutional deep networks, 2017",)),
    *_overlap_pair("focal_tversky", "FocalTverskyLoss",
                   "focal Tversky (Tversky loss)^gamma; alpha weighs false positives, beta false negatives",
                   (*_TVERSKY, Param("gamma", 0.75, "exponent on the Tversky loss (Abraham & Khan's 1/γ with "
                                     "γ = 4/3)", low=0, low_open=True)), (),
                   ("Abraham & Khan, A Novel Focal Tversky loss function with improved Attention U-Net for "
                    "lesion segmentation, 2019",)),
    # [lovasz-entries] Lovász hinge and Lovász softmax (owner: lovasz helper)
    LossSpec("lovasz_hinge", "overlap", ("binary_segmentation", "multilabel"), "sigmoid_seg",
             f"{_FN}.lovasz:lovasz_hinge_loss", f"{_NN}.lovasz:LovaszHingeLoss",
             "Lovász hinge: the Lovász extension of the Jaccard loss (1 − IoU) at the hinge errors "
             "max(0, 1 − s·x), per image and channel",
             (Param("aggregate", "per_image", "one Jaccard set per image and channel, or per channel over the batch",
                    choices=("per_image", "batch"), kind="choice"),
              Param("class_weight", None, "per-channel weight of the channel average, shape (C,)", kind="tensor"),
              Param("ignore_index", -100, "target value whose pixels are left out", kind="int"),
              _reduction()),
             # convex in the logits: the Lovász extension of the (submodular, non-decreasing) Jaccard loss is
             # convex and non-decreasing in e >= 0, and each hinge error max(0, 1 − s·x) is convex in x
             convex=True, differentiable=False,
             empty_target="an empty mask still costs max(0, 1 + max logit): false positives are penalised "
                          "(gradient on the largest logit)",
             references=("Berman, Rannen Triki & Blaschko, The Lovász-Softmax loss: A tractable surrogate for the "
                         "optimization of the intersection-over-union measure in neural networks, CVPR 2018",
                         "Yu & Blaschko, Learning Submodular Losses with the Lovász Hinge, ICML 2015")),
    LossSpec("lovasz_softmax", "overlap", ("multiclass_segmentation",), "softmax_seg",
             f"{_FN}.lovasz:lovasz_softmax_loss", f"{_NN}.lovasz:LovaszSoftmaxLoss",
             "Lovász-softmax: the Lovász extension of each class's Jaccard loss (1 − IoU) at the softmax errors "
             "|fg − p|, averaged over classes",
             (Param("aggregate", "batch", "one Jaccard set per class over the batch, or per class and image",
                    choices=("per_image", "batch"), kind="choice"),
              Param("classes", "present", "average over the classes present in the target, or over all",
                    choices=("present", "all"), kind="choice"),
              Param("class_weight", None, "per-class weight of the class average, shape (C,)", kind="tensor"),
              Param("ignore_index", -100, "class index whose pixels are left out", kind="int"),
              _reduction()),
             # convex in the errors |fg − p| (and so in p), not in the logits: softmax is not affine
             convex=False, differentiable=False,
             empty_target="classes='present' skips a class absent from the target; classes='all' charges it "
                          "its largest probability",
             references=("Berman, Rannen Triki & Blaschko, The Lovász-Softmax loss: A tractable surrogate for the "
                         "optimization of the intersection-over-union measure in neural networks, CVPR 2018",)),
    # ---------------------------------------------------------------- compositions
    # [composite-entries] Dice + CE, Dice + focal, Tversky + CE (owner: overlap helper)
    LossSpec('sigmoid_dice_ce', 'composite', ('binary_segmentation',), 'sigmoid_seg',
             f"{_FN}.overlap:sigmoid_dice_ce_loss", f"{_NN}.compose:sigmoid_dice_ce",
             'soft Dice + binary cross-entropy',
             (Param('dice_weight', 1.0, 'weight of the Dice term', low=0),
              Param('ce_weight', 1.0, 'weight of the cross-entropy term', low=0),
              _SMOOTH, _AGGREGATE, _BACKGROUND,
              _MASK_IGNORED, _CE_POS_WEIGHT,
              _DISTRIBUTED),
             convex=False, empty_target=_EMPTY_COMPOSITE,
             references=('Isensee et al., nnU-Net, 2021', 'Milletari et al., V-Net, 2016'),
             components=(('sigmoid_dice', 1.0), ('sigmoid_ce', 1.0))),
    LossSpec('sigmoid_dice_focal', 'composite', ('binary_segmentation',), 'sigmoid_seg',
             f"{_FN}.overlap:sigmoid_dice_focal_loss", f"{_NN}.compose:sigmoid_dice_focal",
             'soft Dice + sigmoid focal loss',
             (Param('dice_weight', 1.0, 'weight of the Dice term', low=0),
              Param('focal_weight', 1.0, 'weight of the focal term', low=0),
              _SMOOTH, _AGGREGATE, _BACKGROUND, _MASK_IGNORED,
              Param('gamma', 2.0, 'focusing parameter of the focal term', low=0, high=10),
              Param('alpha', 0.25, 'positive weight of the focal term (None: no weighting)', low=0, high=1,
                    kind='optional_float'),
              _DISTRIBUTED),
             convex=False, empty_target=_EMPTY_COMPOSITE,
             references=(
                 'Zhu et al., AnatomyNet, 2019',
                 'Lin et al., Focal Loss for Dense Object Detection, 2017',
             ),
             components=(('sigmoid_dice', 1.0), ('sigmoid_focal', 1.0))),
    LossSpec('sigmoid_tversky_ce', 'composite', ('binary_segmentation',), 'sigmoid_seg',
             f"{_FN}.overlap:sigmoid_tversky_ce_loss", f"{_NN}.compose:sigmoid_tversky_ce",
             'Tversky + binary cross-entropy',
             (Param('tversky_weight', 1.0, 'weight of the Tversky term', low=0),
              Param('ce_weight', 1.0, 'weight of the cross-entropy term', low=0),
              *_TVERSKY,
              _SMOOTH, _AGGREGATE, _BACKGROUND,
              _MASK_IGNORED, _CE_POS_WEIGHT,
              _DISTRIBUTED),
             convex=False, empty_target=_EMPTY_COMPOSITE,
             references=('Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation, 2017',),
             components=(('sigmoid_tversky', 1.0), ('sigmoid_ce', 1.0))),
    LossSpec('softmax_dice_ce', 'composite', ('multiclass_segmentation',), 'softmax_seg',
             f"{_FN}.overlap:softmax_dice_ce_loss", f"{_NN}.compose:softmax_dice_ce",
             'soft Dice + softmax cross-entropy (the nnU-Net default)',
             (Param('dice_weight', 1.0, 'weight of the Dice term', low=0),
              Param('ce_weight', 1.0, 'weight of the cross-entropy term', low=0),
              _SMOOTH, _AGGREGATE, _BACKGROUND,
              _CLASS_INDEX_IGNORED,
              Param('class_weight', None, 'per-class weight (C,) of both terms', kind='tensor'),
              Param('label_smoothing', 0.0, 'label smoothing of the cross-entropy term', low=0, high=1),
              _DISTRIBUTED),
             convex=False, empty_target=_EMPTY_COMPOSITE,
             references=(
                 'Isensee et al., nnU-Net: a self-configuring method for deep learning-based biomedical image '
                 'segmentation, 2021',
             ),
             components=(('softmax_dice', 1.0), ('softmax_ce', 1.0))),
    LossSpec('softmax_dice_focal', 'composite', ('multiclass_segmentation',), 'softmax_seg',
             f"{_FN}.overlap:softmax_dice_focal_loss", f"{_NN}.compose:softmax_dice_focal",
             'soft Dice + multi-class focal loss',
             (Param('dice_weight', 1.0, 'weight of the Dice term', low=0),
              Param('focal_weight', 1.0, 'weight of the focal term', low=0),
              _SMOOTH, _AGGREGATE, _BACKGROUND,
              _CLASS_INDEX_IGNORED,
              Param('gamma', 2.0, 'focusing parameter of the focal term', low=0, high=10),
              Param('alpha', None, 'per-class weight (C,) of the focal term', kind='tensor'),
              _DISTRIBUTED),
             convex=False, empty_target=_EMPTY_COMPOSITE,
             references=(
                 'Zhu et al., AnatomyNet, 2019',
                 'Lin et al., Focal Loss for Dense Object Detection, 2017',
             ),
             components=(('softmax_dice', 1.0), ('softmax_focal', 1.0))),
    LossSpec('softmax_tversky_ce', 'composite', ('multiclass_segmentation',), 'softmax_seg',
             f"{_FN}.overlap:softmax_tversky_ce_loss", f"{_NN}.compose:softmax_tversky_ce",
             'Tversky + softmax cross-entropy',
             (Param('tversky_weight', 1.0, 'weight of the Tversky term', low=0),
              Param('ce_weight', 1.0, 'weight of the cross-entropy term', low=0),
              *_TVERSKY,
              _SMOOTH, _AGGREGATE, _BACKGROUND,
              _CLASS_INDEX_IGNORED,
              Param('class_weight', None, 'per-class weight (C,) of both terms', kind='tensor'),
              _DISTRIBUTED),
             convex=False, empty_target=_EMPTY_COMPOSITE,
             references=('Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation, 2017',),
             components=(('softmax_tversky', 1.0), ('softmax_ce', 1.0))),
]

_REGISTRY: dict[str, LossSpec] = {}


def register(spec: LossSpec) -> LossSpec:
    """Add an entry (``ValueError`` on a duplicate key or an unknown input kind).

    Example:
        >>> from losslab import registry
        >>> registry.register(registry.get("mse"))
        Traceback (most recent call last):
        ...
        ValueError: register: expected a new key, got 'mse' (already registered)
    """
    if spec.key in _REGISTRY:
        raise ValueError(f"register: expected a new key, got {spec.key!r} (already registered)")
    if spec.input_kind not in INPUT_KINDS:
        raise ValueError(f"register: expected `input_kind` one of {tuple(INPUT_KINDS)}, got {spec.input_kind!r}")
    unknown = set(spec.tasks) - set(TASKS)
    if unknown:
        raise ValueError(f"register: expected `tasks` among {TASKS}, got {sorted(unknown)}")
    _REGISTRY[spec.key] = spec
    return spec


for _spec in _SPECS:
    register(_spec)


def get(key: str) -> LossSpec:
    """The entry for ``key`` (``ValueError`` naming the known keys otherwise).

    Example:
        >>> from losslab import get
        >>> get("sigmoid_focal").references[0]
        'Lin et al., Focal Loss for Dense Object Detection, 2017'
    """
    try:
        return _REGISTRY[key]
    except (KeyError, TypeError):
        raise ValueError(f"registry: expected a loss key, one of {sorted(_REGISTRY)}, got {key!r}") from None


def list_losses(*, family: str | None = None, task: str | None = None) -> list[LossSpec]:
    """Entries in registration order, optionally filtered by family or task.

    Example:
        >>> from losslab import list_losses
        >>> [s.key for s in list_losses(family="regression")][:3]
        ['mse', 'mae', 'huber']
    """
    from ._checks import check_option

    for name, value, choices in (("family", family, FAMILIES), ("task", task, TASKS)):
        if value is not None:
            check_option("list_losses", name, value, choices)
    return [s for s in _REGISTRY.values()
            if (family is None or s.family == family) and (task is None or task in s.tasks)]


def check_params(key: str, params: dict[str, Any], fn: str | None = None) -> None:
    """Validate hyper-parameters against the entry's declared ranges (used by the modules' ``__init__``).

    Example:
        >>> from losslab import registry
        >>> registry.check_params("sigmoid_focal", {"gamma": -1.0})
        Traceback (most recent call last):
        ...
        ValueError: SigmoidFocalLoss: expected `gamma` >= 0, got -1.0
    """
    from ._checks import check_bool, check_index, check_number, check_option, fail
    from ._validation import check_weight_tensor

    spec = get(key)
    fn = fn or spec.module.rpartition(":")[2]
    if not isinstance(params, dict):
        fail(fn, "`params` to be", "a dict of hyper-parameters", type(params).__name__, TypeError)
    known = {p.name: p for p in spec.params}
    for name, value in params.items():
        p = known.get(name)
        if p is None:
            if name == "validate":
                check_bool(fn, name, value)
            continue  # other options that are not hyper-parameters (eps guards, ...)
        if p.kind == "tensor":
            if value is not None:
                check_weight_tensor(fn, name, value)
        elif p.kind == "choice":
            check_option(fn, name, value, p.choices)
        elif p.kind == "bool":
            check_bool(fn, name, value)
        elif p.kind in ("int", "optional_int"):
            check_index(fn, name, value, allow_none=p.kind == "optional_int")
        elif p.kind in ("float", "optional_float") and not (value is None and p.kind == "optional_float"):
            check_number(fn, name, value, low=p.low, high=p.high, low_open=p.low_open, high_open=p.high_open)
