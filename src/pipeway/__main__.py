"""``python -m pipeway`` is the ``pipeway`` command."""

from pipeway.cli.main import app

app(prog_name="pipeway")
