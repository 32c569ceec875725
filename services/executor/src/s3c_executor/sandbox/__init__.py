"""The sandbox: V8 isolates (mini-racer) inside killable worker processes."""
