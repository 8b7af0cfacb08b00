"""Streaming SQL: SQL files over registered topics (the KSQL-like path of ``pipeway jobs``)."""
