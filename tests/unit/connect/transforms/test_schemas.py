from __future__ import annotations

from pipeway.connect.transforms.javatime import JavaDateFormat
from pipeway.connect.transforms.schemas import named_types, standalone

from .support import ORDER_SCHEMA, valid


def test_standalone_inlines_references_once() -> None:
    names = named_types(ORDER_SCHEMA)
    assert set(names) == {"shop.Order", "shop.Address"}
    shipping = ORDER_SCHEMA["fields"][8]["type"]
    out = standalone(shipping, names, "shop")
    assert out[1]["name"] == "shop.Address"
    both = standalone(["null", "Address", {"type": "array", "items": "Address"}], names, "shop")
    assert both[2]["items"] == "shop.Address"
    assert valid({"city": "x", "zip": None}, out)


def test_java_date_format() -> None:
    from datetime import UTC, datetime

    fmt = JavaDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
    moment = datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=UTC)
    assert fmt.format(moment) == "2024-03-05T14:07:09.123+0000"
    assert fmt.parse("2024-03-05T16:07:09.123+0200") == datetime(
        2024, 3, 5, 14, 7, 9, 123000, tzinfo=UTC
    )
    assert JavaDateFormat("EEE, d MMM yy ''h a").format(moment) == "Tue, 05 Mar 24 '02 PM"
