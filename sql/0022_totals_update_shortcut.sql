-- 0022_totals_update_shortcut: an UPDATE of the ledger that changes nothing the running totals count
-- (a delivery status, an evaluation, e-mail logged, a subject) skips their aggregate.
--
-- PostgreSQL allows no column list (`AFTER UPDATE OF …`) on a trigger with transition tables, so the
-- statement trigger of 0016 ran its grouping-sets aggregate over the old and new rows of every UPDATE,
-- ≈ 0.4–0.8 ms per statement whatever it changed, to net to zero and write nothing. The delivery
-- worker marks every sent message (delivery status blank) with such an UPDATE. The function now first
-- looks for one row whose counted columns changed (the columns rapport_totals_query of 0016 reads), and
-- returns when there is none: a hash join of the transition tables that stops at the first difference.
DO $do$
DECLARE
    changed constant text := '(SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 FROM old_rows o) e';
BEGIN
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION rapport_log_entries_totals_update() RETURNS trigger LANGUAGE plpgsql '
        'SET work_mem = ''256MB'' AS %L',
        format(
            $body$
            BEGIN
                IF NOT EXISTS (
                    SELECT 1 FROM old_rows o JOIN new_rows n ON n.entry_no = o.entry_no
                    WHERE (o.contact_no, o.contact_company_no, o.salesperson_code, o.interaction_template_code,
                           o.interaction_group_code, o.campaign_no, o.logged_segment_entry_no, o.campaign_entry_no,
                           o.date, o.cost, o.duration, o.canceled, o.postponed, o.campaign_response,
                           o.attempt_failed, o.initiated_by)
                          IS DISTINCT FROM
                          (n.contact_no, n.contact_company_no, n.salesperson_code, n.interaction_template_code,
                           n.interaction_group_code, n.campaign_no, n.logged_segment_entry_no, n.campaign_entry_no,
                           n.date, n.cost, n.duration, n.canceled, n.postponed, n.campaign_response,
                           n.attempt_failed, n.initiated_by))
                THEN
                    RETURN NULL;
                END IF;
                %s;
                RETURN NULL;
            END
            $body$,
            rapport_totals_upsert(rapport_totals_query(changed))));
END
$do$;

COMMENT ON FUNCTION rapport_log_entries_totals_update() IS
    'AFTER UPDATE statement trigger of interaction_log_entries (0016, 0022): adds the new rows and subtracts the old ones in the running totals, in the writing backend''s slot; returns at once when no row changed a column the totals count.';
