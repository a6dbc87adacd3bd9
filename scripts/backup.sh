#!/bin/sh
# Back up the PIC Meetings PostgreSQL database to one file (pg_dump custom format).
#
#   DATABASE_URL=postgresql://pic@127.0.0.1/pic scripts/backup.sh [FILE]
#
# FILE defaults to backups/pic-YYYYmmdd-HHMMSS.dump. The dump holds the schema, the data and
# the Alembic version, so scripts/restore.sh gives back the same database.
# Run it from cron (see docs/deploy.md); keep copies on another machine.
set -eu

: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
# pg_dump wants a libpq URL: drop SQLAlchemy's driver name (postgresql+psycopg://).
url=$(printf '%s' "$DATABASE_URL" | sed -e 's#^postgresql+[a-z0-9]*://#postgresql://#' -e 's#^postgres://#postgresql://#')
case "$url" in
  postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL (SQLite: copy the file)" >&2; exit 2 ;;
esac

file=${1:-backups/pic-$(date -u +%Y%m%d-%H%M%S).dump}
umask 077  # the dump (and a folder made for it) holds personal data and password hashes
mkdir -p "$(dirname "$file")"
tmp="$file.partial"
pg_dump --format=custom --no-owner --no-privileges --file="$tmp" "$url"
mv "$tmp" "$file"
echo "$file"
