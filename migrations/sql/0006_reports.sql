-- Read models for HQ's figures and auditors' histories, kept by the catch-up projector (projections/) and
-- rebuildable from the log (`phancong projections rebuild`). Facts are one row per event (keyed by it, so a
-- batch applied twice changes nothing); coverage, members and households are recomputed per directive.

-- When each assignment served: the report's periods are compared with these.
ALTER TABLE rm_assignments
    ADD COLUMN joined_on     date,
    ADD COLUMN ended_on      date,
    ADD COLUMN household_ids text[] NOT NULL DEFAULT '{}';
UPDATE rm_assignments SET
    joined_on = (state ->> 'joined_on')::date,
    ended_on = (state ->> 'ended_on')::date,
    household_ids = ARRAY(SELECT jsonb_array_elements_text(state -> 'household_ids'));

-- Every recorded meeting (attendance of one member at one cell meeting).
CREATE TABLE rm_meetings (
    event_id      uuid    PRIMARY KEY,
    position      bigint  NOT NULL,
    assignment_id text    NOT NULL,
    directive_id  text    NOT NULL,
    member_id     text    NOT NULL,
    post_id       text    NOT NULL,
    commune_id    text    NOT NULL,
    cell_id       text    NOT NULL,
    month         text    NOT NULL,
    meeting_on    date    NOT NULL,
    attendance    text    NOT NULL,
    contributions text[]  NOT NULL,
    simulated     boolean NOT NULL
);
CREATE INDEX rm_meetings_directive_idx ON rm_meetings (directive_id, meeting_on);
CREATE INDEX rm_meetings_member_idx ON rm_meetings (directive_id, member_id);

-- Every logged activity: sessions, visits, workdays, support and gifts (VND), candidates, admissions.
CREATE TABLE rm_activities (
    event_id      uuid    PRIMARY KEY,
    position      bigint  NOT NULL,
    assignment_id text    NOT NULL,
    directive_id  text    NOT NULL,
    member_id     text    NOT NULL,
    post_id       text    NOT NULL,
    commune_id    text    NOT NULL,
    cell_id       text    NOT NULL,
    activity_on   date    NOT NULL,
    kind          text    NOT NULL,
    quantity      integer NOT NULL,
    amount_vnd    bigint  NOT NULL,
    household_ids text[]  NOT NULL,
    simulated     boolean NOT NULL
);
CREATE INDEX rm_activities_directive_idx ON rm_activities (directive_id, activity_on);

-- Reviews and their outcomes: appraisals, grades, follow-ups, commendations, corrections, rotations, ends.
CREATE TABLE rm_outcomes (
    event_id      uuid    PRIMARY KEY,
    position      bigint  NOT NULL,
    assignment_id text    NOT NULL,
    directive_id  text    NOT NULL,
    member_id     text    NOT NULL,
    post_id       text    NOT NULL,
    commune_id    text    NOT NULL,
    cell_id       text    NOT NULL,
    happened_on   date    NOT NULL,  -- the business date (Asia/Ho_Chi_Minh)
    kind          text    NOT NULL CHECK (kind IN ('appraisal', 'grade', 'follow_up', 'commendation',
                                                   'correction', 'rotation_due', 'ended')),
    period        text,
    grade         text,
    passed        boolean,
    reason        text,
    simulated     boolean NOT NULL
);
CREATE INDEX rm_outcomes_directive_idx ON rm_outcomes (directive_id, happened_on);
CREATE INDEX rm_outcomes_member_idx ON rm_outcomes (directive_id, member_id);

-- Each cell in each directive's scope, and whether a member serves in it now.
CREATE TABLE rm_cells (
    directive_id    text    NOT NULL,
    cell_id         text    NOT NULL,
    commune_id      text    NOT NULL,
    name            text    NOT NULL,
    categories      text[]  NOT NULL,
    priority        boolean NOT NULL,
    members_serving integer NOT NULL,
    assignments     integer NOT NULL,  -- ever started for this cell
    covered         boolean NOT NULL,
    simulated       boolean NOT NULL,
    PRIMARY KEY (directive_id, cell_id)
);

-- Each member in each directive: assignments, service, attendance, the last grade.
CREATE TABLE rm_members (
    directive_id       text    NOT NULL,
    member_id          text    NOT NULL,
    post_id            text    NOT NULL,
    assignments        integer NOT NULL,
    serving            boolean NOT NULL,
    serving_cell_id    text,
    households         integer NOT NULL,
    meetings_recorded  integer NOT NULL,
    meetings_present   integer NOT NULL,
    last_grade         text,
    commendations      integer NOT NULL,
    corrections        integer NOT NULL,
    simulated          boolean NOT NULL,
    PRIMARY KEY (directive_id, member_id)
);
CREATE INDEX rm_members_member_idx ON rm_members (member_id);

-- Each household taken in charge, by whom and when.
CREATE TABLE rm_households (
    directive_id  text    NOT NULL,
    household_id  text    NOT NULL,
    assignment_id text    NOT NULL,
    member_id     text    NOT NULL,
    post_id       text    NOT NULL,
    commune_id    text    NOT NULL,
    cell_id       text    NOT NULL,
    started_on    date,
    ended_on      date,
    simulated     boolean NOT NULL,
    PRIMARY KEY (assignment_id, household_id)
);
CREATE INDEX rm_households_directive_idx ON rm_households (directive_id);

-- Seals of the global log: at each, a digest chained over every event's hash in log order, and a hash
-- chaining the seals themselves. `phancong audit verify` recomputes them: an event removed, added below a
-- seal, reordered or rewritten (even with a consistent stream chain) changes a digest. Append-only too.
CREATE TABLE log_seals (
    seal_no     integer     PRIMARY KEY CHECK (seal_no >= 1),
    position    bigint      NOT NULL,  -- every event below this global position is covered
    events      bigint      NOT NULL,  -- how many
    digest      bytea       NOT NULL CHECK (octet_length(digest) = 32),
    previous    bytea       NOT NULL CHECK (octet_length(previous) = 32),
    hash        bytea       NOT NULL CHECK (octet_length(hash) = 32),
    sealed_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT log_seals_position_key UNIQUE (position)
);

CREATE TRIGGER log_seals_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON log_seals
    FOR EACH STATEMENT EXECUTE FUNCTION phancong_refuse_event_change();
