"""Outgoing mail: an outbox written with the change, delivered by a sender."""
