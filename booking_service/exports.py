"""Exports of an event's orders: CSV for spreadsheets, JSON for programs.

The CSV has one row per seat of each order, with the columns of ``CSV_COLUMNS``; the
JSON one object per order as ``GET /api/orders/{reference}`` shows it. Both list the
orders oldest first. A CSV cell that a spreadsheet would read as a formula (one that
starts with ``= + - @``, or a tab or carriage return) is prefixed with ``'``, so a
buyer's name can never run as one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from booking_service.orders import public_order

__all__ = ["CSV_COLUMNS", "csv_cell", "csv_rows", "orders_csv", "sorted_orders"]

CSV_COLUMNS = (
    "reference", "seat", "category", "price", "currency", "buyer_name", "buyer_email",
    "user_id", "created_at", "status",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def sorted_orders(stored: Iterable[bytes]) -> list[dict[str, Any]]:
    """The stored orders (JSON) as the API shows them, oldest first."""
    orders = [public_order(raw) for raw in stored]
    orders.sort(key=lambda order: (str(order["created_at"]), str(order["reference"])))
    return orders


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: empty for None, ``'``-prefixed if it could run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_rows(orders: Iterable[dict[str, Any]]) -> Iterator[list[str]]:
    """One row of cells per seat of each order, in ``CSV_COLUMNS`` order."""
    for order in orders:
        buyer = order["buyer"]
        for seat in order["seats"]:
            values = (
                order["reference"], seat["id"], seat["category"], seat["price"],
                order["currency"], buyer["name"], buyer["email"], buyer["user_id"],
                order["created_at"], order["status"],
            )  # fmt: skip
            yield [csv_cell(value) for value in values]


def orders_csv(orders: Iterable[dict[str, Any]]) -> str:
    """The whole CSV: the header row, then ``csv_rows``, lines ended by CRLF."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(orders))
    return out.getvalue()
