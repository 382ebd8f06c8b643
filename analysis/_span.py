"""Which hidden counts the shown ones determine: exact linear algebra for the disclosure
checks of :mod:`analysis.privacy`.

A published cell's count is a linear equation in unknown counts (of hidden cells, or of the
finest groups the cells add up); a hidden cell is recoverable by differencing exactly when
its vector lies in the row space of the published equations.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import lsqr

_PRIME = 2_147_483_647  # 2^31 - 1: a product of two residues fits in an int64


def _rref(matrix) -> tuple[np.ndarray, list[int]]:
    """Reduced row echelon form modulo a large prime, and its pivot columns: exact integer
    arithmetic, so no tolerance decides what is "determined" (and no threaded BLAS call,
    which stalls on a busy machine). The rank modulo the prime equals the rational rank
    unless the prime divides every maximal minor, which matrices of small integers make
    vanishingly unlikely."""
    a = np.asarray(matrix, dtype=np.int64) % _PRIME
    rows, cols = a.shape
    pivots: list[int] = []
    for col in range(cols):
        top = len(pivots)
        if top == rows:
            break
        found = np.flatnonzero(a[top:, col])
        if not found.size:
            continue
        if found[0]:
            a[[top, top + found[0]]] = a[[top + found[0], top]]
        a[top] = a[top] * pow(int(a[top, col]), _PRIME - 2, _PRIME) % _PRIME
        others = np.flatnonzero(a[:, col])
        others = others[others != top]
        if others.size:
            a[others] = (a[others] - a[others, col][:, None] * a[top]) % _PRIME
        pivots.append(col)
    return a[:len(pivots)], pivots


def _exact_in_row_space(matrix) -> np.ndarray:
    """e_j lies in the row space iff column j is a pivot whose row has no other non-zero."""
    reduced, pivots = _rref(matrix.toarray())
    out = np.zeros(matrix.shape[1], dtype=bool)
    singles = (reduced != 0).sum(axis=1) == 1
    out[np.array(pivots, dtype=np.int64)[singles]] = True
    return out


def in_span(known, targets, dense_limit: int) -> np.ndarray:
    """Per row of `targets`: whether it is a combination of the rows of `known`."""
    cols = known.shape[1]
    if not targets.shape[0]:
        return np.zeros(0, dtype=bool)
    if cols <= dense_limit or not known.shape[0]:
        wanted = sparse.csr_matrix(targets, dtype=np.int64)
        if not known.shape[0]:
            return np.asarray((wanted != 0).sum(axis=1)).ravel() == 0
        reduced, pivots = _rref(known.toarray())
        # In reduced echelon form a combination's coefficients are the target's own entries
        # at the pivots. Those are 0 or 1 and the form's entries are below 2^31, so every
        # sum stays below 2^53: the float product is exact.
        combination = wanted[:, pivots].astype(float) @ reduced.astype(float)
        rest = (wanted.toarray() - combination.astype(np.int64)) % _PRIME
        return ~rest.any(axis=1)
    # A target in the row space is orthogonal to the null space: project random vectors
    # on it (r - A'y, y the least-squares solution of A'y = r) and test the dot products.
    rng = np.random.default_rng(0)
    transposed = sparse.csr_matrix(known.T)
    inside = np.ones(targets.shape[0], dtype=bool)
    for _ in range(2):
        r = rng.standard_normal(cols)
        y, istop = lsqr(transposed, r, atol=1e-14, btol=1e-14, iter_lim=50 * cols)[:2]
        if istop not in (0, 1, 2, 4, 5):  # not converged: the exact way, however slow
            return in_span(known, targets, cols)
        z = r - transposed @ y
        sizes = np.asarray(targets.sum(axis=1)).ravel()
        inside &= np.abs(targets @ z) < 1e-6 * np.abs(r).max() * np.maximum(sizes, 1)
    return inside


def _given_units(known) -> np.ndarray:
    """The base units whose own count the known cells give directly: a known cell holding a
    single unit once the units already given are taken out of it (repeated)."""
    given = np.zeros(known.shape[1], dtype=bool)
    while True:
        left = known[:, ~given]
        single = np.flatnonzero(np.diff(left.indptr) == 1)
        new = np.flatnonzero(~given)[left[single].indices]
        if not single.size or given[new].all():
            return given
        given[new] = True


def determined_members(n, members, hidden, dense_limit: int) -> np.ndarray:
    """Hidden cells whose count the visible ones give, each cell being the sum of base
    units (`members`, cells x units): the units' counts are the unknowns.

    The system is made smaller first without changing its answer (the general check over
    every unit took seconds on a layer of a thousand cells). A unit whose count a known cell
    gives on its own is known: it leaves every equation, as the known rows span its unit
    vector and their rows without it. A unit in no known cell is never given: a target
    holding it is undetermined. Targets holding the same units are decided once."""
    members = sparse.csr_matrix(members, dtype=np.int64, copy=True)
    members.eliminate_zeros()
    out = np.zeros(n.size, dtype=bool)
    targets = np.flatnonzero(hidden & (n > 0))
    if not targets.size:
        return out
    known = members[np.flatnonzero(~hidden | (n == 0))]
    seen = np.zeros(members.shape[1], dtype=bool)
    seen[known.indices] = True
    wanted = members[targets]
    reachable = np.diff(wanted[:, ~seen].indptr) == 0
    keep = seen & ~_given_units(known)
    known, wanted = known[:, keep], wanted[:, keep]
    known = known[np.flatnonzero(np.diff(known.indptr))]
    wanted.sort_indices()
    rows: dict[tuple[bytes, bytes], int] = {}
    first, inverse = [], np.empty(targets.size, dtype=np.int64)
    for i in range(targets.size):
        start, end = wanted.indptr[i], wanted.indptr[i + 1]
        key = (wanted.indices[start:end].tobytes(), wanted.data[start:end].tobytes())
        inverse[i] = rows.setdefault(key, len(rows))
        if inverse[i] == len(first):
            first.append(i)
    found = _blockwise_in_span(known, wanted[np.array(first, dtype=np.int64)],
                               dense_limit)[inverse]
    out[targets] = found & reachable
    return out


def _blockwise_in_span(known, targets, dense_limit: int) -> np.ndarray:
    """`in_span`, block by block: the connected components of the graph joining each unit to
    the known rows that hold it. The known rows are block-diagonal over the components, so a
    target lies in their span exactly when its part in every component lies in that
    component's span (a part of zeros trivially). A layer of many small blocks (tables of
    different years) then stays on the exact path, which a layer of more than `dense_limit`
    units as one system would leave for the iterative one."""
    rows, cols = known.shape
    if not rows or not targets.shape[0]:
        return in_span(known, targets, dense_limit)
    graph = sparse.bmat([[None, known], [known.T, None]], format="csr")
    count, labels = connected_components(graph, directed=False)
    if count == 1:
        return in_span(known, targets, dense_limit)
    row_label, col_label = labels[:rows], labels[rows:]
    targets = sparse.csc_matrix(targets)
    inside = np.ones(targets.shape[0], dtype=bool)
    order = np.argsort(col_label, kind="stable")
    bounds = np.searchsorted(col_label[order], np.arange(count + 1))
    known_by_row = sparse.csr_matrix(known)
    for label in range(count):
        columns = order[bounds[label]:bounds[label + 1]]
        if not columns.size:  # a component of one known row holding no unit: no such row
            continue
        part = sparse.csr_matrix(targets[:, columns])
        holders = np.flatnonzero(np.diff(part.indptr))
        if not holders.size:
            continue
        block = known_by_row[np.flatnonzero(row_label == label)][:, columns]
        inside[holders] &= in_span(block, part[holders], dense_limit)
    return inside


def _in_row_space(matrix, dense_limit: int) -> np.ndarray:
    """Per column j: whether the unit vector e_j lies in the row space of `matrix`, i.e.
    whether unknown j is determined by the equations."""
    rows, cols = matrix.shape
    if cols <= dense_limit:
        return _exact_in_row_space(matrix)
    # z = r - A'y with y the least-squares solution of A'y = r is r projected on the null
    # space: zero exactly at the determined unknowns, almost surely not elsewhere.
    rng = np.random.default_rng(0)
    transposed = sparse.csr_matrix(matrix.T)
    determined = np.ones(cols, dtype=bool)
    for _ in range(2):
        r = rng.standard_normal(cols)
        y, istop = lsqr(transposed, r, atol=1e-14, btol=1e-14, iter_lim=50 * cols)[:2]
        if istop not in (0, 1, 2, 4, 5):  # not converged: the exact way, however slow
            return _exact_in_row_space(matrix)
        determined &= np.abs(r - transposed @ y) < 1e-6 * np.abs(r).max()
    return determined


def determined(n: np.ndarray, cons: list, hidden: np.ndarray, dense_limit: int) -> np.ndarray:
    ids = np.flatnonzero(hidden & (n > 0))  # a hidden cell with n = 0 has k = 0: known
    index = np.full(n.size, -1, dtype=np.int64)
    index[ids] = np.arange(ids.size)
    rows = [[(index[m], 1.0 if i == 0 else -1.0) for i, m in enumerate(members) if index[m] >= 0]
            for members in cons]
    rows = [r for r in rows if r]
    parent = list(range(ids.size))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for row in rows:
        root = find(row[0][0])
        for col, _ in row[1:]:
            other = find(col)
            if other != root:
                parent[other] = root
    blocks: dict[int, list] = {}
    for row in rows:  # independent blocks of unknowns are solved apart
        blocks.setdefault(find(row[0][0]), []).append(row)
    out = np.zeros(n.size, dtype=bool)
    for block in blocks.values():
        columns = sorted({col for row in block for col, _ in row})
        local = {col: j for j, col in enumerate(columns)}
        data, r_idx, c_idx = [], [], []
        for i, row in enumerate(block):
            for col, coefficient in row:
                r_idx.append(i)
                c_idx.append(local[col])
                data.append(coefficient)
        matrix = sparse.csr_matrix((data, (r_idx, c_idx)), shape=(len(block), len(columns)))
        out[ids[np.array(columns)[_in_row_space(matrix, dense_limit)]]] = True
    return out
