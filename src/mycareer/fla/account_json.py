"""The JSON form of training accounts (``mycareer account --format json``), and its CSV rows.

The document follows the shipped schema ``account-1`` (:func:`mycareer.schemas.json_schema`,
``mycareer schema account``). Quantities have the two spellings of every mycareer JSON
(:mod:`mycareer.jsontext`, docs/formats.md#numbers): ``NAME`` a decimal with 4 places and
``NAME_exact`` the exact rational. The CSV rows keep one exact text per figure: a decimal
when the value has one, else ``p/q`` (:func:`~mycareer.fla.trainings.format_exact`).

>>> from datetime import date
>>> from fractions import Fraction
>>> from mycareer.fla.account import YearCredit, build_account
>>> from mycareer.niss import Niss
>>> account = build_account([YearCredit(Niss("85073003328"), 2024,
...                                     legal_days=Fraction(10, 3))], as_of=date(2024, 12, 31))
>>> document = accounts_document([account], date(2024, 12, 31))
>>> worker = document["accounts"][0]
>>> document["view"], worker["balance"], worker["balance_exact"]
('worker', '3.3333', '10/3')
>>> statement_rows([account])[0]["credited"]
'10/3'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from fractions import Fraction
from typing import Any, Final

from mycareer.employer import Employer
from mycareer.fla.account import EmployerAccountSummary, TrainingAccount, YearStatement
from mycareer.fla.trainings import format_exact
from mycareer.jsontext import quantity

__all__ = [
    "ACCOUNT_SCHEMA_VERSION",
    "EMPLOYER_COLUMNS",
    "STATEMENT_COLUMNS",
    "STATEMENT_FIELDS",
    "account_json_text",
    "account_to_json",
    "accounts_document",
    "employer_rows",
    "employer_summary_to_json",
    "employers_document",
    "iter_statement_rows",
    "statement_rows",
    "statement_rows_text",
]

#: ``schema_version`` of the document (schema ``account-1``).
ACCOUNT_SCHEMA_VERSION: Final = "1"

#: The figures of a yearly statement, in JSON (required keys) and CSV (columns) alike.
STATEMENT_FIELDS: Final = (
    "year",
    "window",
    "opening",
    "legal_days",
    "sector_days",
    "employer_days",
    "credited",
    "used",
    "overused",
    "closing",
    "reset",
    "lost",
    "open_balance",
    "carried",
)
#: CSV columns of the worker view: one row per account and year.
STATEMENT_COLUMNS: Final = ("employer", "nsso_number", "niss", *STATEMENT_FIELDS)
#: CSV columns of the employer view: one row per employer.
EMPLOYER_COLUMNS: Final = (
    "employer",
    "nsso_number",
    "workers",
    "credited",
    "used",
    "remaining",
    "lost",
    "reset",
    "open_balance",
)


def _employer_json(employer: Employer | None) -> dict[str, str | None]:
    # "employer" (the enterprise number), as in every other JSON output (issue 12 item 7)
    return {
        "employer": None
        if employer is None or employer.enterprise is None
        else employer.enterprise.value,
        "nsso_number": None if employer is None or employer.nsso is None else employer.nsso.value,
    }


def _statement_figures(s: YearStatement) -> dict[str, Fraction]:
    return {
        "opening": s.opening,
        "legal_days": s.credit.legal_days,
        "sector_days": s.credit.sector_days,
        "employer_days": s.credit.employer_days,
        "credited": s.credited,
        "used": s.used,
        "overused": s.overused,
        "closing": s.closing,
        "reset": s.reset,
        "lost": s.lost,
        "open_balance": s.open_balance,
        "carried": s.carried,
    }


def _statements_json(account: TrainingAccount) -> list[dict[str, Any]]:
    statements = []
    for s in account.statements:
        item: dict[str, Any] = {
            "year": s.year,
            "window": None if s.window is None else str(s.window),
        }
        for name, value in _statement_figures(s).items():
            item.update(quantity(name, value))
        statements.append(item)
    return statements


def _trainings_json(account: TrainingAccount) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "start": t.start.isoformat(),
            "end": t.end.isoformat(),
            **quantity("hours", t.hours),
            **quantity("days", t.days(account.hours_per_day)),
            "type": t.type.value,
            "status": t.status.value,
            "counts_toward_individual_right": t.counts_toward_individual_right,
        }
        for t in account.trainings
    ]


def account_to_json(account: TrainingAccount) -> dict[str, Any]:
    """One account: employer, worker, balance, yearly statements, trainings, findings."""
    ending = account.termination
    open_balance = account.open_balance
    return {
        **_employer_json(account.employer),
        "niss": account.niss.value,
        **quantity("hours_per_day", account.hours_per_day),
        **quantity("balance", account.balance),
        **quantity("open_balance", open_balance),
        "termination": None
        if ending is None
        else {"date": ending.date.isoformat(), "reason": ending.reason.value},
        "statements": _statements_json(account),
        "trainings": _trainings_json(account),
        "findings": [str(f) for f in account.findings],
    }


def account_json_text(account: TrainingAccount) -> str:
    """One account as compact JSON text (:func:`account_to_json`): an item of ``accounts``."""
    return json.dumps(account_to_json(account), ensure_ascii=False)


def employer_summary_to_json(summary: EmployerAccountSummary) -> dict[str, Any]:
    """One employer's team totals."""
    document: dict[str, Any] = {
        **_employer_json(summary.employer),
        "workers": summary.workers,
    }
    for name, value in _employer_figures(summary).items():
        document.update(quantity(name, value))
    return document


def _employer_figures(summary: EmployerAccountSummary) -> dict[str, Fraction]:
    return {
        "credited": summary.credited,
        "used": summary.used,
        "remaining": summary.remaining,
        "lost": summary.lost,
        "reset": summary.reset,
        "open_balance": summary.open_balance,
    }


def employer_rows(summaries: Iterable[EmployerAccountSummary]) -> list[dict[str, Any]]:
    """CSV rows of the employer view (:data:`EMPLOYER_COLUMNS`): one per employer."""
    return [
        {
            **_employer_json(summary.employer),
            "workers": summary.workers,
            **{name: format_exact(value) for name, value in _employer_figures(summary).items()},
        }
        for summary in summaries
    ]


def accounts_document(accounts: Iterable[TrainingAccount], as_of: date) -> dict[str, Any]:
    """The worker view: every account as of ``as_of``."""
    return {
        "schema_version": ACCOUNT_SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "view": "worker",
        "accounts": [account_to_json(a) for a in accounts],
    }


def employers_document(summaries: Iterable[EmployerAccountSummary], as_of: date) -> dict[str, Any]:
    """The employer view: each employer's team totals as of ``as_of``."""
    return {
        "schema_version": ACCOUNT_SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "view": "employer",
        "employers": [employer_summary_to_json(s) for s in summaries],
    }


def statement_rows(accounts: Iterable[TrainingAccount]) -> list[dict[str, Any]]:
    """CSV rows of the worker view (:data:`STATEMENT_COLUMNS`): one per account and year."""
    return list(iter_statement_rows(accounts))


def statement_rows_text(account: TrainingAccount) -> str:
    """The CSV rows of one account as a JSON array: ``json.loads`` gives its
    :func:`statement_rows` back (texts, integers and nulls survive the round trip)."""
    return json.dumps(statement_rows([account]), ensure_ascii=False)


def iter_statement_rows(accounts: Iterable[TrainingAccount]) -> Iterator[dict[str, Any]]:
    """:func:`statement_rows` one at a time, for writers that stream them."""
    for account in accounts:
        employer = _employer_json(account.employer)
        for s in account.statements:
            figures = {name: format_exact(v) for name, v in _statement_figures(s).items()}
            yield {
                **employer,
                "niss": account.niss.value,
                "year": s.year,
                "window": None if s.window is None else str(s.window),
                **figures,
            }
