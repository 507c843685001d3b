"""Shared fixtures. PyTorch is optional locally; with MINIGRAD_REQUIRE_TORCH=1 (CI) it is required."""

import os

import pytest


@pytest.fixture(scope="session")
def torch():
    try:
        import torch
    except ImportError:
        if os.environ.get("MINIGRAD_REQUIRE_TORCH") == "1":
            pytest.fail("MINIGRAD_REQUIRE_TORCH=1 but PyTorch is not installed (pip install torch==2.13.0)")
        pytest.skip("PyTorch is not installed: parity tests skipped (pip install torch==2.13.0)")
    return torch
