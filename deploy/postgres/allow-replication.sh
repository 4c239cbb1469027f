#!/bin/sh
# Runs once, when the official postgres image initialises the primary (docker-entrypoint-initdb.d):
# lets the opt-in `postgres-replica` service of docker-compose.yml stream from it.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
