"""Borgerblik: citizen-experience surveys for Danish job centres, from register extract to report.

The package is the pipeline: one subpackage per stage, data flowing one way
(registers → sampling → collection → fieldwork → weighting → analysis → text → reporting),
around the instrument model in :mod:`borgerblik.core` and the gateway in :mod:`borgerblik.storage`.
"""

__version__ = "0.1.0"
