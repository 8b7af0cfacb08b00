"""Change data capture from MySQL and MariaDB binlogs, with Debezium's event format.

``settings`` holds the keys, ``schema_mapping`` the type mapping, ``snapshot`` the initial
consistent snapshot, ``streaming`` the binlog reader and ``position`` the offsets.
"""
