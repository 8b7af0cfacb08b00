"""The job runner: load a job (Python module or SQL file), start its queries, stop gracefully.

A job builds its streaming queries from a :class:`~pipeway.jobs.runner.context.JobContext`;
the runner owns the trigger, the checkpoints (one folder per job under the data directory),
progress publishing and the process's life (pid file, SIGTERM → stop between batches).
"""

from pipeway.jobs.runner.context import JobContext
from pipeway.jobs.runner.modes import RunMode
from pipeway.jobs.runner.spec import JobSpec, load_job

__all__ = ["JobContext", "JobSpec", "RunMode", "load_job"]
