CREATE OR REPLACE FUNCTION rapport_log_entries_check_parents() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    m    record;
    r    record;
    t    text := 'interaction_log_entries';
BEGIN
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
    -- One index scan for the whole key array (= ANY of an array), not a nested loop of one index scan per
    -- key: the same probes and locks, without the per-row executor work of the join (0023).
    co AS MATERIALIZED (SELECT 1 FROM contacts p WHERE p.no = ANY (ARRAY(SELECT ck.k FROM ck)) FOR KEY SHARE OF p)
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

    IF NOT (m.users OR m.groups OR m.templates OR m.campaigns OR m.salespeople OR m.logged OR m.languages
            OR m.attachments OR m.campaign_entries OR m.bad_pair IS NOT NULL OR m.contacts) THEN
        RETURN NULL;
    END IF;
    -- A violation: name the first missing key of the first violated reference, in 0012's order.
    FOR r IN
        SELECT * FROM (VALUES
            (1, 'users', 'user_id', 'text',
             ARRAY(SELECT DISTINCT n.user_id::text FROM new_rows n WHERE n.user_id IS NOT NULL),
             'user_id', 'interaction_log_entries_user_id_fkey'),
            (2, 'interaction_groups', 'code', 'text',
             ARRAY(SELECT DISTINCT n.interaction_group_code::text FROM new_rows n
                   WHERE n.interaction_group_code IS NOT NULL),
             'interaction_group_code', 'interaction_log_entries_interaction_group_code_fkey'),
            (3, 'interaction_templates', 'code', 'text',
             ARRAY(SELECT DISTINCT n.interaction_template_code::text FROM new_rows n
                   WHERE n.interaction_template_code IS NOT NULL),
             'interaction_template_code', 'interaction_log_entries_interaction_template_code_fkey'),
            (4, 'campaigns', 'no', 'text',
             ARRAY(SELECT DISTINCT n.campaign_no::text FROM new_rows n WHERE n.campaign_no IS NOT NULL),
             'campaign_no', 'interaction_log_entries_campaign_no_fkey'),
            (5, 'salespeople', 'code', 'text',
             ARRAY(SELECT DISTINCT n.salesperson_code::text FROM new_rows n WHERE n.salesperson_code IS NOT NULL),
             'salesperson_code', 'interaction_log_entries_salesperson_code_fkey'),
            (6, 'logged_segments', 'entry_no', 'bigint',
             ARRAY(SELECT DISTINCT n.logged_segment_entry_no::text FROM new_rows n
                   WHERE n.logged_segment_entry_no IS NOT NULL),
             'logged_segment_entry_no', 'interaction_log_entries_logged_segment_entry_no_fkey'),
            (7, 'languages', 'code', 'text',
             ARRAY(SELECT DISTINCT n.interaction_language_code::text FROM new_rows n
                   WHERE n.interaction_language_code IS NOT NULL),
             'interaction_language_code', 'interaction_log_entries_interaction_language_code_fkey'),
            (8, 'attachments', 'no', 'bigint',
             ARRAY(SELECT DISTINCT n.attachment_no::text FROM new_rows n WHERE n.attachment_no IS NOT NULL),
             'attachment_no', 'interaction_log_entries_attachment_no_fkey'),
            (9, 'campaign_entries', 'entry_no', 'bigint',
             ARRAY(SELECT DISTINCT n.campaign_entry_no::text FROM new_rows n WHERE n.campaign_entry_no IS NOT NULL),
             'campaign_entry_no', 'interaction_log_entries_campaign_entry_fk')
        ) v(step, parent_table, parent_column, key_type, keys, child_column, constraint_name)
        ORDER BY step
    LOOP
        PERFORM rapport_require_parents(r.parent_table, r.parent_column, r.key_type, r.keys,
            t, r.child_column, r.constraint_name);
    END LOOP;
    IF m.bad_pair IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"',
                t, 'interaction_log_entries_campaign_entry_fk'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'interaction_log_entries_campaign_entry_fk',
                  TABLE = t,
                  DETAIL = format('Key (campaign_no, campaign_entry_no)=(…, %s) is not present in table '
                                  '"campaign_entries".', m.bad_pair);
    END IF;
    PERFORM rapport_require_parents('contacts', 'no', 'text',
        ARRAY(SELECT DISTINCT v.k FROM new_rows n
              CROSS JOIN LATERAL (VALUES (n.contact_no::text), (n.contact_company_no::text)) v(k)
              WHERE v.k IS NOT NULL),
        t, 'contact_no, contact_company_no', 'interaction_log_entries_contact_no_fkey');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_log_entries_check_parents() IS
    'AFTER INSERT statement trigger on interaction_log_entries (transition table new_rows): the set-based replacement of its foreign keys to contacts, attachments, users, groups, templates, campaigns, salespeople, logged segments, languages and campaign entries. Static SQL (0015): one planned-once statement checks and locks every parent FOR KEY SHARE, the contacts in one index scan over their key array (0023); only a violation runs rapport_require_parents, to name the missing key.';
