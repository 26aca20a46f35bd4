-- 0016_running_totals: statistics read from running totals kept in the ledger's own transactions.
--
-- Business Central keeps SIFT sums beside its ledgers; this is the PostgreSQL version. Statement-level
-- triggers on interaction_log_entries (transition tables, so a 100,000-line LOG-SEGMENT is one
-- aggregate, not 100,000 row triggers) add every change of the ledger to interaction_totals in the same
-- transaction: whatever changes the ledger (a command, a cascade, a DBA's UPDATE) changes the totals,
-- and both commit or roll back together. A statistic reads a handful of rows instead of scanning the
-- entries it sums.
--
-- Keys (kind): per day for contact, company (a company with its persons), salesperson, template, group
-- and campaign; per month as well for salesperson, template, group and campaign (a range of years reads
-- its whole months there and only the partial months per day); for all time (day = 'infinity') for a
-- logged segment and a campaign entry. A contact has few entries per month, so it keeps day rows only:
-- that keeps a 100,000-line LOG-SEGMENT to one new row per contact.
--
-- Hot keys: sessions logging for the same template at once would queue on its row until each commits.
-- Every backend writes to its own slot (pg_backend_pid() % 1024) of a key, so concurrent transactions
-- rarely touch the same row; readers sum the slots, of which a key and day has as many as backends
-- wrote to it (a pool's few connections). rapport_totals_compact folds the slots of past days.

CREATE TABLE interaction_totals (
    kind               text     NOT NULL CHECK (kind IN (
                           'contact', 'company', 'salesperson', 'salesperson-month', 'template',
                           'template-month', 'group', 'group-month', 'campaign', 'campaign-month',
                           'logged-segment', 'campaign-entry')),
    key                text     NOT NULL,
    day                date     NOT NULL,
    slot               smallint NOT NULL DEFAULT 0,
    entries            bigint   NOT NULL DEFAULT 0,
    cost               numeric  NOT NULL DEFAULT 0,
    duration           numeric  NOT NULL DEFAULT 0,
    canceled_entries   bigint   NOT NULL DEFAULT 0,
    canceled_cost      numeric  NOT NULL DEFAULT 0,
    canceled_duration  numeric  NOT NULL DEFAULT 0,
    responses          bigint   NOT NULL DEFAULT 0,
    reached            bigint   NOT NULL DEFAULT 0,
    attempted          bigint   NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key, day, slot)
) WITH (fillfactor = 70);
COMMENT ON TABLE interaction_totals IS
    'Running totals of interaction_log_entries (0016), maintained by its statement triggers in the same transaction as every change. One row per kind, key, day and slot; sum over slots. Postponed entries are not counted at all. Check with `rapportd stats verify`; rebuild online with `rapportd stats rebuild`. fillfactor 70 leaves room for HOT updates of the counters.';
COMMENT ON COLUMN interaction_totals.kind IS
    'What key is: contact (contact_no, per day), company (contact_company_no: a company with its persons, per day), salesperson / template / group / campaign (per day) and their -month twins (day = first of the month), logged-segment and campaign-entry (entry no. as text, day = infinity: all time).';
COMMENT ON COLUMN interaction_totals.key IS 'The contact no., salesperson code, template code, group code, campaign no., or entry no. of a logged segment or campaign entry.';
COMMENT ON COLUMN interaction_totals.day IS 'The entries'' date (day kinds), the first of its month (-month kinds), or infinity (all-time kinds).';
COMMENT ON COLUMN interaction_totals.slot IS 'Stripe of a hot key: pg_backend_pid() % 1024 of the writing backend, so concurrent sessions do not wait on one row; 0 after a rebuild or compaction (which folds the other slots into it).';
COMMENT ON COLUMN interaction_totals.entries IS 'No. of Interactions: entries neither canceled nor postponed.';
COMMENT ON COLUMN interaction_totals.cost IS 'Cost (LCY) of those entries.';
COMMENT ON COLUMN interaction_totals.duration IS 'Duration (Min.) of those entries.';
COMMENT ON COLUMN interaction_totals.canceled_entries IS 'Canceled entries (not postponed): what a canceled logged segment or campaign entry counts.';
COMMENT ON COLUMN interaction_totals.canceled_cost IS 'Cost of the canceled entries.';
COMMENT ON COLUMN interaction_totals.canceled_duration IS 'Duration of the canceled entries.';
COMMENT ON COLUMN interaction_totals.responses IS 'Entries neither canceled nor postponed marked as a campaign response.';
COMMENT ON COLUMN interaction_totals.reached IS 'Entries that are not failed attempts (canceled included): a day with reached > 0 can be the Date of Last Interaction.';
COMMENT ON COLUMN interaction_totals.attempted IS 'Entries initiated by us (failed and canceled included): a day with attempted > 0 can be the Last Date Attempted.';

-- What a set of entries adds to the totals: the single definition of what the totals count, used by
-- the triggers (as static SQL made from this text at migration time), the rebuild and the verification.
-- `source` is a relation with the ledger's columns and a `sign` (+1 added, -1 removed). One pass over
-- the rows with one hashed grouping set per kind: a 100,000-line LOG-SEGMENT aggregates in a few hundred
-- milliseconds. Postponed entries count nowhere. A company contact's own entries are counted for its
-- company only: a company's statistics always read its company rows.
CREATE FUNCTION rapport_totals_query(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
    SELECT format($q$
    SELECT CASE
               WHEN GROUPING(n.contact_key) = 0 THEN 'contact'
               WHEN GROUPING(n.company_key) = 0 THEN 'company'
               WHEN GROUPING(n.salesperson_code, n.date) = 0 THEN 'salesperson'
               WHEN GROUPING(n.salesperson_code) = 0 THEN 'salesperson-month'
               WHEN GROUPING(n.template_code, n.date) = 0 THEN 'template'
               WHEN GROUPING(n.template_code) = 0 THEN 'template-month'
               WHEN GROUPING(n.group_code, n.date) = 0 THEN 'group'
               WHEN GROUPING(n.group_code) = 0 THEN 'group-month'
               WHEN GROUPING(n.campaign_no, n.date) = 0 THEN 'campaign'
               WHEN GROUPING(n.campaign_no) = 0 THEN 'campaign-month'
               WHEN GROUPING(n.logged_segment) = 0 THEN 'logged-segment'
               ELSE 'campaign-entry'
           END AS kind,
           coalesce(n.contact_key, n.company_key, n.salesperson_code, n.template_code, n.group_code, n.campaign_no,
                    n.logged_segment, n.campaign_entry) AS key,
           coalesce(n.date, n.month, 'infinity') AS day,
           coalesce(sum(n.sign) FILTER (WHERE NOT n.canceled), 0) AS entries,
           round(coalesce(sum(n.cost_cents) FILTER (WHERE NOT n.canceled), 0) / 100.0, 2) AS cost,
           round(coalesce(sum(n.duration_cents) FILTER (WHERE NOT n.canceled), 0) / 100.0, 2) AS duration,
           coalesce(sum(n.sign) FILTER (WHERE n.canceled), 0) AS canceled_entries,
           round(coalesce(sum(n.cost_cents) FILTER (WHERE n.canceled), 0) / 100.0, 2) AS canceled_cost,
           round(coalesce(sum(n.duration_cents) FILTER (WHERE n.canceled), 0) / 100.0, 2) AS canceled_duration,
           coalesce(sum(n.sign) FILTER (WHERE n.campaign_response AND NOT n.canceled), 0) AS responses,
           coalesce(sum(n.sign) FILTER (WHERE NOT n.attempt_failed), 0) AS reached,
           coalesce(sum(n.sign) FILTER (WHERE n.initiated_by), 0) AS attempted
    FROM (
        SELECT CASE WHEN e.contact_no IS DISTINCT FROM e.contact_company_no THEN e.contact_no::text END AS contact_key,
               e.contact_company_no::text AS company_key, e.salesperson_code::text AS salesperson_code,
               e.interaction_template_code::text AS template_code, e.interaction_group_code::text AS group_code,
               e.campaign_no::text AS campaign_no, e.logged_segment_entry_no::text AS logged_segment,
               e.campaign_entry_no::text AS campaign_entry, e.date, date_trunc('month', e.date)::date AS month,
               e.sign, e.canceled, e.campaign_response, e.attempt_failed,
               e.initiated_by IS NOT DISTINCT FROM 'us' AS initiated_by,
               -- in cents: bigint sums cost a third of numeric ones
               e.sign * (e.cost * 100)::bigint AS cost_cents, e.sign * (e.duration * 100)::bigint AS duration_cents
        FROM %s
        WHERE NOT e.postponed
    ) n
    GROUP BY GROUPING SETS ((n.contact_key, n.date), (n.company_key, n.date), (n.salesperson_code, n.date),
                            (n.salesperson_code, n.month), (n.template_code, n.date), (n.template_code, n.month),
                            (n.group_code, n.date), (n.group_code, n.month), (n.campaign_no, n.date),
                            (n.campaign_no, n.month), (n.logged_segment), (n.campaign_entry))
    HAVING coalesce(n.contact_key, n.company_key, n.salesperson_code, n.template_code, n.group_code, n.campaign_no,
                    n.logged_segment, n.campaign_entry) IS NOT NULL
       AND (sum(n.sign) FILTER (WHERE NOT n.canceled) <> 0 OR sum(n.sign) FILTER (WHERE n.canceled) <> 0
            OR sum(n.cost_cents) <> 0 OR sum(n.duration_cents) <> 0
            OR sum(n.sign) FILTER (WHERE n.campaign_response AND NOT n.canceled) <> 0
            OR sum(n.sign) FILTER (WHERE NOT n.attempt_failed) <> 0
            OR sum(n.sign) FILTER (WHERE n.initiated_by) <> 0)
    $q$, source)
$f$;
COMMENT ON FUNCTION rapport_totals_query(text) IS
    'The SQL text that aggregates a relation of ledger rows with a sign column (source, aliased e) into interaction_totals rows (kind, key, day and the counters): the one definition of what the totals count. Keys that net to zero are left out.';

-- Adds aggregated totals rows to the writing backend's slot.
CREATE FUNCTION rapport_totals_upsert(query text) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
    SELECT format($q$
    INSERT INTO interaction_totals AS t (kind, key, day, slot, entries, cost, duration, canceled_entries,
                                         canceled_cost, canceled_duration, responses, reached, attempted)
    SELECT d.kind, d.key, d.day, (pg_backend_pid() %% 1024)::smallint, d.entries, d.cost, d.duration,
           d.canceled_entries, d.canceled_cost, d.canceled_duration, d.responses, d.reached, d.attempted
    FROM (%s) d
    ON CONFLICT (kind, key, day, slot) DO UPDATE SET
        entries = t.entries + excluded.entries, cost = t.cost + excluded.cost,
        duration = t.duration + excluded.duration,
        canceled_entries = t.canceled_entries + excluded.canceled_entries,
        canceled_cost = t.canceled_cost + excluded.canceled_cost,
        canceled_duration = t.canceled_duration + excluded.canceled_duration,
        responses = t.responses + excluded.responses, reached = t.reached + excluded.reached,
        attempted = t.attempted + excluded.attempted
    $q$, query)
$f$;

-- The triggers: one aggregate upsert per statement into the backend's own slot. An UPDATE that changes
-- nothing counted (an evaluation, a delivery status) nets to zero and writes nothing. The three
-- functions differ only in where the changes come from (a trigger sees only the transition tables of
-- its event); each is made here from the text above and keeps static SQL, planned once per session.
-- The aggregate runs in memory (a 100,000-line LOG-SEGMENT needs about 100 MB for a moment).
DO $do$
DECLARE
    added constant text := '(SELECT n.*, 1 AS sign FROM new_rows n) e';
    removed constant text := '(SELECT o.*, -1 AS sign FROM old_rows o) e';
    changed constant text := '(SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 FROM old_rows o) e';
BEGIN
    EXECUTE format('CREATE FUNCTION rapport_log_entries_totals_insert() RETURNS trigger LANGUAGE plpgsql '
                   'SET work_mem = ''256MB'' AS %L',
                   format('BEGIN %s; RETURN NULL; END', rapport_totals_upsert(rapport_totals_query(added))));
    EXECUTE format('CREATE FUNCTION rapport_log_entries_totals_update() RETURNS trigger LANGUAGE plpgsql '
                   'SET work_mem = ''256MB'' AS %L',
                   format('BEGIN %s; RETURN NULL; END', rapport_totals_upsert(rapport_totals_query(changed))));
    EXECUTE format('CREATE FUNCTION rapport_log_entries_totals_delete() RETURNS trigger LANGUAGE plpgsql '
                   'SET work_mem = ''256MB'' AS %L',
                   format('BEGIN %s; RETURN NULL; END', rapport_totals_upsert(rapport_totals_query(removed))));
END
$do$;

CREATE FUNCTION rapport_log_entries_totals_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE interaction_totals;
    RETURN NULL;
END
$$;

CREATE TRIGGER interaction_log_entries_totals_insert AFTER INSERT ON interaction_log_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_log_entries_totals_insert();
CREATE TRIGGER interaction_log_entries_totals_update AFTER UPDATE ON interaction_log_entries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_log_entries_totals_update();
CREATE TRIGGER interaction_log_entries_totals_delete AFTER DELETE ON interaction_log_entries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_log_entries_totals_delete();
CREATE TRIGGER interaction_log_entries_totals_truncate AFTER TRUNCATE ON interaction_log_entries
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_log_entries_totals_truncate();

---------------------------------------------------------------------------------------------------
-- Upkeep: verify, rebuild, compact (run by `rapportd stats verify | rebuild | compact`)
---------------------------------------------------------------------------------------------------

-- A totals row as one readable text, for the verification's report.
CREATE FUNCTION rapport_totals_text(entries numeric, cost numeric, duration numeric, canceled_entries numeric,
                                    canceled_cost numeric, canceled_duration numeric, responses numeric,
                                    reached numeric, attempted numeric)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format('entries=%s cost=%s duration=%s canceled=%s canceled-cost=%s canceled-duration=%s '
                  'responses=%s reached=%s attempted=%s',
                  coalesce(entries, 0), coalesce(cost, 0)::numeric(20,2), coalesce(duration, 0)::numeric(20,2),
                  coalesce(canceled_entries, 0), coalesce(canceled_cost, 0)::numeric(20,2),
                  coalesce(canceled_duration, 0)::numeric(20,2), coalesce(responses, 0), coalesce(reached, 0),
                  coalesce(attempted, 0))
$$;

CREATE FUNCTION rapport_totals_differences()
RETURNS TABLE (kind text, key text, day date, ledger text, totals text)
LANGUAGE plpgsql STABLE SET work_mem = '256MB' AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        WITH l AS (%s),
        t AS (
            SELECT t.kind, t.key, t.day, sum(t.entries) AS entries, sum(t.cost) AS cost, sum(t.duration) AS duration,
                   sum(t.canceled_entries) AS canceled_entries, sum(t.canceled_cost) AS canceled_cost,
                   sum(t.canceled_duration) AS canceled_duration, sum(t.responses) AS responses,
                   sum(t.reached) AS reached, sum(t.attempted) AS attempted
            FROM interaction_totals t
            GROUP BY t.kind, t.key, t.day)
        SELECT kind, key, day,
               rapport_totals_text(l.entries, l.cost, l.duration, l.canceled_entries, l.canceled_cost,
                                   l.canceled_duration, l.responses, l.reached, l.attempted),
               rapport_totals_text(t.entries, t.cost, t.duration, t.canceled_entries, t.canceled_cost,
                                   t.canceled_duration, t.responses, t.reached, t.attempted)
        FROM l FULL JOIN t USING (kind, key, day)
        WHERE rapport_totals_text(l.entries, l.cost, l.duration, l.canceled_entries, l.canceled_cost,
                                  l.canceled_duration, l.responses, l.reached, l.attempted)
              IS DISTINCT FROM
              rapport_totals_text(t.entries, t.cost, t.duration, t.canceled_entries, t.canceled_cost,
                                  t.canceled_duration, t.responses, t.reached, t.attempted)
        ORDER BY kind, key, day
        $q$, rapport_totals_query('(SELECT x.*, 1 AS sign FROM interaction_log_entries x) e'));
END
$$;
COMMENT ON FUNCTION rapport_totals_differences() IS
    'Every (kind, key, day) whose running totals differ from a recomputation from the ledger, with both sides. Empty when they agree. Run it in one REPEATABLE READ snapshot (`rapportd stats verify` does); it reads the whole ledger.';

-- The ledger column behind each family of kinds (a family: a kind and its -month twin).
CREATE FUNCTION rapport_totals_column(family text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE family
        WHEN 'contact' THEN 'contact_no' WHEN 'company' THEN 'contact_company_no'
        WHEN 'salesperson' THEN 'salesperson_code' WHEN 'template' THEN 'interaction_template_code'
        WHEN 'group' THEN 'interaction_group_code' WHEN 'campaign' THEN 'campaign_no'
        WHEN 'logged-segment' THEN 'logged_segment_entry_no' WHEN 'campaign-entry' THEN 'campaign_entry_no'
    END
$$;

-- The keys a rebuild of one family visits: those in the ledger and those in the totals.
CREATE FUNCTION rapport_totals_keys(family text) RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    col constant text := rapport_totals_column(family);
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION 'unknown totals family "%"', family USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT k FROM (SELECT DISTINCT %1$I::text AS k FROM interaction_log_entries WHERE %1$I IS NOT NULL
                        UNION
                        SELECT key FROM interaction_totals WHERE kind IN ($1, $1 || ''-month'')) s
         ORDER BY k', col) USING family;
END
$$;

-- Recomputes the totals of some keys of one family from the ledger. The SHARE lock lets readers on and
-- holds writers of the ledger back only for this call's transaction (a chunk of keys), so a rebuild in
-- chunks runs while the server serves; a write waiting for it commits its totals after the rebuild.
CREATE FUNCTION rapport_totals_rebuild(family text, keys text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    col constant text := rapport_totals_column(family);
    n bigint;
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION 'unknown totals family "%"', family USING ERRCODE = 'invalid_parameter_value';
    END IF;
    LOCK TABLE interaction_log_entries IN SHARE MODE;
    DELETE FROM interaction_totals WHERE kind IN (family, family || '-month') AND key = ANY (keys);
    EXECUTE format(
        'INSERT INTO interaction_totals (kind, key, day, slot, entries, cost, duration, canceled_entries,
                                         canceled_cost, canceled_duration, responses, reached, attempted)
         SELECT d.kind, d.key, d.day, 0, d.entries, d.cost, d.duration, d.canceled_entries, d.canceled_cost,
                d.canceled_duration, d.responses, d.reached, d.attempted
         FROM (%s) d
         WHERE d.kind IN ($2, $2 || ''-month'') AND d.key = ANY ($3)',
        rapport_totals_query(format('(SELECT x.*, 1 AS sign FROM interaction_log_entries x WHERE x.%I = ANY ($1::%s[])) e',
                                    col, CASE WHEN family IN ('logged-segment', 'campaign-entry') THEN 'bigint' ELSE 'text' END)))
        USING keys, family, keys;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION rapport_totals_rebuild(text, text[]) IS
    'Recomputes the totals of the given keys of one family (contact, company, salesperson, template, group, campaign, logged-segment, campaign-entry; a family includes its -month kind) from the ledger, under a SHARE lock on the ledger for the calling transaction. Returns the rows written.';

-- Folds the slots of each key and day before `before` into slot 0 and drops rows that then count
-- nothing, so that reads of past periods meet one row per key and day. Only rows outside slot 0 are
-- visited (a partial index holds them), so a nightly run costs what the day wrote, not the table.
CREATE INDEX interaction_totals_unfolded_idx ON interaction_totals (day) WHERE slot <> 0;
COMMENT ON INDEX interaction_totals_unfolded_idx IS
    'Rows written by sessions (slot <> 0) that rapport_totals_compact has not folded into slot 0 yet.';

CREATE FUNCTION rapport_totals_compact(before date) RETURNS bigint
LANGUAGE plpgsql SET work_mem = '256MB' AS $$
DECLARE
    folded bigint;
    kinds text[];
    keys text[];
    days date[];
BEGIN
    WITH moved AS (
        DELETE FROM interaction_totals t WHERE t.slot <> 0 AND t.day < before
        RETURNING t.*),
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
        RETURNING t.kind, t.key, t.day,
                  t.entries = 0 AND t.cost = 0 AND t.duration = 0 AND t.canceled_entries = 0
                  AND t.canceled_cost = 0 AND t.canceled_duration = 0 AND t.responses = 0 AND t.reached = 0
                  AND t.attempted = 0 AS empty)
    SELECT count(*), array_agg(u.kind) FILTER (WHERE u.empty), array_agg(u.key) FILTER (WHERE u.empty),
           array_agg(u.day) FILTER (WHERE u.empty)
    INTO folded, kinds, keys, days
    FROM upserted u;
    IF kinds IS NOT NULL THEN
        DELETE FROM interaction_totals t
        USING unnest(kinds, keys, days) e(kind, key, day)
        WHERE t.kind = e.kind AND t.key = e.key AND t.day = e.day AND t.slot = 0
          AND t.entries = 0 AND t.cost = 0 AND t.duration = 0 AND t.canceled_entries = 0 AND t.canceled_cost = 0
          AND t.canceled_duration = 0 AND t.responses = 0 AND t.reached = 0 AND t.attempted = 0;
    END IF;
    RETURN folded;
END
$$;
COMMENT ON FUNCTION rapport_totals_compact(date) IS
    'Folds the slots of every key and day before the given date into slot 0 and drops rows that then count nothing. Returns the number of keys and days folded. Visits only unfolded rows (interaction_totals_unfolded_idx). Safe while the server writes (`rapportd stats compact`, daily timer in deploy/).';

-- Fill the totals from the ledger as it is (the migration runs in one transaction: nothing changes meanwhile).
DO $do$
BEGIN
    SET LOCAL work_mem = '256MB';
    EXECUTE format(
        'INSERT INTO interaction_totals (kind, key, day, slot, entries, cost, duration, canceled_entries, canceled_cost,
                                         canceled_duration, responses, reached, attempted)
         SELECT d.kind, d.key, d.day, 0, d.entries, d.cost, d.duration, d.canceled_entries, d.canceled_cost,
                d.canceled_duration, d.responses, d.reached, d.attempted
         FROM (%s) d',
        rapport_totals_query('(SELECT x.*, 1 AS sign FROM interaction_log_entries x) e'));
END
$do$;

-- The template and group statistics read the totals now; their partial indexes only cost inserts.
DROP INDEX interaction_log_entries_template_stats_idx;
DROP INDEX interaction_log_entries_group_stats_idx;

---------------------------------------------------------------------------------------------------
-- The reporting views of 0009 read the totals: same names, same columns (a DBA's queries keep working).
---------------------------------------------------------------------------------------------------

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
          FROM interaction_totals t
          WHERE t.kind = CASE c.type WHEN 'company' THEN 'company' ELSE 'contact' END AND t.key = c.no
          GROUP BY t.day) d
) s;

CREATE OR REPLACE VIEW salesperson_statistics AS
SELECT
    sp.code AS salesperson_code,
    sp.name,
    sp.blocked,
    coalesce(s.no_of_interactions, 0)::bigint AS no_of_interactions,
    coalesce(s.cost, 0)::numeric(18,2) AS cost,
    coalesce(s.duration, 0)::numeric(18,2) AS duration
FROM salespeople sp
CROSS JOIN LATERAL (
    SELECT sum(t.entries) AS no_of_interactions, sum(t.cost) AS cost, sum(t.duration) AS duration
    FROM interaction_totals t WHERE t.kind = 'salesperson-month' AND t.key = sp.code
) s;

CREATE OR REPLACE VIEW interaction_template_statistics AS
SELECT
    tp.code AS interaction_template_code,
    tp.interaction_group_code,
    tp.description,
    coalesce(s.no_of_interactions, 0)::bigint AS no_of_interactions,
    coalesce(s.cost, 0)::numeric(18,2) AS cost,
    coalesce(s.duration, 0)::numeric(18,2) AS duration
FROM interaction_templates tp
CROSS JOIN LATERAL (
    SELECT sum(t.entries) AS no_of_interactions, sum(t.cost) AS cost, sum(t.duration) AS duration
    FROM interaction_totals t WHERE t.kind = 'template-month' AND t.key = tp.code
) s;

CREATE OR REPLACE VIEW interaction_group_statistics AS
SELECT
    g.code AS interaction_group_code,
    g.description,
    coalesce(s.no_of_interactions, 0)::bigint AS no_of_interactions,
    coalesce(s.cost, 0)::numeric(18,2) AS cost,
    coalesce(s.duration, 0)::numeric(18,2) AS duration
FROM interaction_groups g
CROSS JOIN LATERAL (
    SELECT sum(t.entries) AS no_of_interactions, sum(t.cost) AS cost, sum(t.duration) AS duration
    FROM interaction_totals t WHERE t.kind = 'group-month' AND t.key = g.code
) s;

CREATE OR REPLACE VIEW campaign_statistics AS
SELECT
    c.no AS campaign_no,
    c.description,
    c.starting_date,
    c.ending_date,
    c.salesperson_code,
    coalesce(s.no_of_interactions, 0)::bigint AS no_of_interactions,
    coalesce(s.cost, 0)::numeric(18,2) AS cost,
    coalesce(s.duration, 0)::numeric(18,2) AS duration,
    coalesce(s.no_of_campaign_responses, 0)::bigint AS no_of_campaign_responses
FROM campaigns c
CROSS JOIN LATERAL (
    SELECT sum(t.entries) AS no_of_interactions, sum(t.cost) AS cost, sum(t.duration) AS duration,
           sum(t.responses) AS no_of_campaign_responses
    FROM interaction_totals t WHERE t.kind = 'campaign-month' AND t.key = c.no
) s;

CREATE OR REPLACE VIEW logged_segment_statistics AS
SELECT
    ls.entry_no AS logged_segment_entry_no,
    ls.segment_no,
    ls.description,
    ls.creation_date,
    ls.user_id,
    ls.canceled,
    coalesce(s.no_of_interactions, 0)::bigint AS no_of_interactions,
    coalesce(s.cost, 0)::numeric(18,2) AS cost,
    coalesce(s.duration, 0)::numeric(18,2) AS duration,
    (SELECT count(*) FROM campaign_entries ce
     WHERE ce.register_no = ls.entry_no AND ce.canceled = ls.canceled) AS no_of_campaign_entries
FROM logged_segments ls
CROSS JOIN LATERAL (
    -- as in BC: the entries whose canceled equals the logged segment's
    SELECT sum(CASE WHEN ls.canceled THEN t.canceled_entries ELSE t.entries END) AS no_of_interactions,
           sum(CASE WHEN ls.canceled THEN t.canceled_cost ELSE t.cost END) AS cost,
           sum(CASE WHEN ls.canceled THEN t.canceled_duration ELSE t.duration END) AS duration
    FROM interaction_totals t WHERE t.kind = 'logged-segment' AND t.key = ls.entry_no::text
) s;

COMMENT ON VIEW contact_statistics IS
    'Contact Statistics (reference section 4), one row per contact: a company counts its own entries and those of its persons (contact_company_no = company), a person only its own (contact_no = person). Counts, costs and durations exclude canceled and postponed entries. Read from interaction_totals (0016): a handful of rows per contact. For a date range use contact_daily_statistics.';
COMMENT ON VIEW salesperson_statistics IS
    'Salesperson Statistics (reference section 4), one row per salesperson: entries with this salesperson code that are not canceled and not postponed, read from the monthly running totals (0016).';
COMMENT ON VIEW interaction_template_statistics IS
    'Interaction Tmpl. Statistics (reference section 4), one row per template: entries logged with the template, not canceled and not postponed, read from the monthly running totals (0016).';
COMMENT ON VIEW interaction_group_statistics IS
    'Interaction Group Statistics (reference section 4), one row per group: entries logged with the group code (copied from the template at log time), not canceled and not postponed, read from the monthly running totals (0016).';
COMMENT ON VIEW campaign_statistics IS
    'Interaction statistics per campaign: entries with this campaign no., not canceled and not postponed, read from the monthly running totals (0016).';
COMMENT ON VIEW logged_segment_statistics IS
    'Logged Segment statistics (reference 1.14 and section 4), one row per logged segment. As in BC, the entries counted are those whose Canceled equals the logged segment''s Canceled: an active logged segment counts its entries that are NOT canceled AND NOT postponed, a canceled one its canceled entries. Read from the running totals (0016).';

---------------------------------------------------------------------------------------------------
-- Per-period views a sales manager asks for (ranked within the period: top-N is WHERE rank <= N)
---------------------------------------------------------------------------------------------------

CREATE VIEW salesperson_monthly_statistics AS
SELECT s.salesperson_code, s.month, s.no_of_interactions, s.cost, s.duration,
       rank() OVER (PARTITION BY s.month ORDER BY s.no_of_interactions DESC) AS rank_in_month
FROM (SELECT t.key AS salesperson_code, t.day AS month, sum(t.entries)::bigint AS no_of_interactions,
             sum(t.cost)::numeric(18,2) AS cost, sum(t.duration)::numeric(18,2) AS duration
      FROM interaction_totals t WHERE t.kind = 'salesperson-month'
      GROUP BY t.key, t.day) s;
COMMENT ON VIEW salesperson_monthly_statistics IS
    'Per salesperson and calendar month (month = its first day): entries not canceled and not postponed, their cost and duration, and the salesperson''s rank in that month by number of interactions (top N: WHERE month = ... AND rank_in_month <= N).';

CREATE VIEW interaction_template_monthly_statistics AS
SELECT s.interaction_template_code, s.month, s.no_of_interactions, s.cost, s.duration,
       rank() OVER (PARTITION BY s.month ORDER BY s.no_of_interactions DESC) AS rank_in_month
FROM (SELECT t.key AS interaction_template_code, t.day AS month, sum(t.entries)::bigint AS no_of_interactions,
             sum(t.cost)::numeric(18,2) AS cost, sum(t.duration)::numeric(18,2) AS duration
      FROM interaction_totals t WHERE t.kind = 'template-month'
      GROUP BY t.key, t.day) s;
COMMENT ON VIEW interaction_template_monthly_statistics IS
    'Per interaction template and calendar month: entries not canceled and not postponed, cost, duration and the template''s rank in that month.';

CREATE VIEW interaction_template_weekly_statistics AS
SELECT t.key AS interaction_template_code, date_trunc('week', t.day)::date AS week,
       sum(t.entries)::bigint AS no_of_interactions, sum(t.cost)::numeric(18,2) AS cost,
       sum(t.duration)::numeric(18,2) AS duration
FROM interaction_totals t WHERE t.kind = 'template'
GROUP BY t.key, date_trunc('week', t.day)::date;
COMMENT ON VIEW interaction_template_weekly_statistics IS
    'Per interaction template and ISO week (week = its Monday): entries not canceled and not postponed, cost and duration. Filter by template for speed.';

CREATE VIEW campaign_monthly_statistics AS
SELECT t.key AS campaign_no, t.day AS month, sum(t.entries)::bigint AS no_of_interactions,
       sum(t.cost)::numeric(18,2) AS cost, sum(t.duration)::numeric(18,2) AS duration,
       sum(t.responses)::bigint AS no_of_campaign_responses
FROM interaction_totals t WHERE t.kind = 'campaign-month'
GROUP BY t.key, t.day;
COMMENT ON VIEW campaign_monthly_statistics IS
    'Per campaign and calendar month: entries not canceled and not postponed, cost, duration and campaign responses.';

CREATE VIEW contact_daily_statistics AS
SELECT CASE t.kind WHEN 'company' THEN 'company' ELSE 'person' END AS scope, t.key AS contact_no, t.day,
       sum(t.entries)::bigint AS no_of_interactions, sum(t.cost)::numeric(18,2) AS cost,
       sum(t.duration)::numeric(18,2) AS duration
FROM interaction_totals t WHERE t.kind IN ('contact', 'company')
GROUP BY t.kind, t.key, t.day;
COMMENT ON VIEW contact_daily_statistics IS
    'Per contact and day, for date ranges: scope company = the company with its persons (use it for a company), person = the contact''s own entries (use it for a person). Filter by contact_no and day.';

COMMENT ON COLUMN salesperson_monthly_statistics.salesperson_code IS 'Salesperson code.';
COMMENT ON COLUMN salesperson_monthly_statistics.month IS 'First day of the calendar month.';
COMMENT ON COLUMN salesperson_monthly_statistics.no_of_interactions IS 'Entries not canceled and not postponed in the period.';
COMMENT ON COLUMN salesperson_monthly_statistics.cost IS 'Cost (LCY) of those entries.';
COMMENT ON COLUMN salesperson_monthly_statistics.duration IS 'Duration (Min.) of those entries.';
COMMENT ON COLUMN salesperson_monthly_statistics.rank_in_month IS 'Rank among salespeople in the month by number of interactions (1 = most; ties share a rank).';
COMMENT ON COLUMN interaction_template_monthly_statistics.interaction_template_code IS 'Interaction template code.';
COMMENT ON COLUMN interaction_template_monthly_statistics.month IS 'First day of the calendar month.';
COMMENT ON COLUMN interaction_template_monthly_statistics.no_of_interactions IS 'Entries not canceled and not postponed in the period.';
COMMENT ON COLUMN interaction_template_monthly_statistics.cost IS 'Cost (LCY) of those entries.';
COMMENT ON COLUMN interaction_template_monthly_statistics.duration IS 'Duration (Min.) of those entries.';
COMMENT ON COLUMN interaction_template_monthly_statistics.rank_in_month IS 'Rank among templates in the month by number of interactions (1 = most; ties share a rank).';
COMMENT ON COLUMN interaction_template_weekly_statistics.interaction_template_code IS 'Interaction template code.';
COMMENT ON COLUMN interaction_template_weekly_statistics.week IS 'Monday of the ISO week.';
COMMENT ON COLUMN interaction_template_weekly_statistics.no_of_interactions IS 'Entries not canceled and not postponed in the period.';
COMMENT ON COLUMN interaction_template_weekly_statistics.cost IS 'Cost (LCY) of those entries.';
COMMENT ON COLUMN interaction_template_weekly_statistics.duration IS 'Duration (Min.) of those entries.';
COMMENT ON COLUMN campaign_monthly_statistics.campaign_no IS 'Campaign No.';
COMMENT ON COLUMN campaign_monthly_statistics.month IS 'First day of the calendar month.';
COMMENT ON COLUMN campaign_monthly_statistics.no_of_interactions IS 'Entries not canceled and not postponed in the period.';
COMMENT ON COLUMN campaign_monthly_statistics.cost IS 'Cost (LCY) of those entries.';
COMMENT ON COLUMN campaign_monthly_statistics.duration IS 'Duration (Min.) of those entries.';
COMMENT ON COLUMN campaign_monthly_statistics.no_of_campaign_responses IS 'Those entries marked as a campaign response.';
COMMENT ON COLUMN contact_daily_statistics.scope IS 'company: the company with the entries of its persons; person: the contact''s own entries.';
COMMENT ON COLUMN contact_daily_statistics.contact_no IS 'Contact No.';
COMMENT ON COLUMN contact_daily_statistics.day IS 'Date of the entries.';
COMMENT ON COLUMN contact_daily_statistics.no_of_interactions IS 'Entries not canceled and not postponed in the period.';
COMMENT ON COLUMN contact_daily_statistics.cost IS 'Cost (LCY) of those entries.';
COMMENT ON COLUMN contact_daily_statistics.duration IS 'Duration (Min.) of those entries.';

SELECT rapport_grant_roles();
