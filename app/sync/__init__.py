"""Offline sync: the device outbox replays records to a JSON endpoint, idempotently."""
