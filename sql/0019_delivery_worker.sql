-- 0019_delivery_worker: the delivery worker's retry schedule on the outbox, and delivery counts per
-- logged segment (issue 15).

ALTER TABLE delivery_outbox ADD COLUMN retry_at timestamptz;
COMMENT ON COLUMN delivery_outbox.retry_at IS
    'For a pending row put back after a temporary failure (SMTP 4xx, connection refused, timeout): not claimed before this time (exponential backoff). NULL: claim at once.';
COMMENT ON TABLE delivery_outbox IS
    'Delivery queue: one row per entry to send, inserted in the logging transaction together with delivery_status = in_progress on the entry. A worker (rapportd''s own, or a client with DELIVERY-CLAIM) claims rows with SELECT ... WHERE (status = ''pending'' AND (retry_at IS NULL OR retry_at <= now())) OR (status = ''claimed'' AND claimed_until < now()) ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED, sends, then in its own transaction sets status delivered/failed and the entry''s delivery_status NULL/error, or puts a temporary failure back to pending with retry_at. Rows are deleted with their entry.';

CREATE VIEW delivery_status_by_logged_segment AS
SELECT
    e.logged_segment_entry_no,
    count(*) FILTER (WHERE o.status IN ('pending', 'claimed')) AS queued,
    count(*) FILTER (WHERE o.status = 'delivered') AS sent,
    count(*) FILTER (WHERE o.status = 'failed') AS failed,
    count(*) FILTER (WHERE o.status IN ('pending', 'claimed') AND o.attempts > 0) AS retrying,
    max(o.updated_at) FILTER (WHERE o.status IN ('delivered', 'failed')) AS last_finished_at
FROM interaction_log_entries e
CROSS JOIN LATERAL (
    SELECT d.status, d.attempts, d.updated_at FROM delivery_outbox d
    WHERE d.entry_no = e.entry_no ORDER BY d.id DESC LIMIT 1
) o
WHERE e.logged_segment_entry_no IS NOT NULL
GROUP BY e.logged_segment_entry_no;
COMMENT ON VIEW delivery_status_by_logged_segment IS
    'Delivery per logged segment (issue 15, reference 3.9): of its entries that were ever queued, how many wait (pending or claimed), were sent and failed, by each entry''s latest outbox row (a resend queues a new row). Logged segments with no queued entry have no row. LOGGED-SEGMENT-SHOW reads it for one logged segment.';
COMMENT ON COLUMN delivery_status_by_logged_segment.logged_segment_entry_no IS 'Entry No. of the logged segment.';
COMMENT ON COLUMN delivery_status_by_logged_segment.queued IS 'Entries waiting to be sent (pending, or claimed by a worker).';
COMMENT ON COLUMN delivery_status_by_logged_segment.sent IS 'Entries delivered (SMTP server accepted the message, or the hard copy was written).';
COMMENT ON COLUMN delivery_status_by_logged_segment.failed IS 'Entries whose delivery failed for good (delivery_status = error; the reason is delivery_outbox.last_error).';
COMMENT ON COLUMN delivery_status_by_logged_segment.retrying IS 'Of the queued ones, those already tried at least once (temporary failures waiting for their retry).';
COMMENT ON COLUMN delivery_status_by_logged_segment.last_finished_at IS 'When the last entry was sent or failed.';

SELECT rapport_grant_roles();
