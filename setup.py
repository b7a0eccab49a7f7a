"""Packaging: the flows live in the top-level ``flows/`` folder (where ``prefect.yaml`` points)
but are installed as ``sozialforum.flows``, so a wheel installs nothing generic into
site-packages."""

from setuptools import find_packages, setup

FLOWS = {"sozialforum.flows": "flows", "sozialforum.flows.demo": "flows/demo"}

setup(
    packages=find_packages(include=["sozialforum", "sozialforum.*"]) + list(FLOWS),
    package_dir=FLOWS,
)
