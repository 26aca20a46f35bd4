-- 0008_delivery_idempotency: the delivery outbox (sending happens outside the logging
-- transaction, reference 3.8 R9 / 3.14 R3) and the idempotency keys of write commands.

CREATE TABLE delivery_outbox (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_no       bigint      NOT NULL REFERENCES interaction_log_entries (entry_no) ON DELETE CASCADE,
    status         text        NOT NULL DEFAULT 'pending'
                               CHECK (status IN ('pending', 'claimed', 'delivered', 'failed')),
    attempts       integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claimed_by     text        CHECK (length(claimed_by) <= 200),
    claimed_until  timestamptz,
    last_error     text        CHECK (length(last_error) <= 2000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT delivery_outbox_claim_has_lease CHECK (status <> 'claimed' OR claimed_until IS NOT NULL)
);
COMMENT ON TABLE delivery_outbox IS
    'Delivery queue: one row per entry to send, inserted in the logging transaction together with delivery_status = in_progress on the entry. A worker claims rows with SELECT ... WHERE status = ''pending'' OR (status = ''claimed'' AND claimed_until < now()) ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED, sends, then in one transaction sets status delivered/failed and the entry''s delivery_status NULL/error. Rows are deleted with their entry.';
COMMENT ON COLUMN delivery_outbox.id IS 'Queue position (identity): rows are claimed in id order.';
COMMENT ON COLUMN delivery_outbox.entry_no IS 'The log entry to deliver (its attachment, correspondence type, subject, language ...).';
COMMENT ON COLUMN delivery_outbox.status IS 'pending (waiting) | claimed (a worker holds a lease until claimed_until) | delivered | failed (gave up; the entry shows delivery_status = error).';
COMMENT ON COLUMN delivery_outbox.attempts IS 'Number of delivery attempts so far.';
COMMENT ON COLUMN delivery_outbox.claimed_by IS 'Identifier of the worker holding the claim (host/process).';
COMMENT ON COLUMN delivery_outbox.claimed_until IS 'End of the claim lease; an expired claim may be taken over by another worker.';
COMMENT ON COLUMN delivery_outbox.last_error IS 'Error text of the last failed attempt (at most 2000 characters).';
COMMENT ON COLUMN delivery_outbox.created_at IS 'When the row was queued.';
COMMENT ON COLUMN delivery_outbox.updated_at IS 'When the row last changed (trigger).';

CREATE INDEX delivery_outbox_claim_idx ON delivery_outbox (id) WHERE status IN ('pending', 'claimed');
COMMENT ON INDEX delivery_outbox_claim_idx IS
    'Claiming open rows in order (pending, or claimed with an expired lease); stays small because finished rows leave it.';
CREATE INDEX delivery_outbox_entry_idx ON delivery_outbox (entry_no);
COMMENT ON INDEX delivery_outbox_entry_idx IS 'Outbox rows of an entry (cascade delete, resend).';

CREATE TRIGGER delivery_outbox_touch_updated_at BEFORE UPDATE ON delivery_outbox
    FOR EACH ROW EXECUTE FUNCTION rapport_touch_updated_at();

CREATE TABLE idempotency_keys (
    user_id          code50      NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    idempotency_key  text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 128),
    command          text        NOT NULL CHECK (length(command) <= 100),
    request_hash     text        NOT NULL CHECK (length(request_hash) <= 128),
    response         text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idempotency_key)
);
COMMENT ON TABLE idempotency_keys IS
    'Idempotency keys of write commands: stored in the same transaction as the command''s effects, so a retried request (same user and key) returns the first result instead of acting twice. A reused key with a different request_hash is a client error. Rows older than the retention period are deleted by the server (index on created_at).';
COMMENT ON COLUMN idempotency_keys.user_id IS 'User who sent the command (keys are scoped per user).';
COMMENT ON COLUMN idempotency_keys.idempotency_key IS 'Client-chosen key, 1..128 characters.';
COMMENT ON COLUMN idempotency_keys.command IS 'Protocol verb of the command (e.g. LOG).';
COMMENT ON COLUMN idempotency_keys.request_hash IS 'Hash of the normalized request, to detect a key reused for a different request.';
COMMENT ON COLUMN idempotency_keys.response IS 'The reply sent for the first execution, returned verbatim on retry; NULL only while the first execution is in its transaction.';
COMMENT ON COLUMN idempotency_keys.created_at IS 'When the key was first used; drives expiry.';

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
COMMENT ON INDEX idempotency_keys_created_at_idx IS 'Expiry of old keys.';
