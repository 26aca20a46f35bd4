-- 0009_roles_and_reporting_views: database roles for the DBA and the statistics views.
--
-- Roles (cluster-wide, NOLOGIN groups; the DBA creates login roles IN ROLE one of them):
--   * rapport_app        what the server needs at run time: SELECT/INSERT/UPDATE/DELETE on every
--                        table, the sequences of the identity columns, EXECUTE on the functions.
--                        No DDL, no TRUNCATE, no changing the migration records.
--   * rapport_reporting  read-only: SELECT on the statistics views below and on the tables,
--                        except password hashes, login counters and stored command replies.
--
-- Roles belong to the cluster, grants to each database. Several databases of one cluster may
-- migrate at the same moment (replicas of different installations, the test suites), so creating
-- a role must tolerate a concurrent creator: CREATE ROLE is wrapped in a block that catches
-- duplicate_object (the role already existed) and unique_violation (another transaction created
-- it between our check and our insert). A migration user without CREATEROLE gets a WARNING and no
-- grants; the DBA then creates the roles and calls rapport_grant_roles() (docs/OPERATIONS.md).
--
-- Statistics views (reference section 4): computed, never stored. Counts, costs and durations
-- exclude canceled and postponed entries, written literally as NOT canceled AND NOT postponed so
-- that the planner matches the partial indexes of 0005 (template and group statistics) or filters
-- on the INCLUDE columns of the covering indexes (contact, company, salesperson). Each view joins
-- its master table LATERALly to the entries, so a filter on the master key (WHERE
-- salesperson_code = 'JO') reads only that key's index range.

---------------------------------------------------------------------------------------------------
-- Roles and grants
---------------------------------------------------------------------------------------------------

CREATE FUNCTION rapport_grant_roles() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['rapport_app', 'rapport_reporting'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
            EXCEPTION
                -- another database's migration created it first (committed: duplicate_object;
                -- committed while we waited on the catalog's unique index: unique_violation)
                WHEN duplicate_object OR unique_violation THEN NULL;
                WHEN insufficient_privilege THEN
                    RAISE WARNING 'role % does not exist and % may not create it; no grants for it',
                            role_name, current_user
                        USING HINT = 'As a superuser: CREATE ROLE ' || role_name
                                     || ' NOLOGIN; then, as the schema owner: SELECT rapport_grant_roles();';
            END;
        END IF;
    END LOOP;

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rapport_app') THEN
        GRANT USAGE ON SCHEMA public TO rapport_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rapport_app;
        GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO rapport_app;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO rapport_app;
        -- The migration records are the migrator's: the server only reads them at start.
        IF to_regclass('rapport_schema_migrations') IS NOT NULL THEN
            REVOKE INSERT, UPDATE, DELETE ON rapport_schema_migrations FROM rapport_app;
        END IF;
        REVOKE EXECUTE ON FUNCTION rapport_grant_roles() FROM rapport_app;
        -- Tables and sequences that later migrations create (as the same owner) follow suit.
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rapport_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO rapport_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT EXECUTE ON FUNCTIONS TO rapport_app;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rapport_reporting') THEN
        GRANT USAGE ON SCHEMA public TO rapport_reporting;
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO rapport_reporting;
        -- Secrets and session bookkeeping stay hidden: users only column by column,
        -- without password_hash and failed_logins; no stored command replies.
        REVOKE SELECT ON users, idempotency_keys FROM rapport_reporting;
        GRANT SELECT (user_id, full_name, email, role, salesperson_code, blocked, last_login_at,
                      created_at, updated_at)
            ON users TO rapport_reporting;
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION rapport_grant_roles() FROM PUBLIC;
COMMENT ON FUNCTION rapport_grant_roles() IS
    'Creates the NOLOGIN group roles rapport_app (run-time DML, no DDL) and rapport_reporting (read-only) when missing and allowed, and (re)grants their privileges on everything now in schema public. Idempotent; safe while other databases of the cluster do the same. Run it as the schema owner after creating the roles by hand, after a restore with pg_restore --no-acl (deploy/restore.sh does), and at the end of a migration that adds tables.';

---------------------------------------------------------------------------------------------------
-- Statistics views
---------------------------------------------------------------------------------------------------

CREATE VIEW contact_statistics AS
SELECT
    c.no AS contact_no,
    c.type,
    c.company_no,
    c.name,
    c.salesperson_code,
    s.no_of_interactions,
    s.cost,
    s.duration,
    CASE c.type
        WHEN 'company' THEN (
            SELECT max(e.date) FROM interaction_log_entries e
            WHERE e.contact_company_no = c.no AND NOT e.attempt_failed AND NOT e.postponed)
        ELSE (
            SELECT max(e.date) FROM interaction_log_entries e
            WHERE e.contact_no = c.no AND NOT e.attempt_failed AND NOT e.postponed)
    END AS date_of_last_interaction,
    CASE c.type
        WHEN 'company' THEN (
            SELECT max(e.date) FROM interaction_log_entries e
            WHERE e.contact_company_no = c.no AND e.initiated_by = 'us' AND NOT e.postponed)
        ELSE (
            SELECT max(e.date) FROM interaction_log_entries e
            WHERE e.contact_no = c.no AND e.initiated_by = 'us' AND NOT e.postponed)
    END AS last_date_attempted
FROM contacts c
CROSS JOIN LATERAL (
    SELECT count(*) AS no_of_interactions,
           coalesce(sum(x.cost), 0)::numeric(18,2) AS cost,
           coalesce(sum(x.duration), 0)::numeric(18,2) AS duration
    FROM (
        -- a company: its own entries and those of its persons (interaction_log_entries_company_idx)
        SELECT e.cost, e.duration FROM interaction_log_entries e
        WHERE c.type = 'company' AND e.contact_company_no = c.no AND NOT e.canceled AND NOT e.postponed
        UNION ALL
        -- a person: only its own entries (interaction_log_entries_contact_idx)
        SELECT e.cost, e.duration FROM interaction_log_entries e
        WHERE c.type = 'person' AND e.contact_no = c.no AND NOT e.canceled AND NOT e.postponed
    ) x
) s;
COMMENT ON VIEW contact_statistics IS
    'Contact Statistics (reference section 4), one row per contact: a company counts its own entries and those of its persons (contact_company_no = company), a person only its own (contact_no = person). Counts, costs and durations exclude canceled and postponed entries. For a date range, query interaction_log_entries with the same predicates plus date BETWEEN.';
COMMENT ON COLUMN contact_statistics.contact_no IS 'Contact No. (contacts.no).';
COMMENT ON COLUMN contact_statistics.type IS 'company | person: decides which entries count (see the view comment).';
COMMENT ON COLUMN contact_statistics.company_no IS 'The company a person belongs to; NULL for companies and for persons without a company.';
COMMENT ON COLUMN contact_statistics.name IS 'Contact name.';
COMMENT ON COLUMN contact_statistics.salesperson_code IS 'Salesperson responsible for the contact (not a filter on the entries).';
COMMENT ON COLUMN contact_statistics.no_of_interactions IS 'No. of Interactions: entries of the contact (company: with its persons) that are NOT canceled AND NOT postponed.';
COMMENT ON COLUMN contact_statistics.cost IS 'Cost (LCY): sum of cost over the same entries; 0 when none.';
COMMENT ON COLUMN contact_statistics.duration IS 'Duration (Min.): sum of duration over the same entries; 0 when none.';
COMMENT ON COLUMN contact_statistics.date_of_last_interaction IS 'Date of Last Interaction: latest date of the contact''s entries that are not attempt-failed and not postponed; canceled entries DO count here. NULL when none.';
COMMENT ON COLUMN contact_statistics.last_date_attempted IS 'Last Date Attempted: latest date of the contact''s entries initiated by us and not postponed, including failed and canceled ones. NULL when none.';

CREATE VIEW salesperson_statistics AS
SELECT
    sp.code AS salesperson_code,
    sp.name,
    sp.blocked,
    s.no_of_interactions,
    s.cost,
    s.duration
FROM salespeople sp
CROSS JOIN LATERAL (
    SELECT count(*) AS no_of_interactions,
           coalesce(sum(e.cost), 0)::numeric(18,2) AS cost,
           coalesce(sum(e.duration), 0)::numeric(18,2) AS duration
    FROM interaction_log_entries e
    WHERE e.salesperson_code = sp.code AND NOT e.canceled AND NOT e.postponed
) s;
COMMENT ON VIEW salesperson_statistics IS
    'Salesperson Statistics (reference section 4), one row per salesperson: entries with this salesperson code that are not canceled and not postponed (index-only on interaction_log_entries_salesperson_idx).';
COMMENT ON COLUMN salesperson_statistics.salesperson_code IS 'Salesperson code (salespeople.code).';
COMMENT ON COLUMN salesperson_statistics.name IS 'Salesperson name.';
COMMENT ON COLUMN salesperson_statistics.blocked IS 'Whether the salesperson is blocked (still reported).';
COMMENT ON COLUMN salesperson_statistics.no_of_interactions IS 'No. of Interactions: entries with this salesperson code, NOT canceled AND NOT postponed.';
COMMENT ON COLUMN salesperson_statistics.cost IS 'Cost (LCY): sum of cost over the same entries; 0 when none.';
COMMENT ON COLUMN salesperson_statistics.duration IS 'Duration (Min.): sum of duration over the same entries; 0 when none.';

CREATE VIEW interaction_template_statistics AS
SELECT
    t.code AS interaction_template_code,
    t.interaction_group_code,
    t.description,
    s.no_of_interactions,
    s.cost,
    s.duration
FROM interaction_templates t
CROSS JOIN LATERAL (
    SELECT count(*) AS no_of_interactions,
           coalesce(sum(e.cost), 0)::numeric(18,2) AS cost,
           coalesce(sum(e.duration), 0)::numeric(18,2) AS duration
    FROM interaction_log_entries e
    WHERE e.interaction_template_code = t.code AND NOT e.canceled AND NOT e.postponed
) s;
COMMENT ON VIEW interaction_template_statistics IS
    'Interaction Tmpl. Statistics (reference section 4), one row per template: entries logged with the template, not canceled and not postponed (index-only on the partial index interaction_log_entries_template_stats_idx).';
COMMENT ON COLUMN interaction_template_statistics.interaction_template_code IS 'Interaction template code (interaction_templates.code).';
COMMENT ON COLUMN interaction_template_statistics.interaction_group_code IS 'The group the template belongs to now (entries keep the group they were logged with).';
COMMENT ON COLUMN interaction_template_statistics.description IS 'Template description.';
COMMENT ON COLUMN interaction_template_statistics.no_of_interactions IS 'No. of Interactions: entries with this template code, NOT canceled AND NOT postponed.';
COMMENT ON COLUMN interaction_template_statistics.cost IS 'Cost (LCY): sum of cost over the same entries; 0 when none.';
COMMENT ON COLUMN interaction_template_statistics.duration IS 'Duration (Min.): sum of duration over the same entries; 0 when none.';

CREATE VIEW interaction_group_statistics AS
SELECT
    g.code AS interaction_group_code,
    g.description,
    s.no_of_interactions,
    s.cost,
    s.duration
FROM interaction_groups g
CROSS JOIN LATERAL (
    SELECT count(*) AS no_of_interactions,
           coalesce(sum(e.cost), 0)::numeric(18,2) AS cost,
           coalesce(sum(e.duration), 0)::numeric(18,2) AS duration
    FROM interaction_log_entries e
    WHERE e.interaction_group_code = g.code AND NOT e.canceled AND NOT e.postponed
) s;
COMMENT ON VIEW interaction_group_statistics IS
    'Interaction Group Statistics (reference section 4), one row per group: entries logged with the group code (copied from the template at log time), not canceled and not postponed (index-only on the partial index interaction_log_entries_group_stats_idx).';
COMMENT ON COLUMN interaction_group_statistics.interaction_group_code IS 'Interaction group code (interaction_groups.code).';
COMMENT ON COLUMN interaction_group_statistics.description IS 'Group description.';
COMMENT ON COLUMN interaction_group_statistics.no_of_interactions IS 'No. of Interactions: entries with this group code, NOT canceled AND NOT postponed.';
COMMENT ON COLUMN interaction_group_statistics.cost IS 'Cost (LCY): sum of cost over the same entries; 0 when none.';
COMMENT ON COLUMN interaction_group_statistics.duration IS 'Duration (Min.): sum of duration over the same entries; 0 when none.';

CREATE VIEW campaign_statistics AS
SELECT
    c.no AS campaign_no,
    c.description,
    c.starting_date,
    c.ending_date,
    c.salesperson_code,
    s.no_of_interactions,
    s.cost,
    s.duration,
    s.no_of_campaign_responses
FROM campaigns c
CROSS JOIN LATERAL (
    SELECT count(*) AS no_of_interactions,
           coalesce(sum(e.cost), 0)::numeric(18,2) AS cost,
           coalesce(sum(e.duration), 0)::numeric(18,2) AS duration,
           count(*) FILTER (WHERE e.campaign_response) AS no_of_campaign_responses
    FROM interaction_log_entries e
    WHERE e.campaign_no = c.no AND NOT e.canceled AND NOT e.postponed
) s;
COMMENT ON VIEW campaign_statistics IS
    'Interaction statistics per campaign: entries with this campaign no., not canceled and not postponed (read through the partial index interaction_log_entries_campaign_idx).';
COMMENT ON COLUMN campaign_statistics.campaign_no IS 'Campaign No. (campaigns.no).';
COMMENT ON COLUMN campaign_statistics.description IS 'Campaign description.';
COMMENT ON COLUMN campaign_statistics.starting_date IS 'Campaign starting date.';
COMMENT ON COLUMN campaign_statistics.ending_date IS 'Campaign ending date.';
COMMENT ON COLUMN campaign_statistics.salesperson_code IS 'Salesperson responsible for the campaign (not a filter on the entries).';
COMMENT ON COLUMN campaign_statistics.no_of_interactions IS 'No. of Interactions: entries of the campaign, NOT canceled AND NOT postponed.';
COMMENT ON COLUMN campaign_statistics.cost IS 'Cost (LCY): sum of cost over the same entries; 0 when none.';
COMMENT ON COLUMN campaign_statistics.duration IS 'Duration (Min.): sum of duration over the same entries; 0 when none.';
COMMENT ON COLUMN campaign_statistics.no_of_campaign_responses IS 'How many of those entries are marked as a campaign response.';

CREATE VIEW logged_segment_statistics AS
SELECT
    ls.entry_no AS logged_segment_entry_no,
    ls.segment_no,
    ls.description,
    ls.creation_date,
    ls.user_id,
    ls.canceled,
    s.no_of_interactions,
    s.cost,
    s.duration,
    (SELECT count(*) FROM campaign_entries ce
     WHERE ce.register_no = ls.entry_no AND ce.canceled = ls.canceled) AS no_of_campaign_entries
FROM logged_segments ls
CROSS JOIN LATERAL (
    SELECT count(*) AS no_of_interactions,
           coalesce(sum(e.cost), 0)::numeric(18,2) AS cost,
           coalesce(sum(e.duration), 0)::numeric(18,2) AS duration
    FROM interaction_log_entries e
    WHERE e.logged_segment_entry_no = ls.entry_no
      AND ((NOT ls.canceled AND NOT e.canceled AND NOT e.postponed)
           OR (ls.canceled AND e.canceled AND NOT e.postponed))
) s;
COMMENT ON VIEW logged_segment_statistics IS
    'Logged Segment statistics (reference 1.14 and section 4), one row per logged segment. As in BC, the entries counted are those whose Canceled equals the logged segment''s Canceled: an active logged segment counts its entries that are NOT canceled AND NOT postponed, a canceled one its canceled entries (canceling a logged segment cancels all its entries). Read through interaction_log_entries_logged_segment_idx.';
COMMENT ON COLUMN logged_segment_statistics.logged_segment_entry_no IS 'Entry No. of the logged segment (logged_segments.entry_no).';
COMMENT ON COLUMN logged_segment_statistics.segment_no IS 'No. of the segment that was logged.';
COMMENT ON COLUMN logged_segment_statistics.description IS 'Segment description.';
COMMENT ON COLUMN logged_segment_statistics.creation_date IS 'Date the segment was logged.';
COMMENT ON COLUMN logged_segment_statistics.user_id IS 'User who logged the segment.';
COMMENT ON COLUMN logged_segment_statistics.canceled IS 'Whether the logged segment is canceled; selects which of its entries count.';
COMMENT ON COLUMN logged_segment_statistics.no_of_interactions IS 'No. of Interactions: its entries whose canceled equals the logged segment''s, not postponed.';
COMMENT ON COLUMN logged_segment_statistics.cost IS 'Cost (LCY): sum of cost over the same entries; 0 when none.';
COMMENT ON COLUMN logged_segment_statistics.duration IS 'Duration (Min.): sum of duration over the same entries; 0 when none.';
COMMENT ON COLUMN logged_segment_statistics.no_of_campaign_entries IS 'No. of Campaign Entries: campaign entries with register_no = this logged segment and the same canceled value.';

-- Grants last, so that they cover the views above.
SELECT rapport_grant_roles();
