-- 0023_segment_log_bulk: a 100,000-line LOG-SEGMENT made cheaper in the ledger's insert guard and in its
-- running totals, with the same guarantees (issue 12's P3 bar; figures and breakdown in BENCHMARKS.md, "P3").
--
-- 1. The guard locks the new rows' contacts in one index scan.
--
-- 0015's guard checks and locks the contacts of the new rows with `p.no IN (SELECT ck.k FROM ck)`.
-- PostgreSQL cannot estimate how many distinct keys a transition table yields, guesses 200, and plans a
-- nested loop: one index scan of contacts_pkey per key, each started and ended by the executor. For a
-- logged segment that is 100,000 scans. `p.no = ANY (ARRAY(SELECT ck.k FROM ck))` is one index scan over
-- the sorted key array: the same descents, the same rows locked FOR KEY SHARE, without a scan node per
-- key; for one row it is one probe, as before. The plan does not depend on the size PostgreSQL saw when it
-- first planned the statement (PL/pgSQL keeps the plan for the session), so single inserts and a
-- LOG-SEGMENT both get a good one. Measured in a scratch copy of the benchmark's database (loaded machine,
-- interleaved): the guard's statement alone 0.86–0.97 s with the join, 0.55–0.58 s as below; the whole
-- 100,000-row INSERT … SELECT 5.70 s → 4.74 s (mean of three pairs).
-- Everything else is 0015's function unchanged: same checks, same locks, same SQLSTATE 23503 and
-- constraint names, same order.
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

---------------------------------------------------------------------------------------------------
-- 2. A LOG-SEGMENT's contact totals as append-only deltas, folded in later (issue 12 allows either)
---------------------------------------------------------------------------------------------------
-- The totals trigger of 0016 upserts one row per contact and per company and day: for a 100,000-line
-- LOG-SEGMENT ≈ 100,000 `INSERT … ON CONFLICT` into interaction_totals, whose primary key
-- (kind, key, day, slot) and unfolded-slot index each take an insertion per row (measured on the
-- benchmark's data, 100,000 aggregated rows: upsert 1.2–1.6 s; the same rows as a plain insert into a
-- heap with a hash index on key 0.45–0.56 s; without any index 0.16–0.23 s).
--
-- A statement that the server marks as bulk (LOG-SEGMENT: `set_config('rapport.totals_deltas', 'on',
-- true)` around its ledger insert) appends its contact and company rows to interaction_totals_deltas
-- instead, in the same transaction (the totals still commit or roll back with the ledger). Its other rows
-- (template, salesperson, group, campaign, logged segment, campaign entry: a handful) are upserted as
-- before. Readers take both tables through the view interaction_totals_all: a contact's statistics read
-- its totals rows and its delta rows (one per bulk statement since the last fold, found by the hash
-- index), still a handful. `rapportd stats compact` folds every delta into slot 0 of the totals
-- (rapport_totals_fold_deltas, one transaction: readers see the delta or its folded sum, never both);
-- verify compares the ledger with both; rebuild replaces both for its keys. Without the setting (psql,
-- a DBA, every other command) nothing changes.

CREATE TABLE interaction_totals_deltas (
    kind               text     NOT NULL CHECK (kind IN ('contact', 'company')),
    key                text     NOT NULL,
    day                date     NOT NULL,
    entries            bigint   NOT NULL DEFAULT 0,
    cost               numeric  NOT NULL DEFAULT 0,
    duration           numeric  NOT NULL DEFAULT 0,
    canceled_entries   bigint   NOT NULL DEFAULT 0,
    canceled_cost      numeric  NOT NULL DEFAULT 0,
    canceled_duration  numeric  NOT NULL DEFAULT 0,
    responses          bigint   NOT NULL DEFAULT 0,
    reached            bigint   NOT NULL DEFAULT 0,
    attempted          bigint   NOT NULL DEFAULT 0
);
CREATE INDEX interaction_totals_deltas_key_idx ON interaction_totals_deltas USING hash (key);
COMMENT ON TABLE interaction_totals_deltas IS
    'Running totals of contacts and companies added by bulk statements (a LOG-SEGMENT, 0023), appended in the ledger''s transaction and folded into interaction_totals by rapport_totals_fold_deltas (`rapportd stats compact`). Same columns and meaning as interaction_totals; several rows per key and day add up. Read through interaction_totals_all.';
COMMENT ON INDEX interaction_totals_deltas_key_idx IS
    'A contact''s or company''s delta rows (equality on key; a hash index costs a LOG-SEGMENT a third of a b-tree).';

CREATE VIEW interaction_totals_all AS
SELECT t.kind, t.key, t.day, t.slot, t.entries, t.cost, t.duration, t.canceled_entries, t.canceled_cost,
       t.canceled_duration, t.responses, t.reached, t.attempted
FROM interaction_totals t
UNION ALL
SELECT d.kind, d.key, d.day, (-1)::smallint, d.entries, d.cost, d.duration, d.canceled_entries, d.canceled_cost,
       d.canceled_duration, d.responses, d.reached, d.attempted
FROM interaction_totals_deltas d;
COMMENT ON VIEW interaction_totals_all IS
    'The running totals as readers see them: interaction_totals and the unfolded deltas of bulk statements (slot -1). Sum over the rows of a kind, key and day.';

-- Same columns, same meaning: the comments of interaction_totals' columns.
DO $do$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT a.attname, col_description(a.attrelid, a.attnum) AS comment
        FROM pg_attribute a
        WHERE a.attrelid = 'interaction_totals'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        IF c.attname <> 'slot' THEN
            EXECUTE format('COMMENT ON COLUMN interaction_totals_deltas.%I IS %L', c.attname, c.comment);
        END IF;
        EXECUTE format('COMMENT ON COLUMN interaction_totals_all.%I IS %L', c.attname,
                       CASE WHEN c.attname = 'slot'
                            THEN 'The slot of an interaction_totals row; -1 for an unfolded delta.'
                            ELSE c.comment END);
    END LOOP;
END
$do$;

-- The insert trigger: under rapport.totals_deltas = on, contact and company rows are appended as deltas.
DO $do$
DECLARE
    added constant text := '(SELECT n.*, 1 AS sign FROM new_rows n) e';
    columns constant text := 'kind, key, day, entries, cost, duration, canceled_entries, canceled_cost, '
                             'canceled_duration, responses, reached, attempted';
BEGIN
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION rapport_log_entries_totals_insert() RETURNS trigger LANGUAGE plpgsql '
        'SET work_mem = ''256MB'' AS %L',
        format(
            $body$
            BEGIN
                IF current_setting('rapport.totals_deltas', true) = 'on' THEN
                    WITH d AS MATERIALIZED (%1$s),
                    deltas AS (
                        INSERT INTO interaction_totals_deltas (%2$s)
                        SELECT %2$s FROM d WHERE d.kind IN ('contact', 'company'))
                    %3$s;
                ELSE
                    %4$s;
                END IF;
                RETURN NULL;
            END
            $body$,
            rapport_totals_query(added), columns,
            rapport_totals_upsert('SELECT d.* FROM d WHERE d.kind NOT IN (''contact'', ''company'')'),
            rapport_totals_upsert(rapport_totals_query(added))));
END
$do$;
COMMENT ON FUNCTION rapport_log_entries_totals_insert() IS
    'AFTER INSERT statement trigger of interaction_log_entries (0016, 0023): adds the new rows to the running totals in the writing backend''s slot; under rapport.totals_deltas = on (a LOG-SEGMENT) the contact and company rows go to interaction_totals_deltas instead.';

-- Moves every delta into slot 0 of the totals (one statement: readers see one or the other).
CREATE FUNCTION rapport_totals_fold_deltas() RETURNS bigint
LANGUAGE plpgsql SET work_mem = '256MB' AS $$
DECLARE
    folded bigint;
BEGIN
    WITH moved AS (
        DELETE FROM interaction_totals_deltas d RETURNING d.*),
    sums AS (
        SELECT m.kind, m.key, m.day, sum(m.entries) AS entries, sum(m.cost) AS cost, sum(m.duration) AS duration,
               sum(m.canceled_entries) AS canceled_entries, sum(m.canceled_cost) AS canceled_cost,
               sum(m.canceled_duration) AS canceled_duration, sum(m.responses) AS responses,
               sum(m.reached) AS reached, sum(m.attempted) AS attempted
        FROM moved m GROUP BY m.kind, m.key, m.day),
    upserted AS (
        INSERT INTO interaction_totals AS t (kind, key, day, slot, entries, cost, duration, canceled_entries,
                                             canceled_cost, canceled_duration, responses, reached, attempted)
        SELECT s.kind, s.key, s.day, 0, s.entries, s.cost, s.duration, s.canceled_entries, s.canceled_cost,
               s.canceled_duration, s.responses, s.reached, s.attempted
        FROM sums s
        ON CONFLICT (kind, key, day, slot) DO UPDATE SET
            entries = t.entries + excluded.entries, cost = t.cost + excluded.cost,
            duration = t.duration + excluded.duration,
            canceled_entries = t.canceled_entries + excluded.canceled_entries,
            canceled_cost = t.canceled_cost + excluded.canceled_cost,
            canceled_duration = t.canceled_duration + excluded.canceled_duration,
            responses = t.responses + excluded.responses, reached = t.reached + excluded.reached,
            attempted = t.attempted + excluded.attempted
        RETURNING 1)
    SELECT count(*) INTO folded FROM upserted;
    RETURN folded;
END
$$;
COMMENT ON FUNCTION rapport_totals_fold_deltas() IS
    'Folds every row of interaction_totals_deltas into slot 0 of interaction_totals and deletes it, in one statement. Returns the number of keys and days folded. Safe while the server writes (rows appended meanwhile wait for the next fold).';

-- Compaction folds the deltas first (`rapportd stats compact`); the rest is 0016's function.
DO $do$
DECLARE
    body text;
BEGIN
    SELECT p.prosrc INTO body FROM pg_proc p WHERE p.oid = 'rapport_totals_compact(date)'::regprocedure;
    IF position('BEGIN' IN body) = 0 OR position('RETURN folded;' IN body) = 0 THEN
        RAISE EXCEPTION 'rapport_totals_compact is not the function of 0016';
    END IF;
    body := regexp_replace(body, '\mBEGIN\M', 'BEGIN' || E'\n    deltas := rapport_totals_fold_deltas();');
    body := replace(body, 'RETURN folded;', 'RETURN folded + deltas;');
    body := replace(body, 'DECLARE', E'DECLARE\n    deltas bigint;');
    EXECUTE format('CREATE OR REPLACE FUNCTION rapport_totals_compact(before date) RETURNS bigint '
                   'LANGUAGE plpgsql SET work_mem = ''256MB'' AS %L', body);
END
$do$;
COMMENT ON FUNCTION rapport_totals_compact(date) IS
    'Folds the deltas of bulk statements (0023) and the slots of every key and day before the given date into slot 0 and drops rows that then count nothing. Returns the number of keys and days folded. Visits only unfolded rows (interaction_totals_deltas, interaction_totals_unfolded_idx). Safe while the server writes (`rapportd stats compact`, daily timer in deploy/).';

-- Verify, the keys a rebuild visits and the rebuild itself see the deltas; TRUNCATE of the ledger empties
-- them too. Each is 0016's function with its totals reads pointed at interaction_totals_all.
DO $do$
DECLARE
    body text;
    before text;
BEGIN
    SELECT p.prosrc INTO body FROM pg_proc p WHERE p.oid = 'rapport_totals_differences()'::regprocedure;
    before := body;
    body := replace(body, 'FROM interaction_totals t', 'FROM interaction_totals_all t');
    IF body = before THEN RAISE EXCEPTION 'rapport_totals_differences is not the function of 0016'; END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION rapport_totals_differences() '
                   'RETURNS TABLE (kind text, key text, day date, ledger text, totals text) '
                   'LANGUAGE plpgsql STABLE SET work_mem = ''256MB'' AS %L', body);

    SELECT p.prosrc INTO body FROM pg_proc p WHERE p.oid = 'rapport_totals_keys(text)'::regprocedure;
    before := body;
    body := replace(body, 'SELECT key FROM interaction_totals WHERE', 'SELECT key FROM interaction_totals_all WHERE');
    IF body = before THEN RAISE EXCEPTION 'rapport_totals_keys is not the function of 0016'; END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION rapport_totals_keys(family text) RETURNS SETOF text '
                   'LANGUAGE plpgsql STABLE AS %L', body);

    SELECT p.prosrc INTO body FROM pg_proc p WHERE p.oid = 'rapport_totals_rebuild(text, text[])'::regprocedure;
    before := body;
    body := replace(body,
        $s$DELETE FROM interaction_totals WHERE kind IN (family, family || '-month') AND key = ANY (keys);$s$,
        $s$DELETE FROM interaction_totals WHERE kind IN (family, family || '-month') AND key = ANY (keys);
    DELETE FROM interaction_totals_deltas WHERE kind = family AND key = ANY (keys);$s$);
    IF body = before THEN RAISE EXCEPTION 'rapport_totals_rebuild is not the function of 0016'; END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION rapport_totals_rebuild(family text, keys text[]) RETURNS bigint '
                   'LANGUAGE plpgsql AS %L', body);
END
$do$;

CREATE OR REPLACE FUNCTION rapport_log_entries_totals_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE interaction_totals, interaction_totals_deltas;
    RETURN NULL;
END
$$;

-- The contact views read the deltas as well (same names, same columns).
CREATE OR REPLACE VIEW contact_statistics AS
SELECT
    c.no AS contact_no,
    c.type,
    c.company_no,
    c.name,
    c.salesperson_code,
    coalesce(s.no_of_interactions, 0)::bigint AS no_of_interactions,
    coalesce(s.cost, 0)::numeric(18,2) AS cost,
    coalesce(s.duration, 0)::numeric(18,2) AS duration,
    s.date_of_last_interaction,
    s.last_date_attempted
FROM contacts c
CROSS JOIN LATERAL (
    -- a company: its own entries and those of its persons; a person: only its own
    SELECT sum(d.entries) AS no_of_interactions, sum(d.cost) AS cost, sum(d.duration) AS duration,
           max(d.day) FILTER (WHERE d.reached > 0) AS date_of_last_interaction,
           max(d.day) FILTER (WHERE d.attempted > 0) AS last_date_attempted
    FROM (SELECT t.day, sum(t.entries) AS entries, sum(t.cost) AS cost, sum(t.duration) AS duration,
                 sum(t.reached) AS reached, sum(t.attempted) AS attempted
          FROM interaction_totals_all t
          WHERE t.kind = CASE c.type WHEN 'company' THEN 'company' ELSE 'contact' END AND t.key = c.no
          GROUP BY t.day) d
) s;

CREATE OR REPLACE VIEW contact_daily_statistics AS
SELECT CASE t.kind WHEN 'company' THEN 'company' ELSE 'person' END AS scope, t.key AS contact_no, t.day,
       sum(t.entries)::bigint AS no_of_interactions, sum(t.cost)::numeric(18,2) AS cost,
       sum(t.duration)::numeric(18,2) AS duration
FROM interaction_totals_all t WHERE t.kind IN ('contact', 'company')
GROUP BY t.kind, t.key, t.day;

SELECT rapport_grant_roles();
