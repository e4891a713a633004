-- The auditors' offices in the directory: every day the log's latest seal is sent to them (a witness of the
-- record kept outside the database).

ALTER TABLE directory_entries DROP CONSTRAINT directory_entries_kind_check;
ALTER TABLE directory_entries ADD CONSTRAINT directory_entries_kind_check
    CHECK (kind IN ('hq', 'auditor', 'commune', 'cell', 'post', 'member', 'household'));
