#!/bin/bash
# Patroni's post_bootstrap (deploy/patroni/patroni.yml): runs once, on the first primary, as the
# postgres user, with a superuser connection string as $1. Creates rapportd's role and database;
# rapportd migrates the schema when it starts (the roles rapport_app and rapport_reporting too).
set -euo pipefail
: "${RAPPORT_DB_PASSWORD:?set RAPPORT_DB_PASSWORD}"
psql "$1" -v ON_ERROR_STOP=1 -v password="$RAPPORT_DB_PASSWORD" <<'SQL'
CREATE ROLE rapport LOGIN PASSWORD :'password';
CREATE DATABASE rapport OWNER rapport ENCODING 'UTF8' TEMPLATE template0;
SQL
