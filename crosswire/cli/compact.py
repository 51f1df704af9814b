"""``crosswire compact``: rewrite stored sentence vectors in the store's compact format.

New rows are written compact as they come (store/vectors.py); rows stored before are read as
they are, float32, and stay so until this rewrites them, in batches of their own transactions,
so an ingest or a server beside it waits for one batch at most and a stopped run is finished by
running it again. SQLite keeps the freed pages for later writes: ``--vacuum`` gives them back.
"""
from __future__ import annotations

import sqlite3

import click

from crosswire.cli.common import EXIT_NOTHING, EXIT_USAGE, StatusLine, db_option, fail, open_store
from crosswire.store.sqlite import StoreError
from crosswire.store.vectors import NAMES


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(list(NAMES)), default=None,
              help="the store's format for sentence vectors from now on (default: keep its setting)")
@click.option("--vacuum", is_flag=True, help="then give the freed space back (rewrites the file; needs as much free disk)")
def compact(db: str, fmt: str | None, vacuum: bool) -> None:
    """Rewrite every stored article's sentence vectors in the store's format (float16 unless set)."""
    with open_store(db, create=False) as store:
        status = StatusLine()
        try:
            if fmt is not None:
                store.set_vector_format(fmt)
            total = store.recode_all_vectors(lambda n: status.update(f"crosswire: rewrote {n} articles' vectors ..."))
            if vacuum:
                store.vacuum()
        except (StoreError, sqlite3.Error) as err:  # the batches committed so far stay rewritten
            raise fail(str(err) if isinstance(err, StoreError) else f"{db}: {err}", EXIT_NOTHING)
        except ValueError as err:
            raise fail(str(err), EXIT_USAGE)
        finally:
            status.clear()
        click.echo(f"{total} article(s) rewritten as {store.vector_format()}")
