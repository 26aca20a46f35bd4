-- 0015_write_path: the ledger's insert guard as cheap for one row as a plain foreign key, and the
-- idempotency key written once, with its reply.
--
-- The guard of 0012 ran one dynamic statement per parent table (EXECUTE format(...)): each was parsed
-- and planned again on every insert, about half a millisecond for a one-row INSERT. For up to 64 rows
-- this version runs static SQL, so PL/pgSQL keeps its plan: one statement checks and locks (FOR KEY
-- SHARE, as a foreign key does) every parent of every new row; only a violation runs more, to name
-- the missing key. More rows (a logged segment) keep 0012's statements, planned for the rows at hand
-- (a plan made once for a few rows would be the wrong one for 100,000).
-- Same guarantees, same SQLSTATE 23503, same constraint names and order of checks as before.

CREATE OR REPLACE FUNCTION rapport_log_entries_check_parents() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    m    record;
    k    text;
    d    record;
    bad  bigint;
    t    text := 'interaction_log_entries';
BEGIN
    -- Many rows (a logged segment): 0012's statements, planned for the rows at hand.
    IF (SELECT count(*) FROM new_rows) > 64 THEN
        -- One pass over the new rows for the small master tables (few distinct values).
        WITH s AS MATERIALIZED (
            SELECT DISTINCT user_id, interaction_group_code, interaction_template_code, campaign_no, campaign_entry_no,
                   salesperson_code, logged_segment_entry_no, interaction_language_code, attachment_no
            FROM new_rows)
        SELECT (SELECT array_agg(DISTINCT user_id::text) FROM s WHERE user_id IS NOT NULL) AS users,
               (SELECT array_agg(DISTINCT interaction_group_code::text) FROM s
                 WHERE interaction_group_code IS NOT NULL) AS groups,
               (SELECT array_agg(DISTINCT interaction_template_code::text) FROM s
                 WHERE interaction_template_code IS NOT NULL) AS templates,
               (SELECT array_agg(DISTINCT campaign_no::text) FROM s WHERE campaign_no IS NOT NULL) AS campaigns,
               (SELECT array_agg(DISTINCT campaign_entry_no::text) FROM s
                 WHERE campaign_entry_no IS NOT NULL) AS campaign_entries,
               (SELECT array_agg(DISTINCT salesperson_code::text) FROM s WHERE salesperson_code IS NOT NULL) AS salespeople,
               (SELECT array_agg(DISTINCT logged_segment_entry_no::text) FROM s
                 WHERE logged_segment_entry_no IS NOT NULL) AS logged,
               (SELECT array_agg(DISTINCT interaction_language_code::text) FROM s
                 WHERE interaction_language_code IS NOT NULL) AS languages,
               (SELECT array_agg(DISTINCT attachment_no::text) FROM s WHERE attachment_no IS NOT NULL) AS attachments,
               (SELECT s.campaign_entry_no FROM s WHERE s.campaign_entry_no IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM campaign_entries ce
                                  WHERE ce.entry_no = s.campaign_entry_no AND ce.campaign_no = s.campaign_no)
                LIMIT 1) AS bad_pair
        INTO d FROM (SELECT 1) one;
        PERFORM rapport_require_parents('users', 'user_id', 'text', d.users,
            t, 'user_id', 'interaction_log_entries_user_id_fkey');
        PERFORM rapport_require_parents('interaction_groups', 'code', 'text', d.groups,
            t, 'interaction_group_code', 'interaction_log_entries_interaction_group_code_fkey');
        PERFORM rapport_require_parents('interaction_templates', 'code', 'text', d.templates,
            t, 'interaction_template_code', 'interaction_log_entries_interaction_template_code_fkey');
        PERFORM rapport_require_parents('campaigns', 'no', 'text', d.campaigns,
            t, 'campaign_no', 'interaction_log_entries_campaign_no_fkey');
        PERFORM rapport_require_parents('salespeople', 'code', 'text', d.salespeople,
            t, 'salesperson_code', 'interaction_log_entries_salesperson_code_fkey');
        PERFORM rapport_require_parents('logged_segments', 'entry_no', 'bigint', d.logged,
            t, 'logged_segment_entry_no', 'interaction_log_entries_logged_segment_entry_no_fkey');
        PERFORM rapport_require_parents('languages', 'code', 'text', d.languages,
            t, 'interaction_language_code', 'interaction_log_entries_interaction_language_code_fkey');
        PERFORM rapport_require_parents('attachments', 'no', 'bigint', d.attachments,
            t, 'attachment_no', 'interaction_log_entries_attachment_no_fkey');
        PERFORM rapport_require_parents('campaign_entries', 'entry_no', 'bigint', d.campaign_entries,
            t, 'campaign_entry_no', 'interaction_log_entries_campaign_entry_fk');
        bad := d.bad_pair;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"',
                    t, 'interaction_log_entries_campaign_entry_fk'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'interaction_log_entries_campaign_entry_fk',
                      TABLE = t,
                      DETAIL = format('Key (campaign_no, campaign_entry_no)=(…, %s) is not present in table '
                                      '"campaign_entries".', bad);
        END IF;
        -- Contacts: at most one key per row; checked and locked in one statement.
        PERFORM rapport_require_parents('contacts', 'no', 'text',
            ARRAY(SELECT DISTINCT v.k FROM new_rows n
                  CROSS JOIN LATERAL (VALUES (n.contact_no::text), (n.contact_company_no::text)) v(k)
                  WHERE v.k IS NOT NULL),
            t, 'contact_no, contact_company_no', 'interaction_log_entries_contact_no_fkey');
        RETURN NULL;
    END IF;
    -- A few rows (one interaction, a batch of them): one planned-once statement.
    -- The small master tables have few distinct keys however many rows (a logged segment: 100,000);
    -- contacts have one or two per row and get their own set.
    WITH s AS MATERIALIZED (
        SELECT DISTINCT user_id, interaction_group_code, interaction_template_code, campaign_no, campaign_entry_no,
               salesperson_code, logged_segment_entry_no, interaction_language_code, attachment_no
        FROM new_rows),
    ck AS MATERIALIZED (
        SELECT n.contact_no AS k FROM new_rows n WHERE n.contact_no IS NOT NULL
        UNION SELECT n.contact_company_no FROM new_rows n WHERE n.contact_company_no IS NOT NULL),
    u AS MATERIALIZED (SELECT 1 FROM users p WHERE p.user_id IN (SELECT s.user_id FROM s) FOR KEY SHARE OF p),
    g AS MATERIALIZED (SELECT 1 FROM interaction_groups p
                       WHERE p.code IN (SELECT s.interaction_group_code FROM s) FOR KEY SHARE OF p),
    tp AS MATERIALIZED (SELECT 1 FROM interaction_templates p
                        WHERE p.code IN (SELECT s.interaction_template_code FROM s) FOR KEY SHARE OF p),
    c AS MATERIALIZED (SELECT 1 FROM campaigns p WHERE p.no IN (SELECT s.campaign_no FROM s) FOR KEY SHARE OF p),
    sp AS MATERIALIZED (SELECT 1 FROM salespeople p
                        WHERE p.code IN (SELECT s.salesperson_code FROM s) FOR KEY SHARE OF p),
    ls AS MATERIALIZED (SELECT 1 FROM logged_segments p
                        WHERE p.entry_no IN (SELECT s.logged_segment_entry_no FROM s) FOR KEY SHARE OF p),
    la AS MATERIALIZED (SELECT 1 FROM languages p
                        WHERE p.code IN (SELECT s.interaction_language_code FROM s) FOR KEY SHARE OF p),
    a AS MATERIALIZED (SELECT 1 FROM attachments p
                       WHERE p.no IN (SELECT s.attachment_no FROM s) FOR KEY SHARE OF p),
    ce AS MATERIALIZED (SELECT p.entry_no, p.campaign_no FROM campaign_entries p
                        WHERE p.entry_no IN (SELECT s.campaign_entry_no FROM s) FOR KEY SHARE OF p),
    co AS MATERIALIZED (SELECT 1 FROM contacts p WHERE p.no IN (SELECT ck.k FROM ck) FOR KEY SHARE OF p)
    SELECT (SELECT count(DISTINCT s.user_id) FROM s) > (SELECT count(*) FROM u) AS users,
           (SELECT count(DISTINCT s.interaction_group_code) FROM s) > (SELECT count(*) FROM g) AS groups,
           (SELECT count(DISTINCT s.interaction_template_code) FROM s) > (SELECT count(*) FROM tp) AS templates,
           (SELECT count(DISTINCT s.campaign_no) FROM s) > (SELECT count(*) FROM c) AS campaigns,
           (SELECT count(DISTINCT s.salesperson_code) FROM s) > (SELECT count(*) FROM sp) AS salespeople,
           (SELECT count(DISTINCT s.logged_segment_entry_no) FROM s) > (SELECT count(*) FROM ls) AS logged,
           (SELECT count(DISTINCT s.interaction_language_code) FROM s) > (SELECT count(*) FROM la) AS languages,
           (SELECT count(DISTINCT s.attachment_no) FROM s) > (SELECT count(*) FROM a) AS attachments,
           (SELECT count(DISTINCT s.campaign_entry_no) FROM s) > (SELECT count(*) FROM ce) AS campaign_entries,
           (SELECT s.campaign_entry_no FROM s WHERE s.campaign_entry_no IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ce WHERE ce.entry_no = s.campaign_entry_no
                                                 AND ce.campaign_no = s.campaign_no)
            LIMIT 1) AS bad_pair,
           (SELECT count(*) FROM ck) > (SELECT count(*) FROM co) AS contacts
    INTO m;

    -- Only on a violation: the first missing key of the first violated reference, in 0012's order.
    IF m.users THEN
        SELECT n.user_id INTO k FROM new_rows n
        WHERE n.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users p WHERE p.user_id = n.user_id) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'user_id', k, 'users', 'interaction_log_entries_user_id_fkey');
    END IF;
    IF m.groups THEN
        SELECT n.interaction_group_code INTO k FROM new_rows n
        WHERE n.interaction_group_code IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM interaction_groups p WHERE p.code = n.interaction_group_code) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'interaction_group_code', k, 'interaction_groups',
            'interaction_log_entries_interaction_group_code_fkey');
    END IF;
    IF m.templates THEN
        SELECT n.interaction_template_code INTO k FROM new_rows n
        WHERE n.interaction_template_code IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM interaction_templates p WHERE p.code = n.interaction_template_code) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'interaction_template_code', k, 'interaction_templates',
            'interaction_log_entries_interaction_template_code_fkey');
    END IF;
    IF m.campaigns THEN
        SELECT n.campaign_no INTO k FROM new_rows n
        WHERE n.campaign_no IS NOT NULL AND NOT EXISTS (SELECT 1 FROM campaigns p WHERE p.no = n.campaign_no) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'campaign_no', k, 'campaigns',
            'interaction_log_entries_campaign_no_fkey');
    END IF;
    IF m.salespeople THEN
        SELECT n.salesperson_code INTO k FROM new_rows n
        WHERE n.salesperson_code IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM salespeople p WHERE p.code = n.salesperson_code) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'salesperson_code', k, 'salespeople',
            'interaction_log_entries_salesperson_code_fkey');
    END IF;
    IF m.logged THEN
        SELECT n.logged_segment_entry_no::text INTO k FROM new_rows n
        WHERE n.logged_segment_entry_no IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM logged_segments p WHERE p.entry_no = n.logged_segment_entry_no) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'logged_segment_entry_no', k, 'logged_segments',
            'interaction_log_entries_logged_segment_entry_no_fkey');
    END IF;
    IF m.languages THEN
        SELECT n.interaction_language_code INTO k FROM new_rows n
        WHERE n.interaction_language_code IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM languages p WHERE p.code = n.interaction_language_code) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'interaction_language_code', k, 'languages',
            'interaction_log_entries_interaction_language_code_fkey');
    END IF;
    IF m.attachments THEN
        SELECT n.attachment_no::text INTO k FROM new_rows n
        WHERE n.attachment_no IS NOT NULL AND NOT EXISTS (SELECT 1 FROM attachments p WHERE p.no = n.attachment_no)
        LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'attachment_no', k, 'attachments',
            'interaction_log_entries_attachment_no_fkey');
    END IF;
    IF m.campaign_entries THEN
        SELECT n.campaign_entry_no::text INTO k FROM new_rows n
        WHERE n.campaign_entry_no IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM campaign_entries p WHERE p.entry_no = n.campaign_entry_no) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'campaign_entry_no', k, 'campaign_entries',
            'interaction_log_entries_campaign_entry_fk');
    END IF;
    IF m.bad_pair IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"',
                t, 'interaction_log_entries_campaign_entry_fk'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'interaction_log_entries_campaign_entry_fk',
                  TABLE = t,
                  DETAIL = format('Key (campaign_no, campaign_entry_no)=(…, %s) is not present in table '
                                  '"campaign_entries".', m.bad_pair);
    END IF;
    IF m.contacts THEN
        SELECT v.k INTO k FROM new_rows n
        CROSS JOIN LATERAL (VALUES (n.contact_no::text), (n.contact_company_no::text)) v(k)
        WHERE v.k IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts p WHERE p.no = v.k) LIMIT 1;
        PERFORM rapport_raise_missing_parent(t, 'contact_no, contact_company_no', k, 'contacts',
            'interaction_log_entries_contact_no_fkey');
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_log_entries_check_parents() IS
    'AFTER INSERT statement trigger on interaction_log_entries (transition table new_rows): the set-based replacement of its foreign keys to contacts, attachments, users, groups, templates, campaigns, salespeople, logged segments, languages and campaign entries. Static SQL (0015): one planned-once statement checks and locks every parent FOR KEY SHARE; a violation is named by a second look.';

CREATE FUNCTION rapport_raise_missing_parent(
    child_table text, child_column text, missing text, parent_table text, constraint_name text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', child_table, constraint_name
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = constraint_name, TABLE = child_table,
              DETAIL = format('Key (%s)=(%s) is not present in table "%s".', child_column, missing, parent_table);
END
$$;
COMMENT ON FUNCTION rapport_raise_missing_parent(text, text, text, text, text) IS
    'Raises SQLSTATE 23503 naming constraint_name and the missing key, as a foreign key check would (0015).';

COMMENT ON COLUMN idempotency_keys.response IS
    'The reply sent for the first execution, returned verbatim on retry. The key is inserted with its reply when the command commits (0015); a concurrent request with the same key fails on the primary key and answers with this reply.';
