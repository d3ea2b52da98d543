"""Pure: a usage policy in words (Chinese, as listings and the console show it)."""

from __future__ import annotations

from exchange.trading.policies.terms import (
    ACCESS_LABELS,
    PERIOD_LABELS,
    PROHIBITION_LABELS,
    PURPOSE_LABELS,
    UsagePolicy,
)


def describe(policy: UsagePolicy) -> list[str]:
    """One line per clause, e.g. "使用目的：信贷评估、风险控制"."""
    lines = [f"交付方式：{ACCESS_LABELS[policy.access]}"]
    if policy.purposes is not None:
        lines.append("使用目的：" + "、".join(PURPOSE_LABELS[p] for p in policy.purposes))
    if policy.territories is not None:
        lines.append("使用地域：" + "、".join(policy.territories))
    if policy.quota is not None:
        period = PERIOD_LABELS[policy.quota.period]
        unit = "次计算" if policy.compute is not None else "次"
        lines.append(f"使用次数：{period}至多 {policy.quota.limit} {unit}")
    lines += [PROHIBITION_LABELS[p] for p in policy.prohibitions]
    if policy.attribution is not None:
        lines.append(f"署名义务：{policy.attribution}")
    if policy.delete_at_expiry:
        lines.append("到期删除：许可到期后删除所获数据并确认")
    if policy.compute is not None:
        c = policy.compute
        if c.dimensions:
            lines.append("可分组维度：" + "、".join(c.dimensions))
        if c.measures:
            lines.append("可计算指标：" + "、".join(sorted(c.measures)))
        lines.append(f"小单元格抑制：少于 {c.k_threshold} 条记录的单元格不予发布")
        lines.append(
            f"差分隐私预算：每次查询 ε={c.epsilon_per_query:g}，总预算 ε={c.epsilon_budget:g}"
        )
    if policy.negotiable is not None:
        lines.append("可协商调整：目的、地域、次数或隐私预算（在卖方允许范围内）")
    return lines
