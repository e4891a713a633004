-- Delivering notifications to people: HQ recipients in the directory, and what the outbox knows of each send.

ALTER TABLE directory_entries DROP CONSTRAINT directory_entries_kind_check;
ALTER TABLE directory_entries ADD CONSTRAINT directory_entries_kind_check
    CHECK (kind IN ('hq', 'commune', 'cell', 'post', 'member', 'household'));

ALTER TABLE notifications
    ADD COLUMN channel      text,         -- webhook | email | console, chosen when delivery starts
    ADD COLUMN address      text,         -- the URL or e-mail address (null for the console)
    ADD COLUMN language     text,
    ADD COLUMN message      jsonb,        -- the rendered subject and body, as sent
    ADD COLUMN last_error   text,
    ADD COLUMN delivered_at timestamptz;

CREATE INDEX notifications_dead_idx ON notifications (created_at) WHERE status = 'dead';
