"""Fixtures for the TUI tests: a study with one participant and a rated, planned session."""

from __future__ import annotations

import pytest

from companion.study.folder import Study
from tests.support.people import rated_session


@pytest.fixture
def planned_session(study: Study) -> int:
    """P05 (consented) with a planned session and both WAI ratings entered."""
    return rated_session(study)
