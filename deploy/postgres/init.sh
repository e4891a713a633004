#!/bin/sh
# Run once by the postgres image on an empty volume: init.sql with the passwords of the environment.
set -eu
: "${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD}"
: "${PHANCONG_OWNER_PASSWORD:?set PHANCONG_OWNER_PASSWORD}"
: "${PHANCONG_APP_PASSWORD:?set PHANCONG_APP_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v temporal_password="$TEMPORAL_DB_PASSWORD" \
     -v owner_password="$PHANCONG_OWNER_PASSWORD" \
     -v app_password="$PHANCONG_APP_PASSWORD" \
     -f /docker-entrypoint-initdb.d/phancong/init.sql
