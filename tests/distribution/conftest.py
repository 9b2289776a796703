"""Distribution tests (marker ``dist``): they build the wheel or the bundle and install it, so they
take minutes and are deselected from the default run; ``make dist-test`` (and ``.ci/run``) runs them."""

from tests.distribution.disttools import wheel

__all__ = ["wheel"]
