"""The scaler's in-memory queue readings: bounded, oldest first, filtered by time."""

from __future__ import annotations

from s3c_scaler.domain.samples import MAX_SAMPLES, QueueSamples, Sample


def test_keeps_the_last_readings_for_the_span_at_the_interval() -> None:
    samples = QueueSamples(interval=2.0, keep_seconds=10)  # five readings
    for n in range(8):
        samples.add(Sample(at=100.0 + 2 * n, queue_length=n, instances=1))
    assert len(samples) == 5
    assert [s.queue_length for s in samples.since(0)] == [3, 4, 5, 6, 7]
    assert [s.queue_length for s in samples.since(110.0)] == [5, 6, 7]
    assert samples.since(200.0) == []


def test_a_tiny_interval_is_still_bounded() -> None:
    samples = QueueSamples(interval=0.001)
    for n in range(MAX_SAMPLES + 10):
        samples.add(Sample(at=float(n), queue_length=n, instances=2))
    assert len(samples) == MAX_SAMPLES
    assert samples.since(0)[0].queue_length == 10
