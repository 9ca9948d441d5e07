"""Importing many files in one run (`python -m lib.cli import FILE...`, a week of trend files). Each file is
still its own all-or-nothing import, committed in the order given; but reading and parsing the next files
(pure CPU, no database) runs in a second process while this one resolves and commits the current one, so a
run of small files uses both cores instead of one.

The worker is forked (it inherits the loaded modules, the saved profiles and the clock) and never touches
the database: it only turns bytes into a `Parsed`. Resolving against the stored sessions stays here, after
the files before it were committed (a session list and its trend files can come in one run). A file that
runs out of memory (in the worker or here) is refused with `out_of_memory` and the run goes on, as when
the worker dies.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sqlalchemy import Engine

from lib.core.db import forget_engines_after_fork
from lib.importing import other_kinds
from lib.importing.pipeline import ImportReport, Parsed, import_prepared, parse_bytes, refused_file, resolve
from lib.importing.profiles import Profile
from lib.importing.readers import ReadError
from lib.importing.saved_profiles import all_profiles

AHEAD = 2  # files parsed ahead of the one being committed (bounds memory: a file may be 50 MB)

# (file name, its bytes or why they could not be read)
Source = tuple[str, bytes | OSError | ReadError]
# (file name, its report (another domain's for its kind), or the OSError that kept it from being read)
Outcome = tuple[str, ImportReport | other_kinds.Report | OSError]


def parallel_possible() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def import_many(
    engine: Engine,
    sources: Iterable[Source],
    username: str | None = None,
    kind: str | None = None,
    profile: str | None = None,
    dry_run: bool = False,
    parallel: bool = True,
) -> Iterator[Outcome]:
    """Import each source in order and yield its outcome as soon as it is committed (or refused)."""
    profiles = all_profiles(engine)
    pool = None
    if parallel and parallel_possible():
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=forget_engines_after_fork,
            initargs=(engine,),
        )
    args = (kind, profile, profiles)
    queue: deque[tuple[str, bytes | OSError | ReadError, Future | Parsed | ReadError | None]] = deque()
    try:
        for name, data in sources:
            queue.append((name, data, _start(pool, name, data, args)))
            if len(queue) > AHEAD:
                yield _finish(engine, *queue.popleft(), args, username, dry_run)
        while queue:
            yield _finish(engine, *queue.popleft(), args, username, dry_run)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _start(
    pool: ProcessPoolExecutor | None,
    name: str,
    data: bytes | OSError | ReadError,
    args: tuple[str | None, str | None, list[Profile]],
) -> Future | Parsed | ReadError | None:
    if not isinstance(data, bytes):
        return None
    if pool is not None:
        try:
            return pool.submit(parse_bytes, data, name, *args, others=True)
        except BrokenProcessPool:  # the worker died earlier: parse the rest here
            pass
    return _parse_here(data, name, args)


def _parse_here(
    data: bytes, name: str, args: tuple[str | None, str | None, list[Profile]]
) -> Parsed | ReadError:
    try:
        return parse_bytes(data, name, *args, others=True)
    except MemoryError:  # this file is refused; the next ones may fit
        return ReadError("out_of_memory")


def _finish(
    engine: Engine,
    name: str,
    data: bytes | OSError | ReadError,
    started: Future | Parsed | ReadError | None,
    args: tuple[str | None, str | None, list[Profile]],
    username: str | None,
    dry_run: bool,
) -> Outcome:
    if isinstance(data, OSError):
        return name, data
    if isinstance(data, bytes) and isinstance(started, Future):
        try:
            started = started.result()
        except BrokenProcessPool:  # the worker died (e.g. killed for memory): parse here instead
            started = _parse_here(data, name, args)
        except MemoryError:  # raised in the worker and passed back: refuse the file, go on
            started = ReadError("out_of_memory")
    refusal = data if isinstance(data, ReadError) else started
    if isinstance(refusal, ReadError):
        return name, _refused(name, refusal, dry_run)
    assert isinstance(started, Parsed)
    if started.other is not None:  # e.g. a schedule (排期表): its own domain's importer
        assert isinstance(data, bytes)
        return name, other_kinds.KINDS[started.other].run(engine, data, name, username, dry_run)
    try:
        result, plan = resolve(engine, started)
        return name, import_prepared(engine, result, plan, username, dry_run, None)
    except MemoryError:  # a commit in progress was rolled back with its transaction
        return name, _refused(name, ReadError("out_of_memory"), dry_run)


def _refused(name: str, error: ReadError, dry_run: bool) -> ImportReport:
    report = refused_file(name, error)
    report.dry_run = dry_run
    return report
