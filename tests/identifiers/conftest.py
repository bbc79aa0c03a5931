"""Detectors are built once per test process (the Dutch one loads deduce's lists)."""

from __future__ import annotations

import pytest

from companion.identifiers.detect import Context, Detector, context_for, detector
from companion.protocol.registry import get_protocol
from tests.identifiers.passages import LOCAL_NAMES_EN, LOCAL_NAMES_NL


@pytest.fixture(scope="session")
def english() -> tuple[Detector, Context]:
    names = detector("en")
    assert names is not None
    return names, context_for(get_protocol("pain-alliance"), LOCAL_NAMES_EN)


@pytest.fixture(scope="session")
def dutch() -> tuple[Detector, Context]:
    names = detector("nl")
    assert names is not None
    return names, context_for(get_protocol("pain-alliance-nl"), LOCAL_NAMES_NL)
