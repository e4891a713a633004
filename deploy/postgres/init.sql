-- Roles and databases of the production stack (run once by the postgres image on an empty volume).
--
-- Temporal keeps its own two databases. phancong's schema is owned by phancong_owner, which runs the
-- migrations; the worker connects as phancong_app, which may read and insert but owns nothing, so it can
-- neither disable the append-only trigger on `events` nor alter a table. Change the passwords (see
-- docker-compose.yml: they come from the environment).

CREATE ROLE temporal LOGIN PASSWORD 'temporal';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;

CREATE ROLE phancong_owner LOGIN PASSWORD 'phancong_owner';
CREATE ROLE phancong_app LOGIN PASSWORD 'phancong_app';
CREATE DATABASE phancong OWNER phancong_owner;

\connect phancong
ALTER SCHEMA public OWNER TO phancong_owner;
GRANT USAGE ON SCHEMA public TO phancong_app;
-- Tables the migrations create: the app reads, appends events, keeps read models and the outbox.
ALTER DEFAULT PRIVILEGES FOR ROLE phancong_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO phancong_app;
ALTER DEFAULT PRIVILEGES FOR ROLE phancong_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO phancong_app;
