-- What one bad input must not do: stop the read side, forge a seal, or let the application rewrite what it
-- does not own.

-- Read models hold every value the events allow: an activity's amount and quantity are unbounded integers in
-- the event (today's commands bound them; events stored earlier may not be).
ALTER TABLE rm_activities
    ALTER COLUMN amount_vnd TYPE numeric,
    ALTER COLUMN quantity TYPE numeric;

-- Events a read model could not apply (or that could not be read): the projector records them here and goes on
-- with the rest; `phancong projections status` lists them, HQ is told, and a fix plus `projections rebuild`
-- applies them. A read model like the others (the projector's, rebuilt with them).
CREATE TABLE projection_failures (
    projection  text        NOT NULL,  -- the read model ('*': the event could not be read at all)
    event_id    uuid        NOT NULL,
    position    bigint      NOT NULL,
    stream_id   text        NOT NULL,
    version     integer     NOT NULL,
    event_type  text        NOT NULL,
    error       text        NOT NULL,
    failed_at   timestamptz NOT NULL,  -- the event's storage time: the same on every rebuild
    notified_at timestamptz,           -- when HQ was told
    PRIMARY KEY (projection, event_id)
);
CREATE INDEX projection_failures_unnotified_idx ON projection_failures (position) WHERE notified_at IS NULL;

-- The directory's current entries are now a read model of the stream "directory" (kept by the projector and
-- rebuilt from the log like the others); imports only append events. Rows already here stay as they are: they
-- are what those events fold into.
ALTER TABLE directory_entries ALTER COLUMN updated_at DROP DEFAULT;

-- Seals are computed by the database from the log itself; nobody inserts one by hand. A seal chains onto the
-- latest seal whose own hash follows from its fields, so a malformed row (only the owner can write one) is
-- reported by `audit verify` and not built upon. Byte layout as docs/auditing.md gives it.
CREATE FUNCTION phancong_seal_hash(previous bytea, seal_no integer, below bigint, events bigint, digest bytea)
RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(previous || int4send(seal_no) || int8send(below) || int8send(events) || digest)
$$;

CREATE FUNCTION phancong_seal() RETURNS SETOF log_seals
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    zero     CONSTANT bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    latest   log_seals;
    settled  bigint := phancong_settled_position();
    digest   bytea;
    added    bigint := 0;
    link     record;
    next_no  integer;
    previous bytea;
    total    bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(1886676332);  -- "phsl": one sealer at a time
    SELECT * INTO latest FROM log_seals s
    WHERE s.hash = phancong_seal_hash(s.previous, s.seal_no, s.position, s.events, s.digest)
    ORDER BY s.seal_no DESC LIMIT 1;
    digest := coalesce(latest.digest, zero);
    FOR link IN
        SELECT global_position, hash FROM events
        WHERE global_position >= coalesce(latest.position, 0) AND global_position < settled
        ORDER BY global_position
    LOOP
        digest := sha256(digest || int8send(link.global_position) || link.hash);
        added := added + 1;
    END LOOP;
    IF added = 0 THEN
        RETURN;
    END IF;
    SELECT coalesce(max(seal_no), 0) + 1 INTO next_no FROM log_seals;
    previous := coalesce(latest.hash, zero);
    total := coalesce(latest.events, 0) + added;
    RETURN QUERY
        INSERT INTO log_seals (seal_no, position, events, digest, previous, hash)
        VALUES (next_no, settled, total, digest, previous, phancong_seal_hash(previous, next_no, settled, total, digest))
        RETURNING *;
END $$;

-- Least privilege. The application's role (a member of phancong_writer: deploy/postgres/init.sql) reads
-- everything, appends events, keeps the outbox, and keeps the read models and checkpoints it owns; it cannot
-- change or remove an event, insert a seal, touch the migrations, or alter anything.
DO $$
BEGIN
    CREATE ROLE phancong_writer NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;  -- made by init.sql, or by another database of the same server
END $$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM phancong_writer;
GRANT USAGE ON SCHEMA public TO phancong_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO phancong_writer;
GRANT INSERT ON events TO phancong_writer;
GRANT INSERT, UPDATE ON notifications TO phancong_writer;
GRANT INSERT, UPDATE, DELETE ON
    projection_checkpoints, projection_failures, directory_entries,
    rm_assignments, rm_directives, rm_meetings, rm_activities, rm_outcomes, rm_cells, rm_members, rm_households
TO phancong_writer;
REVOKE ALL ON FUNCTION phancong_seal() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION phancong_seal() TO phancong_writer;
