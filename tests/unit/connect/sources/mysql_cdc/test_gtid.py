from __future__ import annotations

import pytest

from pipeway.connect.sources.mysql_cdc.exceptions import InvalidGtid
from pipeway.connect.sources.mysql_cdc.gtid import (
    MariaDbGtid,
    MariaDbGtidPos,
    MySqlGtidSet,
    detect_is_mariadb,
    is_mariadb_gtid_text,
    parse_gtid_state,
)

U1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
U2 = "19d69c1e-ae97-4b8c-a1ef-9e12ba966457"


def test_mysql_set_parses_merges_and_prints_canonically() -> None:
    gtid_set = MySqlGtidSet.parse(f"{U1.upper()}:1-5:7,\n{U2}:1-3:4-6")
    assert str(gtid_set) == f"{U2}:1-6,{U1}:1-5:7"
    assert gtid_set.contains(U1, 7) and not gtid_set.contains(U1, 6)
    gtid_set.add(U1, 6)
    assert str(gtid_set) == f"{U2}:1-6,{U1}:1-7"
    merged = MySqlGtidSet.parse(f"{U1}:1-3").merge(MySqlGtidSet.parse(f"{U1}:4-9,{U2}:2"))
    assert str(merged) == f"{U2}:2,{U1}:1-9"
    assert MySqlGtidSet.parse("") == MySqlGtidSet()


def test_mysql_subset_decides_whether_purged_binlog_still_serves_an_offset() -> None:
    purged = MySqlGtidSet.parse(f"{U1}:1-10")
    assert purged.is_subset_of(MySqlGtidSet.parse(f"{U1}:1-20,{U2}:1"))
    assert not purged.is_subset_of(MySqlGtidSet.parse(f"{U1}:1-5"))
    assert MySqlGtidSet().is_subset_of(MySqlGtidSet())


@pytest.mark.parametrize("text", [f"{U1}", f"{U1}:", f"{U1}:5-2", f"{U1}:0", "nope:1-2", "0-1-2"])
def test_mysql_set_rejects_malformed_text(text: str) -> None:
    with pytest.raises(InvalidGtid):
        MySqlGtidSet.parse(text)


def test_mariadb_position_tracks_the_last_gtid_per_domain() -> None:
    pos = MariaDbGtidPos.parse("0-1-42,1-2-7")
    assert pos.contains(MariaDbGtid.parse("0-1-40")) and pos.contains(MariaDbGtid(0, 9, 42))
    assert not pos.contains(MariaDbGtid.parse("0-1-43"))
    assert not pos.contains(MariaDbGtid.parse("2-1-1"))
    pos.advance(MariaDbGtid.parse("0-1-43"))
    pos.advance(MariaDbGtid.parse("0-1-41"))  # never backwards
    assert str(pos) == "0-1-43,1-2-7"
    assert str(pos.merge(MariaDbGtidPos.parse("1-2-9,3-1-1"))) == "0-1-43,1-2-9,3-1-1"
    assert str(MariaDbGtidPos.parse("")) == ""


@pytest.mark.parametrize("text", ["0-1", "a-b-c", "0-1-2,0-1-3", f"{U1}:1"])
def test_mariadb_position_rejects_malformed_text(text: str) -> None:
    with pytest.raises(InvalidGtid):
        MariaDbGtidPos.parse(text)


def test_dialect_detection() -> None:
    assert is_mariadb_gtid_text("0-1-42, 1-2-3") and is_mariadb_gtid_text("")
    assert not is_mariadb_gtid_text(f"{U1}:1-5")
    assert detect_is_mariadb("10.11.6-MariaDB-0+deb12u1")
    assert not detect_is_mariadb("8.0.36", f"{U1}:1-5")
    assert detect_is_mariadb("5.5.5", "0-1-1")
    assert isinstance(parse_gtid_state(f"{U1}:1-5", is_mariadb=False), MySqlGtidSet)
    assert isinstance(parse_gtid_state("0-1-5", is_mariadb=True), MariaDbGtidPos)


def test_mariadb_position_lists_last_gtid_per_domain() -> None:
    pos = MariaDbGtidPos.parse("1-2-7,0-1-42")
    assert [str(g) for g in pos.gtids()] == ["0-1-42", "1-2-7"]
    assert MariaDbGtidPos().gtids() == []
