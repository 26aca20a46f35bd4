---------------------------------------------------------------------------------------------------
-- 0024_totals_update_check_linear: the check of 0022 ("did any counted column change?") in linear time.
--
-- 0022 joined the UPDATE's old and new transition tables on entry_no. Transition tables have no
-- statistics, and PostgreSQL planned a nested loop: for an UPDATE that changes no counted column (every
-- row compared, none differs) the check cost n² comparisons — 0.8 s for 2,000 rows, 20 s for 10,000,
-- ~2–20 ms for each of the delivery worker's marks of 50–100 entries. The check is now a multiset
-- difference (`EXCEPT ALL`, hashed or sorted): the new rows' counted columns, with entry_no, minus the
-- old rows'. An UPDATE keeps the row count, so the difference is empty exactly when no row changed a
-- counted column. The aggregate that follows is 0016's, unchanged.
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
                    SELECT entry_no, contact_no, contact_company_no, salesperson_code, interaction_template_code,
                           interaction_group_code, campaign_no, logged_segment_entry_no, campaign_entry_no,
                           date, cost, duration, canceled, postponed, campaign_response, attempt_failed,
                           initiated_by
                    FROM new_rows
                    EXCEPT ALL
                    SELECT entry_no, contact_no, contact_company_no, salesperson_code, interaction_template_code,
                           interaction_group_code, campaign_no, logged_segment_entry_no, campaign_entry_no,
                           date, cost, duration, canceled, postponed, campaign_response, attempt_failed,
                           initiated_by
                    FROM old_rows)
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
    'AFTER UPDATE statement trigger of interaction_log_entries (0016, 0022, 0024): adds the new rows and subtracts the old ones in the running totals, in the writing backend''s slot; returns at once when no row changed a column the totals count (a multiset difference of the transition tables, linear in their size).';
