"""Operations: the daily planning cycle's decisions and bookkeeping, the health check behind
``sozialforum doctor``, the deployments of ``prefect.yaml`` read as plain data, a local Prefect
server for ``sozialforum serve``, and the generated configuration reference.

Like the rest of the domain this package never imports Prefect: the flows and the command line
are the edges that do.
"""
