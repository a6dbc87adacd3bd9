"""Demo data: the PIC 2027 meeting in Angers. Every seeder is idempotent."""
