"""Prefect flows: one module per deployable flow, glue only (tasks, retries, artifacts, pauses).

The domain lives in ``sozialforum``; a flow reads settings, opens the store and calls services.
"""
