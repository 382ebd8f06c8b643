"""SQLite must take several writers at once: WAL, busy timeout, foreign keys, BEGIN IMMEDIATE."""

import threading
import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from survey.database import BUSY_TIMEOUT_MS, begin_write
from survey.extensions import db
from survey.models import Response
from tests import factories


def test_sqlite_pragmas(ctx):
    pragma = lambda name: db.session.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == BUSY_TIMEOUT_MS


def test_concurrent_read_then_write_transactions_do_not_fail(app):
    """Each thread reads, then writes, in one transaction: the pattern that fails with a
    deferred BEGIN in WAL mode ("database is locked") when another writer commits between."""
    with app.app_context():
        v, u = factories.version(), factories.unit()
        db.session.commit()
        version_id, unit_id = v.id, u.id

    errors: list[BaseException] = []
    per_thread, threads = 25, 6
    barrier = threading.Barrier(threads)

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(per_thread):
                    begin_write()
                    db.session.execute(db.select(db.func.count()).select_from(Response)).scalar()
                    at = datetime.now(UTC)
                    db.session.add(
                        Response(uuid=uuid.uuid4(), version_id=version_id, unit_id=unit_id,
                                 channel="kiosk", submitted_at=at, year=at.year, month=at.month)
                    )
                    db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    with app.app_context():
        count = db.session.execute(db.select(db.func.count()).select_from(Response)).scalar()
    assert count == per_thread * threads


def _try_lock(path: str, answer) -> None:
    """In another process: can it take the writers' lock without waiting?"""
    import fcntl
    import os

    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        answer.put("free")
    except BlockingIOError:
        answer.put("held")
    finally:
        os.close(fd)


def test_writers_queue_on_an_os_lock_that_other_processes_respect(ctx):
    """write_turn holds a lock another process must wait for, and drops it on leaving."""
    import multiprocessing

    from survey.database import write_turn

    path = db.engine.url.database + ".writers"
    spawn = multiprocessing.get_context("spawn")
    answer = spawn.Queue()

    def other_process() -> str:
        child = spawn.Process(target=_try_lock, args=(path, answer))
        child.start()
        child.join(30)
        return answer.get(timeout=5)

    with write_turn():
        assert other_process() == "held"
    assert other_process() == "free"


def test_write_turn_is_released_when_the_transaction_fails(app):
    from survey.database import write_turn

    with app.app_context():
        try:
            with write_turn():
                raise RuntimeError("insert failed")
        except RuntimeError:
            pass
    done = threading.Event()

    def again():
        with app.app_context(), write_turn():
            done.set()

    thread = threading.Thread(target=again)
    thread.start()
    thread.join(5)
    assert done.is_set()


def test_write_turns_checkpoint_the_wal_after_letting_the_next_writer_in(ctx, monkeypatch):
    """SQLite's own checkpoint would run inside the committing writer's turn (a safety net
    now, at a higher mark); every CHECKPOINT_EVERY-th turn checkpoints once the lock is free."""
    import fcntl
    import os

    from survey import database

    assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == \
        database.AUTO_CHECKPOINT_PAGES
    monkeypatch.setattr(database, "CHECKPOINT_EVERY", 10)
    lock_path = db.engine.url.database + ".writers"
    checkpoints = []
    original = database._checkpoint

    def checkpoint(engine):
        other = os.open(lock_path, os.O_RDWR)  # another open file: flock conflicts with ours
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if the turn is held
            fcntl.flock(other, fcntl.LOCK_UN)
        finally:
            os.close(other)
        original(engine)
        checkpoints.append(db.session.execute(text("PRAGMA wal_checkpoint(PASSIVE)")).one())

    monkeypatch.setattr(database, "_checkpoint", checkpoint)
    v, u = factories.version(), factories.unit()
    db.session.commit()
    for _ in range(30):
        with database.write_turn():
            begin_write()
            at = datetime.now(UTC)
            db.session.add(Response(uuid=uuid.uuid4(), version_id=v.id, unit_id=u.id,
                                    channel="web", submitted_at=at, year=at.year,
                                    month=at.month, received_at=at))
            db.session.commit()
    assert len(checkpoints) == 3
    # (busy, frames in the WAL, frames copied): the checkpoint left nothing behind
    assert all(busy == 0 and log == copied for busy, log, copied in checkpoints)


def test_a_read_only_disk_makes_waits_short(tmp_path):
    """On a read-only filesystem nobody can release a lock, so a connection must not wait the
    full busy timeout: the workers would be held 30 s per request (the health check starved
    behind them after a restart on a read-only disk)."""
    import os
    import subprocess
    import sys

    import pytest
    from sqlalchemy import create_engine

    from survey.database import READ_ONLY_BUSY_TIMEOUT_MS, configure_engine
    from tests.reliability.faults import Tmpfs, mount_unavailable_reason

    reason = mount_unavailable_reason(tmp_path)
    if reason:
        pytest.skip(reason)
    with Tmpfs(tmp_path / "disk", megabytes=4) as disk:
        # A process that dies without closing leaves the WAL and its index behind, as a killed
        # worker does (a clean close would remove them, and SQLite could not open it then).
        subprocess.run([sys.executable, "-c", (
            "import os, sqlite3; c = sqlite3.connect(os.environ['DB']); "
            "c.execute('PRAGMA journal_mode = WAL'); c.execute('CREATE TABLE t (x)'); "
            "c.commit(); os._exit(0)")], env={**os.environ, "DB": str(disk.path / "x.db")},
            check=True)
        disk.read_only()
        engine = create_engine(f"sqlite:///{disk.path / 'x.db'}")
        configure_engine(engine)
        try:
            with engine.connect() as connection:
                busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        finally:
            engine.dispose()
            disk.writable()
        assert busy == READ_ONLY_BUSY_TIMEOUT_MS
        engine = create_engine(f"sqlite:///{disk.path / 'x.db'}")
        configure_engine(engine)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
        engine.dispose()
