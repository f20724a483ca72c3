"""The CSTO open-data pipeline: plain step functions and the Prefect flows that run them."""
