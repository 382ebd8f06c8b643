"""A progress bar for long commands: on a terminal only, on standard error.

Services report `progress(done, total)`; `bar(label)` turns that into click's progress bar
when standard error is a terminal, and into nothing at all when it is not (a pipe, a log, a
cron job), so scripts that read the output see what they saw before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


@contextmanager
def bar(label: str) -> Iterator[Callable[[int, int], None]]:
    stream = sys.stderr  # what click's runner swaps in tests
    if not stream.isatty():
        yield lambda done, total: None
        return
    shown = None

    def update(done: int, total: int) -> None:
        nonlocal shown
        if shown is None or shown.length != max(total, 1):  # a new phase: a new bar
            if shown is not None:
                shown.__exit__(None, None, None)
            shown = click.progressbar(length=max(total, 1), label=label, file=stream,
                                      show_pos=True, show_percent=True, show_eta=True)
            shown.__enter__()
        if done > shown.pos:
            shown.update(done - shown.pos)

    try:
        yield update
    finally:
        if shown is not None:
            shown.__exit__(None, None, None)
