from __future__ import annotations

from pipeway.connect.worker.masking import HIDDEN, mask
from tests.unit.connect.worker.plugins import SHARD


def test_secret_fields_and_password_names_are_hidden() -> None:
    config = {
        "connector.class": SHARD,
        "api.token": "t0k",
        "db.password": "pw",
        "topic": "orders",
        "value.converter.basic.auth.user.info": "u:p",
        "ssl.key.password": "k",
        "client.secret": "s",
    }
    shown = mask(config)
    assert shown["topic"] == "orders"
    hidden = {k for k, v in shown.items() if v == HIDDEN}
    assert hidden == {
        "api.token",
        "db.password",
        "value.converter.basic.auth.user.info",
        "ssl.key.password",
        "client.secret",
    }
    assert config["api.token"] == "t0k"  # the input is not modified


def test_task_configs_use_the_connector_class() -> None:
    assert mask({"api.token": "x", "n": 1}, SHARD) == {"api.token": HIDDEN, "n": 1}


def test_unloadable_class_still_masks_by_name() -> None:
    shown = mask({"connector.class": "no.such.Class", "password": "p", "api.token": "t"})
    assert shown == {"connector.class": "no.such.Class", "password": HIDDEN, "api.token": "t"}


def test_none_values_stay_none() -> None:
    assert mask({"password": None}) == {"password": None}
