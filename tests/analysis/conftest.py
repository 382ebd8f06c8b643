import numpy as np
import pytest


def _expand(counts):
    return np.repeat(np.arange(1, len(counts) + 1), np.asarray(counts, dtype=int))


@pytest.fixture
def rng():
    return np.random.default_rng(20240101)


@pytest.fixture(scope="session")
def expand():
    """Raw 1..K codes from a frequency table (index 0 = code 1)."""
    return _expand
