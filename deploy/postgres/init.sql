-- Roles and databases of the production stack (run once by the postgres image on an empty volume, through
-- init.sh, which gives the passwords from the environment: there is no default one).
--
-- Temporal keeps its own two databases. phancong's schema is owned by phancong_owner, which runs the
-- migrations (`phancong db migrate`) and `phancong projections rebuild`; the worker and the API connect as
-- phancong_app, a member of phancong_writer, to which the migrations grant exactly what the application needs:
-- read everything, append events, keep the outbox, the read models and their checkpoints, the accounts'
-- credentials and sessions (the access record: append only), seal through phancong_seal(). It owns nothing, so
-- it can neither disable the append-only triggers nor alter a table, insert a seal, or touch schema_migrations
-- (tests/test_privileges.py tries each).

CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;

CREATE ROLE phancong_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE phancong_writer NOLOGIN;
CREATE ROLE phancong_app LOGIN PASSWORD :'app_password' IN ROLE phancong_writer;
CREATE DATABASE phancong OWNER phancong_owner;

\connect phancong
ALTER SCHEMA public OWNER TO phancong_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
