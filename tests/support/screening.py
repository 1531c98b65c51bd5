"""Assertions on the safety screen shared by its tests."""

from __future__ import annotations

from bot.safety import Outcome, SafetyScreen


def is_urgent(screen: SafetyScreen, message: str) -> bool:
    """Whether the screen gives ``message`` the urgent or the crisis answer."""
    return screen.assess(message).outcome in (Outcome.URGENT, Outcome.CRISIS)


def assert_both_ways(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    """The sign told in ``urgent`` is urgent; the same words in ``look_alike`` are not."""
    assert is_urgent(screen, urgent), screen.assess(urgent)
    assert not is_urgent(screen, look_alike), screen.assess(look_alike)
