"""Registrations: questions, capacity, waiting list, approval, check-in."""
