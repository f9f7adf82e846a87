"""A child's row in a parent's view says what its own view says of each indicator's total."""

from __future__ import annotations

from danvan.contracts.reporting import INDICATORS
from services.reporting.figures import child_figures, figures
from services.reporting.sums import UnitSums


def sums(amounts: dict[str, int]) -> UnitSums:
    found = UnitSums()
    for indicator, amount in amounts.items():
        found.amounts[indicator][""] = amount
    return found


def test_each_childs_row_has_the_amount_previous_and_percent_of_its_full_figure() -> None:
    ratios = [i for i in INDICATORS.values() if i.numerator is not None]
    assert ratios, "the test needs a ratio indicator"
    now = sums({code: 7 + index for index, code in enumerate(INDICATORS)})
    before = sums({code: 5 + 2 * index for index, code in enumerate(INDICATORS)})
    # One ratio whose denominator was nothing last year: no percent, no previous.
    first = ratios[0]
    assert first.denominator is not None
    before.amounts[first.denominator][""] = 0

    rows = child_figures(now, before)

    full = {f.indicator: f for f in figures(now, before, breakdown=False)}
    assert set(rows) == set(full)
    for code, figure in full.items():
        row = rows[code]
        assert (row.amount, row.previous, row.percent) == (
            figure.amount,
            figure.change.previous,
            figure.change.percent,
        ), code
    assert rows[first.code].previous is None
