"""Single message transforms and predicates, configured with Kafka Connect's keys.

A connector's ``transforms``/``predicates`` keys become a :class:`TransformChain`; each
plugin is named by its Kafka Connect/Debezium class name, its simple name
(``InsertField$Value``), a kebab-case short name (``insert-field-value``) or a Python path
to a user's own :class:`Transformation`/:class:`Predicate` subclass (see
:mod:`pipeway.connect.transforms.names`).
"""

from pipeway.connect.transforms.base import Predicate, Transformation, TransformSettings
from pipeway.connect.transforms.chain import Step, TransformChain
from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError
from pipeway.connect.transforms.names import PREDICATES, TRANSFORMS

__all__ = [
    "PREDICATES",
    "TRANSFORMS",
    "Predicate",
    "Step",
    "TransformChain",
    "TransformConfigError",
    "TransformError",
    "TransformSettings",
    "Transformation",
]
