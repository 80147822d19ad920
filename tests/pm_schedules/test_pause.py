"""The pause a pass leaves between its batches on SQLite follows the demand for the write lock it sees."""

from __future__ import annotations

import pytest

from wrenchwork.pm_schedules.engine import MAX_PAUSE, MIN_PAUSE, SQLITE_PAUSE, Pause

pytestmark = pytest.mark.no_database


def test_it_grows_while_others_hold_the_lock_and_shrinks_when_they_do_not() -> None:
    pause = Pause(None, adapts=True)
    assert pause.seconds == SQLITE_PAUSE

    pause.waited(0.004)  # the lock was someone else's when the pass asked for it again
    assert pause.seconds == 2 * SQLITE_PAUSE
    for _ in range(20):
        pause.waited(0.004)
    assert pause.seconds == MAX_PAUSE

    for _ in range(40):
        pause.waited(0.0002)  # free at once
    assert pause.seconds == MIN_PAUSE


def test_a_given_pause_stays_as_it_is() -> None:
    for given in (0.0, 0.02):
        pause = Pause(given, adapts=False)
        pause.waited(0.5)
        pause.waited(0.0)
        assert pause.seconds == given
