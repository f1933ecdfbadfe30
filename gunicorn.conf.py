"""gunicorn's settings for DigiOne Hub (read from the working directory; `gunicorn wsgi:app`).

Workers come from WEB_CONCURRENCY (gunicorn's own variable). With PROMETHEUS_MULTIPROC_DIR set,
each worker keeps its metrics in that folder and /metrics adds them up; a worker that exits is
marked dead there, so that its live gauges stop counting."""

from config import Config


def child_exit(server, worker):
    folder = Config.METRICS_MULTIPROCESS_DIR
    if folder:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, folder)
