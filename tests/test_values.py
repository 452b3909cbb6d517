from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfeval.normalize.cells import clean
from selfeval.normalize.values import base_of, parse_amount, parse_rate, parse_value


@pytest.mark.parametrize(
    "text,op,value,unit,status",
    [
        ("≥3家", "≥", "3", "家", "numeric"),
        ("3家", "=", "3", "家", "numeric"),
        ("≤5万/人", "≤", "5", "万/人", "numeric"),
        (">=95%", "≥", "95", "%", "numeric"),
        ("＞10", ">", "10", None, "numeric"),
        ("﹦5个", "=", "5", "个", "numeric"),
        ("不低于95%", "≥", "95", "%", "numeric"),
        ("小于等于20日", "≤", "20", "日", "numeric"),
        ("≥１００百分比", "≥", "100", "%", "numeric"),
        ("（20日", None, "20", "日", "unrecognized_comparator"),
        ("按时足额发放", None, None, None, "qualitative"),
        ("好", None, None, None, "qualitative"),
        ("——", None, None, None, "empty"),
        ("", None, None, None, "empty"),
    ],
)
def test_parse_value(text, op, value, unit, status):
    v = parse_value(text)
    assert (v.op, v.value, v.unit, v.status) == (op, Decimal(value) if value else None, unit, status)


@pytest.mark.parametrize(
    "unit,base,factor",
    [("万元", "元", "1e4"), ("亿元", "元", "1e8"), ("万/人", "元/人", "1e4"), ("万元/人", "元/人", "1e4"),
     ("万册", "册", "1e4"), ("%", "ratio", "0.01"), ("元/人", "元/人", "1"), ("日", "日", "1"), (None, None, "1")],
)
def test_unit_table(unit, base, factor):
    assert base_of(unit) == (base, Decimal(factor))


def test_exact_conversions():
    assert parse_value("4.4万/人").value * base_of("万/人")[1] == Decimal("44000")
    assert parse_rate("32.56%").value == Decimal("0.3256")


@pytest.mark.parametrize("text", ["1e309", "NaN", "∞", "1.2.3", "abc", "12,34"])
def test_what_is_not_a_number_is_reported(text):
    amount = parse_amount(text)
    assert amount.value is None and amount.problem


def test_amount_forms():
    assert parse_amount("1,234.50").value == Decimal("1234.50")
    assert parse_amount("-0").value == 0
    assert parse_amount("—").value is None and not parse_amount("—").problem


@given(st.text(max_size=40))
def test_parsers_never_raise(text):
    parse_value(text)
    parse_amount(text)
    parse_rate(text)


@given(st.text(max_size=40))
def test_clean_is_idempotent(text):
    assert clean(clean(text)) == clean(text)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
       st.sampled_from(["万元", "亿元", "%", "万/人", "万册", "元/人", "人"]))
def test_base_round_trips(number, unit):
    base, factor = base_of(unit)
    value = parse_value(f"≥{number}{unit}").value
    assert value == number and (value * factor) / factor == number
