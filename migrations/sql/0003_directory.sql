-- The directory: every imported entry (commune, cell, post, member, household) as its current data.
-- Each import's differences are also events of the stream "directory": this table is where they lead.

CREATE TABLE directory_entries (
    kind        text        NOT NULL CHECK (kind IN ('commune', 'cell', 'post', 'member', 'household')),
    entry_id    text        NOT NULL,
    data        jsonb       NOT NULL,
    active      boolean     NOT NULL DEFAULT true,  -- false: removed by a later import (kept for history)
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, entry_id)
);

CREATE INDEX directory_members_post_idx ON directory_entries ((data ->> 'post'))
    WHERE kind = 'member' AND active;
CREATE INDEX directory_cells_commune_idx ON directory_entries ((data ->> 'commune'))
    WHERE kind = 'cell' AND active;
CREATE INDEX directory_households_cell_idx ON directory_entries ((data ->> 'cell'))
    WHERE kind = 'household' AND active;

-- Typed views for people and reports (the table stays generic so that imports diff every kind alike).
CREATE VIEW directory_communes AS
    SELECT entry_id AS commune_id, data ->> 'name' AS name
    FROM directory_entries WHERE kind = 'commune' AND active;

CREATE VIEW directory_cells AS
    SELECT entry_id AS cell_id, data ->> 'name' AS name, data ->> 'commune' AS commune_id,
           data ->> 'village' AS village, (data ->> 'meeting_day')::int AS meeting_day,
           ARRAY(SELECT jsonb_array_elements_text(data -> 'categories')) AS categories
    FROM directory_entries WHERE kind = 'cell' AND active;

CREATE VIEW directory_posts AS
    SELECT entry_id AS post_id, data ->> 'name' AS name,
           ARRAY(SELECT jsonb_array_elements_text(data -> 'communes')) AS commune_ids
    FROM directory_entries WHERE kind = 'post' AND active;

CREATE VIEW directory_members AS
    SELECT entry_id AS member_id, data ->> 'name' AS name, data ->> 'post' AS post_id, data ->> 'rank' AS rank,
           data ->> 'kind' AS member_kind, (data ->> 'on_local_committee')::boolean AS on_local_committee,
           data -> 'contact' AS contact
    FROM directory_entries WHERE kind = 'member' AND active;

CREATE VIEW directory_households AS
    SELECT entry_id AS household_id, data ->> 'cell' AS cell_id, data ->> 'head' AS head,
           ARRAY(SELECT jsonb_array_elements_text(data -> 'tags')) AS tags, data ->> 'denomination' AS denomination
    FROM directory_entries WHERE kind = 'household' AND active;
