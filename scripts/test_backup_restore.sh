#!/bin/sh
# Prove that backup.sh and restore.sh give back the same database: migrate and seed a
# scratch database, dump it, restore the dump into a second one, compare every table's
# row count and the Alembic version, drop both.
#
#   PGADMIN_URL=postgresql://postgres@127.0.0.1:5432/postgres scripts/test_backup_restore.sh
set -eu

cd "$(dirname "$0")/.."
admin=${PGADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
base=${admin%/*}
suffix="$(date +%s)_$$"
source_db="pic_backup_src_$suffix"
target_db="pic_backup_dst_$suffix"
work=$(mktemp -d)
flask=${FLASK:-.venv/bin/flask}

cleanup() {
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $source_db" -c "DROP DATABASE IF EXISTS $target_db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

psql -q "$admin" -c "CREATE DATABASE $source_db" -c "CREATE DATABASE $target_db"

echo "== migrate and seed $source_db"
export PIC_CONFIG=development MAIL_SERVER= REDIS_URL=
DATABASE_URL="$base/$source_db" $flask --app wsgi db upgrade >"$work/upgrade.log" 2>&1 \
  || { cat "$work/upgrade.log"; exit 1; }
DATABASE_URL="$base/$source_db" $flask --app wsgi seed-demo >"$work/seed.log" 2>&1 \
  || { cat "$work/seed.log"; exit 1; }

echo "== back up"
DATABASE_URL="$base/$source_db" sh scripts/backup.sh "$work/pic.dump"
ls -l "$work/pic.dump" | awk '{print $5 " bytes"}'

echo "== restore into $target_db"
DATABASE_URL="$base/$target_db" sh scripts/restore.sh "$work/pic.dump"

counts() {
  tables=$(psql -At "$base/$1" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
  for table in $tables; do
    printf '%s %s\n' "$table" "$(psql -At "$base/$1" -c "SELECT count(*) FROM \"$table\"")"
  done
  printf 'alembic_version=%s\n' "$(psql -At "$base/$1" -c 'SELECT version_num FROM alembic_version')"
}
counts "$source_db" >"$work/source.txt"
counts "$target_db" >"$work/target.txt"

echo "== compare"
if ! diff "$work/source.txt" "$work/target.txt"; then
  echo "FAIL: the restored database differs" >&2
  exit 1
fi
tables=$(grep -vc '^alembic_version=' "$work/source.txt")
rows=$(grep -v '^alembic_version=' "$work/source.txt" | awk '{s += $2} END {print s}')
nonempty=$(grep -v '^alembic_version=' "$work/source.txt" | awk '$2 > 0' | wc -l)
echo "OK: $tables tables ($nonempty with rows), $rows rows, $(grep '^alembic_version=' "$work/source.txt") identical after restore"
