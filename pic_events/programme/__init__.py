"""The programme: rooms, sessions and speakers of an event."""
