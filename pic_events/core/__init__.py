"""Pieces every module uses: column types, time helpers, pagination, HTTP errors."""
