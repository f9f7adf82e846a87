#!/bin/sh
# One role and one database per data service, each database owned by its role and closed to
# every other role: no service can read another's tables.
#
# The postgres image runs this once, when it initialises an empty data volume; it does not run
# again on an existing volume. To change a password later, ALTER ROLE in psql and update .env.
# The passwords come from the environment compose gives the postgres container.
set -e

create_service_database() {
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v name="$1" -v password="$2" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
}

create_service_database registry "${REGISTRY_DB_PASSWORD:?}"
create_service_database reception "${RECEPTION_DB_PASSWORD:?}"
create_service_database reporting "${REPORTING_DB_PASSWORD:?}"
