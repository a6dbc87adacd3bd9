"""My agenda: what one person attends at an event (sessions now, B2B meetings later)."""
