"""Native Avro binary codec for pipeway.serde (byte-for-byte parity with fastavro)."""

from typing import Any

__version__: str

class UnsupportedSchema(NotImplementedError):
    """The schema uses something the native codec does not reproduce exactly."""

class Codec:
    """A compiled Avro schema (fastavro's parsed, expanded form, as JSON)."""

    def __init__(self, schema_json: str, return_record_name: bool = False) -> None: ...
    def encode(self, record: Any, prefix: bytes = b"") -> bytes:
        """Encode ``record`` after ``prefix``; ValueError when fastavro must decide."""
    def encode_many(self, records: list[Any], prefix: bytes = b"") -> list[bytes]:
        """Encode every record, each after ``prefix``."""
    def decode(self, data: bytes | bytearray | memoryview, offset: int = 0) -> Any:
        """Decode one value from ``data[offset:]``; ValueError when malformed."""
