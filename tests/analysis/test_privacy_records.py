import json

import numpy as np
import pytest
from scipy import stats

from analysis import (
    cell_display,
    check_demographic_crossing,
    crosstab,
    dossier_statistics,
    mask_pii,
    rating_summary,
    satisfaction_by_on_time,
    suppress_small_cells,
)
from analysis.privacy import (
    FREE,
    HIDDEN,
    VISIBLE,
    complementary_suppression,
    recoverable_cells,
)


def test_cell_display_rules():
    small = cell_display(25, 29)
    assert small.share is None and small.small_n and not small.show_percentage and small.n == 29
    ok = cell_display(430, 500)
    assert ok.share == 0.86 and ok.wide_interval is False
    assert ok.half_width == pytest.approx((0.8877 - 0.8268) / 2, abs=1e-4)
    wide = cell_display(20, 40)
    assert wide.show_percentage and wide.wide_interval
    empty = cell_display(0, 0)
    assert empty.half_width is None and empty.share is None


def test_suppression():
    primary = suppress_small_cells([[10, 3, 20], [12, 15, 30]], secondary=False)
    assert primary.suppressed.tolist() == [[False, True, False], [False, False, False]]
    assert primary.values[0] == (10, None, 20)
    full = suppress_small_cells([[10, 3, 20], [12, 15, 30]])
    # No row or column may hold a single suppressed cell.
    for axis in (0, 1):
        assert not np.any(full.suppressed.sum(axis=axis) == 1)
    assert full.n_primary == 1 and full.n_secondary >= 1
    assert suppress_small_cells([0, 10, 10]).values == ((None, None, 10),)
    assert suppress_small_cells([[5, 6], [7, 8]]).n_primary == 0
    json.dumps(full.to_dict())


def _table_with_margins(cells: np.ndarray):
    """A 2-D table's cells, its row and column totals and the grand total as one flat list,
    with the totals that bind them: [(total, parts), ...]."""
    rows, cols = cells.shape
    n = [*cells.ravel(), *cells.sum(axis=1), *cells.sum(axis=0), int(cells.sum())]
    size = rows * cols
    totals = [(size + r, [r * cols + c for c in range(cols)]) for r in range(rows)]
    totals += [(size + rows + c, [r * cols + c for r in range(rows)]) for c in range(cols)]
    totals.append((size + rows + cols, list(range(size, size + rows))))
    return np.array(n), totals


def _recovered(n, totals, hidden) -> set[int]:
    """Independently of the module: hidden cells (n > 0) whose unit vector lies in the row
    space of the totals over the hidden cells (numpy's rank)."""
    unknown = [i for i in range(len(n)) if hidden[i] and n[i] > 0]
    column = {cell: j for j, cell in enumerate(unknown)}
    rows = []
    for total, parts in totals:
        row = np.zeros(len(unknown))
        for cell, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if cell in column:
                row[column[cell]] = sign
        if row.any():
            rows.append(row)
    matrix = np.array(rows).reshape(-1, len(unknown))
    rank = np.linalg.matrix_rank(matrix) if len(rows) else 0
    return {cell for cell in unknown
            if np.linalg.matrix_rank(np.vstack([matrix, np.eye(len(unknown))[column[cell]]]))
            == rank}


def test_complementary_hides_the_smallest_second_part():
    # total 130 = 10 + 50 + 40 + 30: the 10 is small, so the smallest other part goes too
    result = complementary_suppression([130, 10, 50, 40, 30], [(0, [1, 2, 3, 4])])
    assert result.hidden.tolist() == [False, True, False, False, True]
    assert result.n_secondary == 1 and result.unprotected == ()
    alone = complementary_suppression([130, 10, 50, 40, 30], [(0, [1, 2, 3, 4])],
                                      complementary=False)
    assert alone.hidden.tolist() == [False, True, False, False, False]
    assert alone.unprotected == (1,)  # total minus the visible parts gives it exactly
    assert recoverable_cells([130, 10, 50, 40, 30], [(0, [1, 2, 3, 4])],
                             alone.hidden).tolist() == [False, True, False, False, False]


def test_complementary_never_picks_an_empty_cell_nor_a_fixed_one():
    # the 0 cell hides nothing (k = 0 is known); the fixed 35 must stay visible
    result = complementary_suppression([110, 20, 0, 35, 55], [(0, [1, 2, 3, 4])],
                                       fixed=[VISIBLE, FREE, FREE, VISIBLE, FREE])
    assert result.hidden.tolist() == [False, True, True, False, True]
    # a hidden total (fixed by a coarser table) whose parts all show is their sum: hide one
    result = complementary_suppression([90, 30, 60], [(0, [1, 2])], fixed=[HIDDEN, FREE, FREE])
    assert result.hidden.tolist() == [True, True, False] and result.unprotected == ()


def test_exact_check_catches_what_no_single_total_shows():
    """Two hidden 2x2 blocks joined by one hidden cell: every row and column has 0 or 2+
    hidden cells, yet that cell is the sum of two rows less two columns. The local rule
    cannot see it; the exact check does, and one more cell is hidden."""
    cells = np.full((4, 4), 100)
    small = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]
    for r, c in small:
        cells[r, c] = 10
    n, totals = _table_with_margins(cells)
    margins = [VISIBLE] * (len(n) - 16)
    alone = complementary_suppression(n, totals, fixed=[FREE] * 16 + margins,
                                      complementary=False)
    assert _recovered(n, totals, alone.hidden) == {1 * 4 + 2} == set(alone.unprotected)
    result = complementary_suppression(n, totals, fixed=[FREE] * 16 + margins)
    assert result.n_secondary >= 1 and result.unprotected == ()
    assert not _recovered(n, totals, result.hidden)


def test_shared_records_count_when_the_base_units_are_given():
    """Cells of two tables that are not totals of each other can hold the same records: d
    (40) is a1 (40) again. Totals alone hide d beside the small c, which the visible a1 then
    gives away, and c with it; given the base units, d is known public and the total of c
    and d is hidden instead."""
    n = [40, 60, 10, 40, 50]  # a1, a2 | c, d and their total
    members = [[0], [1], [2], [0], [0, 2]]
    fixed = [VISIBLE, VISIBLE, FREE, FREE, FREE]
    totals = [(4, [2, 3])]
    blind = complementary_suppression(n, totals, fixed=fixed)
    assert blind.hidden.tolist() == [False, False, True, True, False]
    assert recoverable_cells(n, totals, blind.hidden, members=members).tolist() == [
        False, False, True, True, False]
    seeing = complementary_suppression(n, totals, fixed=fixed, members=members)
    assert seeing.hidden.tolist() == [False, False, True, False, True]
    assert seeing.unprotected == ()
    assert not recoverable_cells(n, totals, seeing.hidden, members=members).any()
    with pytest.raises(ValueError):
        complementary_suppression(n, totals, members=members[:3])


def test_no_hidden_cell_is_recoverable_in_random_tables(rng):
    for _ in range(60):
        rows, cols = rng.integers(2, 6, size=2)
        cells = rng.choice([0, 2, 9, 25, 31, 60, 150], size=(rows, cols))
        n, totals = _table_with_margins(cells)
        result = complementary_suppression(n, totals)
        assert result.hidden[n < 30].all()
        assert not _recovered(n, totals, result.hidden), cells
        assert result.unprotected == ()
        primary = complementary_suppression(n, totals, complementary=False)
        assert set(primary.unprotected) == _recovered(n, totals, primary.hidden)
        # the sparse iterative check agrees with the exact one, and so does the check over
        # base units (here the inner cells, each margin their sum)
        exact = recoverable_cells(n, totals, primary.hidden)
        assert (recoverable_cells(n, totals, primary.hidden, dense_limit=0) == exact).all()
        inner = [[r * cols + c] for r in range(rows) for c in range(cols)]
        members = [*inner, *([r * cols + c for c in range(cols)] for r in range(rows)),
                   *([r * cols + c for r in range(rows)] for c in range(cols)),
                   list(range(rows * cols))]
        for limit in (1500, 0):
            assert (recoverable_cells(n, totals, primary.hidden, members=members,
                                      dense_limit=limit) == exact).all()


def test_complementary_refuses_bad_input():
    with pytest.raises(ValueError):
        complementary_suppression([10, 5], [(0, [1, 2])])
    with pytest.raises(ValueError):
        complementary_suppression([10, 5], [(0, [0, 1])])
    with pytest.raises(TypeError):
        complementary_suppression([10, 5], [(0,)])
    with pytest.raises(ValueError):
        complementary_suppression([10, 5], [(0, [1])], fixed=[3, 0])
    with pytest.raises(ValueError):
        recoverable_cells([10, 5], [(0, [1])], [True])
    json.dumps(complementary_suppression([40, 10, 30], [(0, [1, 2])]).to_dict())


def test_demographic_crossing():
    check_demographic_crossing(["sex", "age_group"])
    with pytest.raises(ValueError):
        check_demographic_crossing(["sex", "age_group", "occupation"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gọi 0912 345 678 nhé", "Gọi [phone] nhé"),
        ("sđt: 0912345678.", "sđt: [phone]."),
        ("+84 91 234 5678", "[phone]"),
        ("bàn 024.3826.1234", "bàn [phone]"),
        ("CMND 123456789", "CMND [id-number]"),
        ("CCCD 001203004567", "CCCD [id-number]"),
        ("hồ sơ 000.00.12.H12-240101-0001 trễ", "hồ sơ [dossier-code] trễ"),
        ("mã H12.22-240101-0001", "mã [dossier-code]"),
        ("a.b@gmail.com", "[email]"),
        ("Phí 1.000.000.000 đồng, 15 ngày, năm 2024", "Phí 1.000.000.000 đồng, 15 ngày, năm 2024"),
        ("Cán bộ nhiệt tình", "Cán bộ nhiệt tình"),
    ],
)
def test_mask_pii(text, expected):
    assert mask_pii(text) == expected


def test_mask_pii_custom_tokens_and_type():
    assert mask_pii("0912345678", phone="***") == "***"
    with pytest.raises(TypeError):
        mask_pii(None)


def test_dossier_statistics():
    r = dossier_statistics(received=1000, carried_over=50, resolved_early=300,
                           resolved_on_time=600, resolved_late=40,
                           pending_within_deadline=100, pending_overdue=10)
    assert r.on_time_rate == 900 / 940 and r.late_rate == 40 / 940
    assert r.resolved_share == 940 / 1050 and r.overdue_share == 10 / 110
    empty = dossier_statistics(received=0, resolved_early=0, resolved_on_time=0, resolved_late=0)
    assert (empty.on_time_rate, empty.resolved_share, empty.overdue_share) == (None, None, None)
    json.dumps(empty.to_dict())
    with pytest.raises(ValueError):
        dossier_statistics(received=1, resolved_early=2, resolved_on_time=0, resolved_late=0)
    with pytest.raises(ValueError):
        dossier_statistics(received=-1, resolved_early=0, resolved_on_time=0, resolved_late=0)


def test_rating_summary():
    r = rating_summary({1: 5, 2: 30, 3: 65, 99: 2}, returned=200)
    assert r.percentages == (0.05, 0.30, 0.65)
    assert r.satisfied == 95 and r.satisfied_share == 0.95
    assert r.response_rate == pytest.approx(102 / 200)
    none = rating_summary([0, 0, 0], returned=0)
    assert none.satisfied_share is None and none.response_rate is None
    assert none.percentages == (None, None, None)
    with pytest.raises(ValueError):
        rating_summary([1, 1, 1], returned=2)


def test_satisfaction_by_on_time():
    r = satisfaction_by_on_time(90, 100, 30, 50)
    assert r.difference_points == pytest.approx(30.0)
    ref = stats.chi2_contingency([[90, 10], [30, 20]], correction=False)
    assert r.chi2 == pytest.approx(ref.statistic) and r.p_value == pytest.approx(ref.pvalue)
    assert r.warning is None
    small = satisfaction_by_on_time(3, 3, 1, 2)
    assert "expected count" in small.warning
    all_sat = satisfaction_by_on_time(10, 10, 5, 5)
    assert all_sat.p_value == 1.0 and "no variation" in all_sat.warning
    no_late = satisfaction_by_on_time(10, 10, 0, 0)
    assert no_late.difference is None and no_late.p_value is None


def test_crosstab_against_scipy(rng):
    t = rng.integers(0, 40, size=(3, 4))
    r = crosstab(t)
    ref = stats.chi2_contingency(t, correction=False)
    assert r.chi2 == pytest.approx(ref.statistic) and r.dof == ref.dof
    assert r.p_value == pytest.approx(ref.pvalue)
    assert r.cramers_v == pytest.approx(
        stats.contingency.association(t, method="cramer", correction=False))
    assert np.allclose(np.array(r.row_pct).sum(axis=1), 1.0)
    assert np.allclose(np.array(r.col_pct).sum(axis=0), 1.0)
    assert r.low_expected == int((ref.expected_freq < 5).sum())


def test_crosstab_edges():
    r = crosstab([[10, 0, 5], [0, 0, 0], [3, 0, 8]])
    assert r.shape_tested == (2, 2) and r.row_pct[1] == (None, None, None)
    assert r.col_pct[0][1] is None
    low = crosstab([[1, 2], [3, 1]])
    assert low.low_expected == 4 and "unreliable" in low.warning
    flat = crosstab([[5, 0], [7, 0]])
    assert flat.chi2 is None and flat.warning is not None
    assert crosstab([[0, 0], [0, 0]]).n == 0
    json.dumps(r.to_dict())
