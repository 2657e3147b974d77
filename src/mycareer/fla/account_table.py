"""A training account as the command's table shows it: :func:`account_table_text`.

One rule for the table, used by the command and, in a run reduced bucket by bucket of
workers (:mod:`mycareer.account_reduce`), where each account's ledger is made: each
account's block is aligned on its own, so the blocks are written one after the other as
they come.

>>> from datetime import date
>>> from fractions import Fraction
>>> from mycareer.fla.account import YearCredit, build_account
>>> from mycareer.niss import Niss
>>> credit = YearCredit(Niss("85073003328"), 2024, legal_days=Fraction(5))
>>> print(account_table_text(build_account([credit], as_of=date(2024, 12, 31))), end="")
no employer — NISS 85.07.30-033.28
  year     window  opening  legal  sector  employer  used  closing  carried  reset  lost  open
  2024  2024-2028        0      5       0         0     0        5        5      0     0     0
  balance 5 day(s) = 38 h
<BLANKLINE>
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction
from typing import TextIO

from mycareer.fla.account import EmployerAccountSummary, TrainingAccount, YearStatement
from mycareer.fla.account_values import STATEMENT_TABLE_COLUMNS
from mycareer.fla.trainings import format_exact
from mycareer.fla.values import decimal_4

__all__ = ["account_table_text", "employer_label", "print_aligned", "table_number"]


def table_number(value: Fraction) -> str:
    """Table display: exact when it has a short decimal, else 4 places with a tilde."""
    exact = format_exact(value)
    if "/" not in exact and len(exact.partition(".")[2]) <= 4:
        return exact
    return f"~{decimal_4(value)}"


def print_aligned(rows: Sequence[Sequence[str]], out: TextIO, indent: str = "") -> None:
    """``rows`` written with each column right-aligned to its widest cell."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        print(indent + "  ".join(cells), file=out)


def _statement_cells(s: YearStatement) -> tuple[str, ...]:
    window = "-" if s.window is None else str(s.window)
    return (str(s.year), window, *map(table_number, s.figures))


def employer_label(account: TrainingAccount | EmployerAccountSummary) -> str:
    return "no employer" if account.employer is None else f"employer {account.employer.formatted}"


def _table_account(account: TrainingAccount, out: TextIO) -> None:
    print(f"{employer_label(account)} — NISS {account.niss.formatted}", file=out)
    rows = [STATEMENT_TABLE_COLUMNS, *(_statement_cells(s) for s in account.statements)]
    print_aligned(rows, out, "  ")
    for training in account.trainings:
        mark = "" if training.debits_individual_right else " (not debited)"
        spent, days = training.hours, training.days(account.hours_per_day)
        print(
            f"  training {training.end.isoformat()} {training.name}: {table_number(spent)} h"
            f" = {table_number(days)} day(s){mark}",
            file=out,
        )
    hours = table_number(account.hours(account.balance))
    balance = f"  balance {table_number(account.balance)} day(s) = {hours} h"
    if account.termination is not None:
        ending = account.termination
        what = "lost" if ending.reason.loses_credit else "open balance"
        balance += f"; contract ended {ending.date.isoformat()} ({ending.reason.value}): {what}"
    print(balance, file=out)
    print(file=out)


def account_table_text(account: TrainingAccount) -> str:
    """The account's block of the table: heading, statements, trainings, balance, a blank
    line."""
    out = io.StringIO()
    _table_account(account, out)
    return out.getvalue()
