"""Reading a Kafka-style ``worker.properties`` file (``key=value``, ``#``/``!`` comments)."""

from __future__ import annotations

from pathlib import Path

from pipeway.connect.worker.exceptions import WorkerConfigError


def read_properties(path: Path) -> dict[str, str]:
    """The key/value pairs of ``path``; continuation lines (trailing ``\\``) are joined.

    Raises:
        WorkerConfigError: the file cannot be read or a line has no separator.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkerConfigError(f"cannot read worker properties {path}: {exc.strerror}") from exc
    out: dict[str, str] = {}
    for number, line in enumerate(_logical_lines(text), start=1):
        if not line or line[0] in "#!":
            continue
        positions = [i for i in (line.find("="), line.find(":")) if i > 0]
        if not positions:
            raise WorkerConfigError(f"{path}:{number}: expected 'key=value', got {line!r}")
        split = min(positions)
        out[line[:split].strip()] = line[split + 1 :].strip()
    return out


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.endswith("\\") and not stripped.startswith(("#", "!")):
            pending += stripped[:-1]
            continue
        lines.append(pending + stripped)
        pending = ""
    if pending:
        lines.append(pending)
    return lines
