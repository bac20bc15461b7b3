"""Order exports: one CSV row per seat, formula-like cells defused, oldest order first."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest

from booking_service.exports import CSV_COLUMNS, csv_cell, csv_rows, orders_csv, sorted_orders


def _stored(reference: str, created_at: str, *, name: str | None, status: str) -> bytes:
    order: dict[str, Any] = {
        "reference": reference,
        "event_id": "main",
        "status": status,
        "seats": [
            {"id": "A1", "category": "Standard", "price": 30.0},
            {"id": "B2", "category": "Premium", "price": 72.5},
        ],
        "total": 102.5,
        "currency": "EUR",
        "buyer": {"user_id": "u1", "name": name, "email": None},
        "created_at": created_at,
        "owner": "secret-owner",
    }
    return orjson.dumps(order)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+31 20", "'+31 20"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ada = Lovelace", "Ada = Lovelace"),
        (None, ""),
        (30.0, "30.0"),
    ],
)
def test_csv_cell_defuses_formulas(value: Any, cell: str) -> None:
    """A cell a spreadsheet would run as a formula is prefixed with an apostrophe."""
    assert csv_cell(value) == cell


def test_csv_rows_one_per_seat_in_column_order() -> None:
    """Each seat of an order is one row, the columns in CSV_COLUMNS order."""
    [order] = sorted_orders(
        [_stored("REF1", "2027-01-01T00:00:00.000Z", name="=X", status="cancelled")]
    )
    at = "2027-01-01T00:00:00.000Z"
    assert list(csv_rows([order])) == [
        ["REF1", "A1", "Standard", "30.0", "EUR", "'=X", "", "u1", at, "cancelled"],
        ["REF1", "B2", "Premium", "72.5", "EUR", "'=X", "", "u1", at, "cancelled"],
    ]


def test_orders_csv_parses_back_oldest_first() -> None:
    """The CSV reads back with the csv module: the header, then the oldest order's rows."""
    orders = sorted_orders(
        [
            _stored("NEW", "2027-01-02T00:00:00.000Z", name='Bo, "B"', status="confirmed"),
            _stored("OLD", "2027-01-01T00:00:00.000Z", name=None, status="confirmed"),
        ]
    )
    rows = list(csv.reader(io.StringIO(orders_csv(orders))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == ["OLD", "OLD", "NEW", "NEW"]
    assert rows[3][5] == 'Bo, "B"'
    assert "owner" not in orders[0]
