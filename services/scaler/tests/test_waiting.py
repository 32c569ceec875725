"""Runs waiting inside the executors count toward the load the scaling policy sees."""

from __future__ import annotations

from s3c_scaler.domain.waiting import WaitingRuns


def test_fresh_reports_of_every_executor_add_up() -> None:
    waiting = WaitingRuns(fresh_for=3.0)
    waiting.report("a", 2, at=10.0)
    waiting.report("b", 5, at=11.0)
    assert waiting.total(now=12.0) == 7


def test_a_newer_report_replaces_an_executors_last_and_an_older_one_does_not() -> None:
    waiting = WaitingRuns()
    waiting.report("a", 4, at=10.0)
    waiting.report("a", 1, at=11.0)
    waiting.report("a", 9, at=10.5)  # arrived late
    assert waiting.total(now=11.0) == 1


def test_an_executor_that_stopped_reporting_counts_for_nothing() -> None:
    waiting = WaitingRuns(fresh_for=3.0)
    waiting.report("gone", 6, at=10.0)
    waiting.report("here", 1, at=13.5)
    assert waiting.total(now=14.0) == 1
