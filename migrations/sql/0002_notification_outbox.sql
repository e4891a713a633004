-- The notification outbox: every reminder, escalation and notice the workflows decide to send, once each.
-- Workflows write here through the send_reminder activity; delivery to people reads from here.

CREATE TABLE notifications (
    notification_id uuid        PRIMARY KEY,  -- deterministic: the same notice always has the same id
    created_at      timestamptz NOT NULL DEFAULT now(),
    directive_id    text,
    assignment_id   text,
    stream_id       text        NOT NULL,
    notice_key      text        NOT NULL,
    recipient_role  text        NOT NULL,
    recipient_id    text,
    subject         text        NOT NULL,
    escalation      boolean     NOT NULL DEFAULT false,
    due_on          date,
    reference       text,
    details         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0
);

CREATE INDEX notifications_pending_idx ON notifications (created_at) WHERE status = 'pending';
CREATE INDEX notifications_recipient_idx ON notifications (recipient_role, recipient_id, created_at);
CREATE INDEX notifications_assignment_idx ON notifications (assignment_id);
