"""Input checks beyond decoding: records the contract cannot use become dead letters.

Actions whose code is not 1, 2 or 3 (``invalid_actions``) and tombstones on topics where a
null value means nothing (every input but the CDC topic, where the contract skips them) get
a reason, so the job's dead letter query routes them like undecodable records.
"""

from __future__ import annotations

from pyspark.sql import functions as F

from pipeway.demo.tv import contract
from pipeway.jobs.decoded import REASON, STAGE, DecodedTopic

STAGE_VALIDATION = "TRANSFORMATION"
"""Kafka Connect's stage name for a record refused after conversion"""


def validated(name: str, decoded: DecodedTopic) -> DecodedTopic:
    """``decoded`` with contract violations of topic ``name`` marked as dead letters."""
    if name == contract.USERS_CDC:
        return decoded
    value = F.col("value")
    reason = F.when(value.isNull(), F.lit("value: null (tombstone) carries no record"))
    if name == contract.ACTIONS:
        code = value.getField("action")
        reason = reason.when(
            ~code.isin(*sorted(contract.ACTION_CODES)),
            F.concat(
                F.lit("value: action code "),
                code.cast("string"),
                F.lit(" is not 1 (start), 2 (stop) or 3 (switch)"),
            ),
        )
    fresh = F.col(REASON).isNull() & reason.isNotNull()
    frame = decoded.frame.withColumns(
        {
            REASON: F.when(fresh, reason).otherwise(F.col(REASON)),
            STAGE: F.when(fresh, F.lit(STAGE_VALIDATION)).otherwise(F.col(STAGE)),
        }
    )
    return DecodedTopic(decoded.topic, frame)
