"""The digital TV demo: its data contract, a seeded scenario generator and the batch oracle.

``docs/jobs/tv-analytics.md`` is the contract; :mod:`.contract` holds its constants,
``schemas/`` the Avro schemas of every input and output topic.
"""
