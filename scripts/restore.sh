#!/bin/sh
# Restore a dump made by scripts/backup.sh into a database, replacing what it holds.
#
#   DATABASE_URL=postgresql://pic@127.0.0.1/pic scripts/restore.sh FILE
#
# Stop gunicorn and the workers first. The restore runs in one transaction: it either
# completes or leaves the database as it was. Then run `flask --app wsgi db upgrade` (a dump
# from an older release is brought up to date) and start the services again.
set -eu

: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to restore into}"
file=${1:?usage: scripts/restore.sh FILE}
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 2; }
url=$(printf '%s' "$DATABASE_URL" | sed -e 's#^postgresql+[a-z0-9]*://#postgresql://#' -e 's#^postgres://#postgresql://#')
case "$url" in
  postgresql://*) ;;
  *) echo "restore.sh: DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname="$url" "$file"
echo "restored $file"
