-- The event store: every step of phancong, append-only, ordered, hash-chained per stream.

CREATE TABLE events (
    -- Log order. transaction id * 1,000,000 + n-th event of that transaction: see phancong_next_positions.
    global_position bigint      NOT NULL,
    event_id        uuid        NOT NULL,
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version >= 1),
    event_type      text        NOT NULL,
    schema_version  smallint    NOT NULL CHECK (schema_version >= 1),
    occurred_at     timestamptz NOT NULL,   -- business time
    recorded_at     timestamptz NOT NULL,   -- storage time (the appending transaction's start)
    actor_role      text        NOT NULL,
    actor_id        text,
    directive_id    text,                   -- correlation: the directive the event belongs to
    causation_id    text,                   -- the command or event that caused it
    member_id       text,
    cell_id         text,
    payload         jsonb       NOT NULL,
    content_hash    bytea       NOT NULL CHECK (octet_length(content_hash) = 32),
    hash            bytea       NOT NULL CHECK (octet_length(hash) = 32),
    -- The primary key is the optimistic-concurrency check: two writers of the same version, one wins.
    CONSTRAINT events_pkey PRIMARY KEY (stream_id, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_global_position_key UNIQUE (global_position)
);

CREATE INDEX events_directive_idx ON events (directive_id, global_position) WHERE directive_id IS NOT NULL;
CREATE INDEX events_member_idx ON events (member_id, global_position) WHERE member_id IS NOT NULL;
CREATE INDEX events_cell_idx ON events (cell_id, global_position) WHERE cell_id IS NOT NULL;

-- Global order without a global lock. A sequence hands out numbers before commit, so a reader that keeps
-- "position > last seen" skips a number a slow transaction commits late. Instead a position is the
-- writing transaction's id (xid8) * 1,000,000 + the event's rank within that transaction, and readers only
-- read positions below pg_snapshot_xmin(pg_current_snapshot()) * 1,000,000: every transaction with a lower
-- id has ended, and any transaction still to commit has an id >= that xmin, so its events sort after
-- everything already read. Writers pay one function call; nothing is serialized.
CREATE FUNCTION phancong_next_positions(n integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    used integer := coalesce(nullif(current_setting('phancong.positions_used', true), ''), '0')::integer;
BEGIN
    IF n < 1 OR used + n > 999999 THEN
        RAISE EXCEPTION 'phancong: % events in one transaction (at most 999999)', used + n;
    END IF;
    -- Transaction-local: the rank restarts with each transaction and rolls back with a savepoint.
    PERFORM set_config('phancong.positions_used', (used + n)::text, true);
    RETURN pg_current_xact_id()::text::bigint * 1000000 + used + 1;
END $$;

-- The log position below which every event is settled (no open transaction can still add one).
CREATE FUNCTION phancong_settled_position() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint * 1000000
$$;

-- One link of a stream's hash chain: SHA-256(previous hash || content hash || recorded_at as UTC text).
CREATE FUNCTION phancong_link_hash(previous bytea, content bytea, recorded_at timestamptz) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT sha256(previous || content
                  || convert_to(to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'UTF8'))
$$;

-- The chain over a batch, one row per event (a set, not an array: indexing an array per row is quadratic).
CREATE FUNCTION phancong_chain_hashes(previous bytea, contents bytea[], recorded_at timestamptz)
RETURNS TABLE (n bigint, hash bytea)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    link bytea := previous;
BEGIN
    FOR i IN 1 .. cardinality(contents) LOOP
        link := phancong_link_hash(link, contents[i], recorded_at);
        n := i;
        hash := link;
        RETURN NEXT;
    END LOOP;
END $$;

-- Append-only, enforced by the database: any UPDATE, DELETE or TRUNCATE of events is refused.
CREATE FUNCTION phancong_refuse_event_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'PCA01';
END $$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION phancong_refuse_event_change();
