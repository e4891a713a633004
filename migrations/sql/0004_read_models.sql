-- Read models, kept by the catch-up projector (projections/): never written by anything else, rebuildable
-- from the event log at any time.

CREATE TABLE projection_checkpoints (
    name        text        PRIMARY KEY,
    position    bigint      NOT NULL DEFAULT 0,  -- the last global position applied
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per assignment: the fold of its stream, and the columns to find it by.
CREATE TABLE rm_assignments (
    assignment_id text        PRIMARY KEY,
    directive_id  text        NOT NULL,
    kind          text        NOT NULL,
    member_id     text        NOT NULL,
    post_id       text        NOT NULL,
    commune_id    text        NOT NULL,
    cell_id       text        NOT NULL,  -- the cell served (the commune's placement, else the one asked)
    stage         text        NOT NULL,
    end_reason    text,
    simulated     boolean     NOT NULL DEFAULT false,
    state         jsonb       NOT NULL,
    version       integer     NOT NULL,
    position      bigint      NOT NULL,  -- global position of the last event folded
    updated_at    timestamptz NOT NULL
);
CREATE INDEX rm_assignments_directive_idx ON rm_assignments (directive_id);
CREATE INDEX rm_assignments_member_idx ON rm_assignments (member_id);
CREATE INDEX rm_assignments_post_idx ON rm_assignments (post_id);
CREATE INDEX rm_assignments_commune_idx ON rm_assignments (commune_id);
CREATE INDEX rm_assignments_cell_idx ON rm_assignments (cell_id);

-- One row per directive: the fold of its own stream (assignments' stages live in rm_assignments).
CREATE TABLE rm_directives (
    directive_id text        PRIMARY KEY,
    title        text        NOT NULL,
    kind         text        NOT NULL,
    status       text        NOT NULL,  -- open | closed
    simulated    boolean     NOT NULL DEFAULT false,
    state        jsonb       NOT NULL,
    version      integer     NOT NULL,
    position     bigint      NOT NULL,
    updated_at   timestamptz NOT NULL
);
