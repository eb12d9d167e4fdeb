"""Five-category loan classification (五级分类) by days past due (R5)."""

from __future__ import annotations

from domain.terms import Classification

NORMAL = "normal"
SPECIAL_MENTION = "special_mention"
SUBSTANDARD = "substandard"
DOUBTFUL = "doubtful"
LOSS = "loss"
CLASSES = (NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS)
CLASS_NAMES = {
    NORMAL: "正常",
    SPECIAL_MENTION: "关注",
    SUBSTANDARD: "次级",
    DOUBTFUL: "可疑",
    LOSS: "损失",
}
# 不良贷款: substandard, doubtful and loss.
NON_PERFORMING = frozenset({SUBSTANDARD, DOUBTFUL, LOSS})


def classify(days_past_due: int, bounds: Classification) -> str:
    """Returns the class of a loan this many days past due, by the product's day bounds."""
    if days_past_due < 0:
        raise ValueError(f"days past due cannot be negative, not {days_past_due}")
    if days_past_due == 0:
        return NORMAL
    if days_past_due <= bounds.special_mention_days:
        return SPECIAL_MENTION
    if days_past_due <= bounds.substandard_days:
        return SUBSTANDARD
    if days_past_due <= bounds.doubtful_days:
        return DOUBTFUL
    return LOSS


def is_non_performing(loan_class: str) -> bool:
    """True for the classes that make a loan non-performing (NPL)."""
    return loan_class in NON_PERFORMING
