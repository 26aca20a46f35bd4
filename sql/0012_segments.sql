-- 0012_segments: set-based reference guards for the three bulk tables of segment logging.
--
-- Why (QUALITY P3, BENCHMARKS.md): logging a 100,000-line segment inserts 100,000 entries, moves
-- 100,000 lines into the follow-up segment and writes 100,000 history rows in one transaction. A
-- foreign key checks each inserted row on its own (one `SELECT … FOR KEY SHARE` per row and key):
-- measured 2.9 s of the 4.1 s that the bare INSERT … SELECT of 100,000 entries takes (twelve keys at
-- about 0.25 s each), against 1.25 s for the insert itself with all its indexes.
--
-- What replaces them, with the same guarantees under READ COMMITTED:
--   * insert side: one AFTER INSERT statement trigger per table with the new rows as a transition
--     table; per key it takes the DISTINCT values (for the small master tables that is a handful,
--     for contacts at most one per row), checks they exist and locks those parent rows FOR KEY SHARE
--     in one statement — exactly the lock a foreign key check takes, so a concurrent DELETE or key
--     UPDATE of the parent waits for this transaction and then sees its rows;
--   * update side: a row trigger that fires only WHEN a reference column changed (rare: contact
--     re-pointing, resume of a postponed entry) and checks that row;
--   * parent side: an AFTER DELETE statement trigger per parent refuses (SQLSTATE 23503, the old
--     constraint name, the usual message) while a row still refers to a deleted key, or performs the
--     old referential action (CASCADE, SET NULL) set-based; a row trigger refuses key renames.
-- Errors carry SQLSTATE 23503 and the name of the foreign key they replace, so callers that map
-- foreign key violations see no difference.
--
-- Kept as real foreign keys: the alternative-address composites (NULL on almost every row, nearly
-- free), delivery_outbox -> interaction_log_entries, and every key of the other tables.
-- Limits (documented in docs/DECISIONS.md, "Segments"): TRUNCATE of a parent is not guarded
-- (rapport_app has no TRUNCATE); the guarantees assume READ COMMITTED, the isolation the server uses.

---------------------------------------------------------------------------------------------------
-- Generic helpers
---------------------------------------------------------------------------------------------------

CREATE FUNCTION rapport_require_parents(
    parent_table text, parent_column text, key_type text, keys text[],
    child_table text, child_column text, constraint_name text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    found    bigint;
    missing  text;
BEGIN
    IF keys IS NULL OR cardinality(keys) = 0 THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %I p WHERE p.%I = ANY($1::%s[]) FOR KEY SHARE OF p) x',
                   parent_table, parent_column, key_type)
        INTO found USING keys;
    IF found < cardinality(keys) THEN
        EXECUTE format('SELECT k FROM unnest($1) k WHERE NOT EXISTS (SELECT 1 FROM %I p WHERE p.%I = k::%s) LIMIT 1',
                       parent_table, parent_column, key_type)
            INTO missing USING keys;
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"',
                child_table, constraint_name
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = constraint_name, TABLE = child_table,
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".', child_column, missing, parent_table);
    END IF;
END
$$;
COMMENT ON FUNCTION rapport_require_parents(text, text, text, text[], text, text, text) IS
    'Insert-side reference guard: every key of keys (distinct, not NULL) must exist in parent_table.parent_column; the parent rows are locked FOR KEY SHARE as a foreign key check would. Raises SQLSTATE 23503 naming constraint_name otherwise.';

CREATE FUNCTION rapport_refuse_referenced(
    child_table text, child_column text, key_type text, keys text[],
    parent_table text, constraint_name text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    used text;
BEGIN
    IF keys IS NULL OR cardinality(keys) = 0 THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT c.%I::text FROM %I c WHERE c.%I = ANY($1::%s[]) LIMIT 1',
                   child_column, child_table, child_column, key_type)
        INTO used USING keys;
    IF used IS NOT NULL THEN
        RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "%"',
                parent_table, constraint_name, child_table
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = constraint_name, TABLE = child_table,
                  DETAIL = format('Key (%s)=(%s) is still referenced from table "%s".',
                                  child_column, used, child_table);
    END IF;
END
$$;
COMMENT ON FUNCTION rapport_refuse_referenced(text, text, text, text[], text, text) IS
    'Parent-side reference guard: raises SQLSTATE 23503 naming constraint_name when a row of child_table still refers to one of keys (parent keys that were deleted or renamed).';

---------------------------------------------------------------------------------------------------
-- interaction_log_entries
---------------------------------------------------------------------------------------------------

ALTER TABLE interaction_log_entries
    DROP CONSTRAINT interaction_log_entries_contact_no_fkey,
    DROP CONSTRAINT interaction_log_entries_contact_company_no_fkey,
    DROP CONSTRAINT interaction_log_entries_attachment_no_fkey,
    DROP CONSTRAINT interaction_log_entries_user_id_fkey,
    DROP CONSTRAINT interaction_log_entries_interaction_group_code_fkey,
    DROP CONSTRAINT interaction_log_entries_interaction_template_code_fkey,
    DROP CONSTRAINT interaction_log_entries_campaign_no_fkey,
    DROP CONSTRAINT interaction_log_entries_salesperson_code_fkey,
    DROP CONSTRAINT interaction_log_entries_logged_segment_entry_no_fkey,
    DROP CONSTRAINT interaction_log_entries_interaction_language_code_fkey,
    DROP CONSTRAINT interaction_log_entries_campaign_entry_fk;

CREATE FUNCTION rapport_log_entries_check_parents() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    d    record;
    bad  bigint;
    t    text := 'interaction_log_entries';
BEGIN
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
END
$$;
COMMENT ON FUNCTION rapport_log_entries_check_parents() IS
    'AFTER INSERT statement trigger on interaction_log_entries (transition table new_rows): the set-based replacement of its foreign keys to contacts, attachments, users, groups, templates, campaigns, salespeople, logged segments, languages and campaign entries (0012).';

CREATE TRIGGER interaction_log_entries_check_parents
    AFTER INSERT ON interaction_log_entries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_log_entries_check_parents();

CREATE FUNCTION rapport_log_entries_check_parents_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t text := 'interaction_log_entries';
BEGIN
    IF NEW.contact_no IS DISTINCT FROM OLD.contact_no AND NEW.contact_no IS NOT NULL THEN
        PERFORM rapport_require_parents('contacts', 'no', 'text', ARRAY[NEW.contact_no::text],
            t, 'contact_no', 'interaction_log_entries_contact_no_fkey');
    END IF;
    IF NEW.contact_company_no IS DISTINCT FROM OLD.contact_company_no AND NEW.contact_company_no IS NOT NULL THEN
        PERFORM rapport_require_parents('contacts', 'no', 'text', ARRAY[NEW.contact_company_no::text],
            t, 'contact_company_no', 'interaction_log_entries_contact_company_no_fkey');
    END IF;
    IF NEW.attachment_no IS DISTINCT FROM OLD.attachment_no AND NEW.attachment_no IS NOT NULL THEN
        PERFORM rapport_require_parents('attachments', 'no', 'bigint', ARRAY[NEW.attachment_no::text],
            t, 'attachment_no', 'interaction_log_entries_attachment_no_fkey');
    END IF;
    IF NEW.user_id IS DISTINCT FROM OLD.user_id THEN
        PERFORM rapport_require_parents('users', 'user_id', 'text', ARRAY[NEW.user_id::text],
            t, 'user_id', 'interaction_log_entries_user_id_fkey');
    END IF;
    IF NEW.interaction_group_code IS DISTINCT FROM OLD.interaction_group_code THEN
        PERFORM rapport_require_parents('interaction_groups', 'code', 'text', ARRAY[NEW.interaction_group_code::text],
            t, 'interaction_group_code', 'interaction_log_entries_interaction_group_code_fkey');
    END IF;
    IF NEW.interaction_template_code IS DISTINCT FROM OLD.interaction_template_code THEN
        PERFORM rapport_require_parents('interaction_templates', 'code', 'text',
            ARRAY[NEW.interaction_template_code::text], t,
            'interaction_template_code', 'interaction_log_entries_interaction_template_code_fkey');
    END IF;
    IF NEW.campaign_no IS DISTINCT FROM OLD.campaign_no AND NEW.campaign_no IS NOT NULL THEN
        PERFORM rapport_require_parents('campaigns', 'no', 'text', ARRAY[NEW.campaign_no::text],
            t, 'campaign_no', 'interaction_log_entries_campaign_no_fkey');
    END IF;
    IF NEW.salesperson_code IS DISTINCT FROM OLD.salesperson_code AND NEW.salesperson_code IS NOT NULL THEN
        PERFORM rapport_require_parents('salespeople', 'code', 'text', ARRAY[NEW.salesperson_code::text],
            t, 'salesperson_code', 'interaction_log_entries_salesperson_code_fkey');
    END IF;
    IF NEW.logged_segment_entry_no IS DISTINCT FROM OLD.logged_segment_entry_no
       AND NEW.logged_segment_entry_no IS NOT NULL THEN
        PERFORM rapport_require_parents('logged_segments', 'entry_no', 'bigint',
            ARRAY[NEW.logged_segment_entry_no::text], t,
            'logged_segment_entry_no', 'interaction_log_entries_logged_segment_entry_no_fkey');
    END IF;
    IF NEW.interaction_language_code IS DISTINCT FROM OLD.interaction_language_code
       AND NEW.interaction_language_code IS NOT NULL THEN
        PERFORM rapport_require_parents('languages', 'code', 'text', ARRAY[NEW.interaction_language_code::text],
            t, 'interaction_language_code', 'interaction_log_entries_interaction_language_code_fkey');
    END IF;
    IF (NEW.campaign_no, NEW.campaign_entry_no) IS DISTINCT FROM (OLD.campaign_no, OLD.campaign_entry_no)
       AND NEW.campaign_entry_no IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM campaign_entries ce
                       WHERE ce.entry_no = NEW.campaign_entry_no AND ce.campaign_no = NEW.campaign_no
                       FOR KEY SHARE) THEN
            RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"',
                    t, 'interaction_log_entries_campaign_entry_fk'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'interaction_log_entries_campaign_entry_fk',
                      TABLE = t,
                      DETAIL = format('Key (campaign_no, campaign_entry_no)=(%s, %s) is not present in table '
                                      '"campaign_entries".',
                                      NEW.campaign_no, NEW.campaign_entry_no);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_log_entries_check_parents_row() IS
    'AFTER UPDATE row trigger on interaction_log_entries, only when a reference column changed: checks and locks the new parents (0012).';

CREATE TRIGGER interaction_log_entries_check_parents_row
    AFTER UPDATE OF contact_no, contact_company_no, attachment_no, user_id, interaction_group_code,
        interaction_template_code, campaign_no, campaign_entry_no, salesperson_code, logged_segment_entry_no,
        interaction_language_code
    ON interaction_log_entries
    FOR EACH ROW
    WHEN (NEW.contact_no IS DISTINCT FROM OLD.contact_no
          OR NEW.contact_company_no IS DISTINCT FROM OLD.contact_company_no
          OR NEW.attachment_no IS DISTINCT FROM OLD.attachment_no
          OR NEW.user_id IS DISTINCT FROM OLD.user_id
          OR NEW.interaction_group_code IS DISTINCT FROM OLD.interaction_group_code
          OR NEW.interaction_template_code IS DISTINCT FROM OLD.interaction_template_code
          OR NEW.campaign_no IS DISTINCT FROM OLD.campaign_no
          OR NEW.campaign_entry_no IS DISTINCT FROM OLD.campaign_entry_no
          OR NEW.salesperson_code IS DISTINCT FROM OLD.salesperson_code
          OR NEW.logged_segment_entry_no IS DISTINCT FROM OLD.logged_segment_entry_no
          OR NEW.interaction_language_code IS DISTINCT FROM OLD.interaction_language_code)
    EXECUTE FUNCTION rapport_log_entries_check_parents_row();

---------------------------------------------------------------------------------------------------
-- segment_lines
---------------------------------------------------------------------------------------------------

ALTER TABLE segment_lines
    DROP CONSTRAINT segment_lines_segment_no_fkey,
    DROP CONSTRAINT segment_lines_contact_no_fkey,
    DROP CONSTRAINT segment_lines_campaign_no_fkey,
    DROP CONSTRAINT segment_lines_salesperson_code_fkey,
    DROP CONSTRAINT segment_lines_interaction_template_code_fkey,
    DROP CONSTRAINT segment_lines_attachment_no_fkey,
    DROP CONSTRAINT segment_lines_language_code_fkey,
    DROP CONSTRAINT segment_lines_contact_company_no_fkey,
    DROP CONSTRAINT segment_lines_campaign_entry_no_fkey,
    DROP CONSTRAINT segment_lines_interaction_group_code_fkey;

CREATE FUNCTION rapport_segment_lines_check_parents() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    d  record;
    t  text := 'segment_lines';
BEGIN
    WITH s AS MATERIALIZED (
        SELECT DISTINCT segment_no, campaign_no, salesperson_code, interaction_template_code, attachment_no,
               language_code, campaign_entry_no, interaction_group_code
        FROM new_rows)
    SELECT (SELECT array_agg(DISTINCT segment_no::text) FROM s) AS segments,
           (SELECT array_agg(DISTINCT campaign_no::text) FROM s WHERE campaign_no IS NOT NULL) AS campaigns,
           (SELECT array_agg(DISTINCT salesperson_code::text) FROM s WHERE salesperson_code IS NOT NULL) AS salespeople,
           (SELECT array_agg(DISTINCT interaction_template_code::text) FROM s
             WHERE interaction_template_code IS NOT NULL) AS templates,
           (SELECT array_agg(DISTINCT attachment_no::text) FROM s WHERE attachment_no IS NOT NULL) AS attachments,
           (SELECT array_agg(DISTINCT language_code::text) FROM s WHERE language_code IS NOT NULL) AS languages,
           (SELECT array_agg(DISTINCT campaign_entry_no::text) FROM s
             WHERE campaign_entry_no IS NOT NULL) AS campaign_entries,
           (SELECT array_agg(DISTINCT interaction_group_code::text) FROM s
             WHERE interaction_group_code IS NOT NULL) AS groups
    INTO d FROM (SELECT 1) one;
    PERFORM rapport_require_parents('segment_headers', 'no', 'text', d.segments,
        t, 'segment_no', 'segment_lines_segment_no_fkey');
    PERFORM rapport_require_parents('campaigns', 'no', 'text', d.campaigns,
        t, 'campaign_no', 'segment_lines_campaign_no_fkey');
    PERFORM rapport_require_parents('salespeople', 'code', 'text', d.salespeople,
        t, 'salesperson_code', 'segment_lines_salesperson_code_fkey');
    PERFORM rapport_require_parents('interaction_templates', 'code', 'text', d.templates,
        t, 'interaction_template_code', 'segment_lines_interaction_template_code_fkey');
    PERFORM rapport_require_parents('attachments', 'no', 'bigint', d.attachments,
        t, 'attachment_no', 'segment_lines_attachment_no_fkey');
    PERFORM rapport_require_parents('languages', 'code', 'text', d.languages,
        t, 'language_code', 'segment_lines_language_code_fkey');
    PERFORM rapport_require_parents('campaign_entries', 'entry_no', 'bigint', d.campaign_entries,
        t, 'campaign_entry_no', 'segment_lines_campaign_entry_no_fkey');
    PERFORM rapport_require_parents('interaction_groups', 'code', 'text', d.groups,
        t, 'interaction_group_code', 'segment_lines_interaction_group_code_fkey');
    PERFORM rapport_require_parents('contacts', 'no', 'text',
        ARRAY(SELECT DISTINCT v.k FROM new_rows n
              CROSS JOIN LATERAL (VALUES (n.contact_no::text), (n.contact_company_no::text)) v(k)
              WHERE v.k IS NOT NULL),
        t, 'contact_no, contact_company_no', 'segment_lines_contact_no_fkey');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_segment_lines_check_parents() IS
    'AFTER INSERT statement trigger on segment_lines (transition table new_rows): the set-based replacement of its foreign keys (0012).';

CREATE TRIGGER segment_lines_check_parents
    AFTER INSERT ON segment_lines
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_segment_lines_check_parents();

CREATE FUNCTION rapport_segment_lines_check_parents_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t text := 'segment_lines';
BEGIN
    IF NEW.segment_no IS DISTINCT FROM OLD.segment_no THEN
        PERFORM rapport_require_parents('segment_headers', 'no', 'text', ARRAY[NEW.segment_no::text],
            t, 'segment_no', 'segment_lines_segment_no_fkey');
    END IF;
    IF NEW.contact_no IS DISTINCT FROM OLD.contact_no AND NEW.contact_no IS NOT NULL THEN
        PERFORM rapport_require_parents('contacts', 'no', 'text', ARRAY[NEW.contact_no::text],
            t, 'contact_no', 'segment_lines_contact_no_fkey');
    END IF;
    IF NEW.contact_company_no IS DISTINCT FROM OLD.contact_company_no AND NEW.contact_company_no IS NOT NULL THEN
        PERFORM rapport_require_parents('contacts', 'no', 'text', ARRAY[NEW.contact_company_no::text],
            t, 'contact_company_no', 'segment_lines_contact_company_no_fkey');
    END IF;
    IF NEW.campaign_no IS DISTINCT FROM OLD.campaign_no AND NEW.campaign_no IS NOT NULL THEN
        PERFORM rapport_require_parents('campaigns', 'no', 'text', ARRAY[NEW.campaign_no::text],
            t, 'campaign_no', 'segment_lines_campaign_no_fkey');
    END IF;
    IF NEW.salesperson_code IS DISTINCT FROM OLD.salesperson_code AND NEW.salesperson_code IS NOT NULL THEN
        PERFORM rapport_require_parents('salespeople', 'code', 'text', ARRAY[NEW.salesperson_code::text],
            t, 'salesperson_code', 'segment_lines_salesperson_code_fkey');
    END IF;
    IF NEW.interaction_template_code IS DISTINCT FROM OLD.interaction_template_code
       AND NEW.interaction_template_code IS NOT NULL THEN
        PERFORM rapport_require_parents('interaction_templates', 'code', 'text',
            ARRAY[NEW.interaction_template_code::text], t,
            'interaction_template_code', 'segment_lines_interaction_template_code_fkey');
    END IF;
    IF NEW.attachment_no IS DISTINCT FROM OLD.attachment_no AND NEW.attachment_no IS NOT NULL THEN
        PERFORM rapport_require_parents('attachments', 'no', 'bigint', ARRAY[NEW.attachment_no::text],
            t, 'attachment_no', 'segment_lines_attachment_no_fkey');
    END IF;
    IF NEW.language_code IS DISTINCT FROM OLD.language_code AND NEW.language_code IS NOT NULL THEN
        PERFORM rapport_require_parents('languages', 'code', 'text', ARRAY[NEW.language_code::text],
            t, 'language_code', 'segment_lines_language_code_fkey');
    END IF;
    IF NEW.campaign_entry_no IS DISTINCT FROM OLD.campaign_entry_no AND NEW.campaign_entry_no IS NOT NULL THEN
        PERFORM rapport_require_parents('campaign_entries', 'entry_no', 'bigint', ARRAY[NEW.campaign_entry_no::text],
            t, 'campaign_entry_no', 'segment_lines_campaign_entry_no_fkey');
    END IF;
    IF NEW.interaction_group_code IS DISTINCT FROM OLD.interaction_group_code
       AND NEW.interaction_group_code IS NOT NULL THEN
        PERFORM rapport_require_parents('interaction_groups', 'code', 'text', ARRAY[NEW.interaction_group_code::text],
            t, 'interaction_group_code', 'segment_lines_interaction_group_code_fkey');
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_segment_lines_check_parents_row() IS
    'AFTER UPDATE row trigger on segment_lines, only when a reference column changed: checks and locks the new parents (0012).';

CREATE TRIGGER segment_lines_check_parents_row
    AFTER UPDATE OF segment_no, contact_no, contact_company_no, campaign_no, salesperson_code,
        interaction_template_code, attachment_no, language_code, campaign_entry_no, interaction_group_code
    ON segment_lines
    FOR EACH ROW
    WHEN (NEW.segment_no IS DISTINCT FROM OLD.segment_no
          OR NEW.contact_no IS DISTINCT FROM OLD.contact_no
          OR NEW.contact_company_no IS DISTINCT FROM OLD.contact_company_no
          OR NEW.campaign_no IS DISTINCT FROM OLD.campaign_no
          OR NEW.salesperson_code IS DISTINCT FROM OLD.salesperson_code
          OR NEW.interaction_template_code IS DISTINCT FROM OLD.interaction_template_code
          OR NEW.attachment_no IS DISTINCT FROM OLD.attachment_no
          OR NEW.language_code IS DISTINCT FROM OLD.language_code
          OR NEW.campaign_entry_no IS DISTINCT FROM OLD.campaign_entry_no
          OR NEW.interaction_group_code IS DISTINCT FROM OLD.interaction_group_code)
    EXECUTE FUNCTION rapport_segment_lines_check_parents_row();

---------------------------------------------------------------------------------------------------
-- segment_history
---------------------------------------------------------------------------------------------------

ALTER TABLE segment_history
    DROP CONSTRAINT segment_history_segment_no_fkey,
    DROP CONSTRAINT segment_history_contact_no_fkey;

-- History rows name the contact of a line that is inserted in the same statement (insertion) or deleted
-- (deletion): the line's own guard checked and locked that contact, and a contact cannot be deleted
-- while a line refers to it. Checking the contact again per history row would cost as much as the
-- line's check (0.15 s per 100,000 rows) and protect nothing more, so only the segment is checked here;
-- deleting a contact still deletes its history rows (the CASCADE, below).
CREATE FUNCTION rapport_segment_history_check_parents() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rapport_require_parents('segment_headers', 'no', 'text',
        ARRAY(SELECT DISTINCT segment_no::text FROM new_rows),
        'segment_history', 'segment_no', 'segment_history_segment_no_fkey');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_segment_history_check_parents() IS
    'AFTER INSERT statement trigger on segment_history (transition table new_rows): the set-based replacement of its foreign key to segment_headers; the contact is guarded through the segment line (see the file) (0012).';

CREATE TRIGGER segment_history_check_parents
    AFTER INSERT ON segment_history
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_segment_history_check_parents();

CREATE FUNCTION rapport_segment_history_check_parents_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.segment_no IS DISTINCT FROM OLD.segment_no THEN
        PERFORM rapport_require_parents('segment_headers', 'no', 'text', ARRAY[NEW.segment_no::text],
            'segment_history', 'segment_no', 'segment_history_segment_no_fkey');
    END IF;
    IF NEW.contact_no IS DISTINCT FROM OLD.contact_no THEN
        PERFORM rapport_require_parents('contacts', 'no', 'text', ARRAY[NEW.contact_no::text],
            'segment_history', 'contact_no', 'segment_history_contact_no_fkey');
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_segment_history_check_parents_row() IS
    'AFTER UPDATE row trigger on segment_history, only when a reference column changed (0012).';

CREATE TRIGGER segment_history_check_parents_row
    AFTER UPDATE OF segment_no, contact_no ON segment_history
    FOR EACH ROW
    WHEN (NEW.segment_no IS DISTINCT FROM OLD.segment_no OR NEW.contact_no IS DISTINCT FROM OLD.contact_no)
    EXECUTE FUNCTION rapport_segment_history_check_parents_row();

---------------------------------------------------------------------------------------------------
-- Parent side: deletes refuse or cascade set-based; key renames are refused
---------------------------------------------------------------------------------------------------

-- Keys of the deleted rows (old_rows) that no longer exist in the parent.
CREATE FUNCTION rapport_contacts_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    keys text[] := ARRAY(SELECT no::text FROM old_rows);
BEGIN
    PERFORM rapport_refuse_referenced('segment_lines', 'contact_no', 'text', keys,
        'contacts', 'segment_lines_contact_no_fkey');
    PERFORM rapport_refuse_referenced('segment_lines', 'contact_company_no', 'text', keys,
        'contacts', 'segment_lines_contact_company_no_fkey');
    PERFORM rapport_refuse_referenced('interaction_log_entries', 'contact_no', 'text', keys,
        'contacts', 'interaction_log_entries_contact_no_fkey');
    PERFORM rapport_refuse_referenced('interaction_log_entries', 'contact_company_no', 'text', keys,
        'contacts', 'interaction_log_entries_contact_company_no_fkey');
    DELETE FROM segment_history h WHERE h.contact_no = ANY(keys);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_contacts_deleted() IS
    'AFTER DELETE statement trigger on contacts: refuses while segment lines or log entries refer to a deleted contact (RESTRICT / NO ACTION of the replaced foreign keys); deletes its segment history rows (CASCADE) (0012).';
CREATE TRIGGER contacts_guard_references AFTER DELETE ON contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_contacts_deleted();

CREATE FUNCTION rapport_contacts_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    keys text[] := ARRAY[OLD.no::text];
BEGIN
    PERFORM rapport_refuse_referenced('segment_lines', 'contact_no', 'text', keys,
        'contacts', 'segment_lines_contact_no_fkey');
    PERFORM rapport_refuse_referenced('segment_lines', 'contact_company_no', 'text', keys,
        'contacts', 'segment_lines_contact_company_no_fkey');
    PERFORM rapport_refuse_referenced('interaction_log_entries', 'contact_no', 'text', keys,
        'contacts', 'interaction_log_entries_contact_no_fkey');
    PERFORM rapport_refuse_referenced('interaction_log_entries', 'contact_company_no', 'text', keys,
        'contacts', 'interaction_log_entries_contact_company_no_fkey');
    PERFORM rapport_refuse_referenced('segment_history', 'contact_no', 'text', keys,
        'contacts', 'segment_history_contact_no_fkey');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_contacts_renamed() IS
    'AFTER UPDATE OF no row trigger on contacts: a referenced contact number cannot change (0012).';
CREATE TRIGGER contacts_guard_renames AFTER UPDATE OF no ON contacts
    FOR EACH ROW WHEN (NEW.no IS DISTINCT FROM OLD.no) EXECUTE FUNCTION rapport_contacts_renamed();

-- The master tables that only refuse (NO ACTION / RESTRICT): one function each for delete and rename.
CREATE FUNCTION rapport_masters_referenced(table_name text, keys text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    CASE table_name
    WHEN 'attachments' THEN
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'attachment_no', 'bigint', keys,
            table_name, 'interaction_log_entries_attachment_no_fkey');
        PERFORM rapport_refuse_referenced('segment_lines', 'attachment_no', 'bigint', keys,
            table_name, 'segment_lines_attachment_no_fkey');
    WHEN 'users' THEN
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'user_id', 'text', keys,
            table_name, 'interaction_log_entries_user_id_fkey');
    WHEN 'interaction_groups' THEN
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'interaction_group_code', 'text', keys,
            table_name, 'interaction_log_entries_interaction_group_code_fkey');
        PERFORM rapport_refuse_referenced('segment_lines', 'interaction_group_code', 'text', keys,
            table_name, 'segment_lines_interaction_group_code_fkey');
    WHEN 'interaction_templates' THEN
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'interaction_template_code', 'text', keys,
            table_name, 'interaction_log_entries_interaction_template_code_fkey');
        PERFORM rapport_refuse_referenced('segment_lines', 'interaction_template_code', 'text', keys,
            table_name, 'segment_lines_interaction_template_code_fkey');
    WHEN 'campaigns' THEN
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'campaign_no', 'text', keys,
            table_name, 'interaction_log_entries_campaign_no_fkey');
        PERFORM rapport_refuse_referenced('segment_lines', 'campaign_no', 'text', keys,
            table_name, 'segment_lines_campaign_no_fkey');
    WHEN 'salespeople' THEN
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'salesperson_code', 'text', keys,
            table_name, 'interaction_log_entries_salesperson_code_fkey');
        PERFORM rapport_refuse_referenced('segment_lines', 'salesperson_code', 'text', keys,
            table_name, 'segment_lines_salesperson_code_fkey');
    WHEN 'languages' THEN
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'interaction_language_code', 'text', keys,
            table_name, 'interaction_log_entries_interaction_language_code_fkey');
        PERFORM rapport_refuse_referenced('segment_lines', 'language_code', 'text', keys,
            table_name, 'segment_lines_language_code_fkey');
    WHEN 'segment_headers' THEN
        PERFORM rapport_refuse_referenced('segment_lines', 'segment_no', 'text', keys,
            table_name, 'segment_lines_segment_no_fkey');
        PERFORM rapport_refuse_referenced('segment_history', 'segment_no', 'text', keys,
            table_name, 'segment_history_segment_no_fkey');
    END CASE;
END
$$;
COMMENT ON FUNCTION rapport_masters_referenced(text, text[]) IS
    'Refuses (SQLSTATE 23503) when interaction log entries or segment lines still refer to one of keys of the master table table_name (0012).';

CREATE FUNCTION rapport_master_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    keys text[];
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'attachments' THEN keys := ARRAY(SELECT no::text FROM old_rows);
    WHEN 'users' THEN keys := ARRAY(SELECT user_id::text FROM old_rows);
    WHEN 'campaigns' THEN keys := ARRAY(SELECT no::text FROM old_rows);
    ELSE keys := ARRAY(SELECT code::text FROM old_rows);
    END CASE;
    PERFORM rapport_masters_referenced(TG_TABLE_NAME, keys);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_master_deleted() IS
    'AFTER DELETE statement trigger on the master tables referenced by log entries and segment lines: refuses while a deleted key is still used (0012).';

CREATE FUNCTION rapport_master_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    key text;
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'users' THEN key := OLD.user_id;
    WHEN 'campaigns' THEN key := OLD.no;
    WHEN 'segment_headers' THEN key := OLD.no;
    ELSE key := OLD.code;
    END CASE;
    PERFORM rapport_masters_referenced(TG_TABLE_NAME, ARRAY[key]);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_master_renamed() IS
    'AFTER UPDATE row trigger on a master key column: a key still used by log entries or segment lines cannot change (0012).';

CREATE TRIGGER attachments_guard_references AFTER DELETE ON attachments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_master_deleted();
CREATE TRIGGER users_guard_references AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_master_deleted();
CREATE TRIGGER users_guard_renames AFTER UPDATE OF user_id ON users
    FOR EACH ROW WHEN (NEW.user_id IS DISTINCT FROM OLD.user_id) EXECUTE FUNCTION rapport_master_renamed();
CREATE TRIGGER interaction_groups_guard_references AFTER DELETE ON interaction_groups
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_master_deleted();
CREATE TRIGGER interaction_groups_guard_renames AFTER UPDATE OF code ON interaction_groups
    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code) EXECUTE FUNCTION rapport_master_renamed();
CREATE TRIGGER interaction_templates_guard_references AFTER DELETE ON interaction_templates
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_master_deleted();
CREATE TRIGGER interaction_templates_guard_renames AFTER UPDATE OF code ON interaction_templates
    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code) EXECUTE FUNCTION rapport_master_renamed();
CREATE TRIGGER campaigns_guard_references AFTER DELETE ON campaigns
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_master_deleted();
CREATE TRIGGER campaigns_guard_renames AFTER UPDATE OF no ON campaigns
    FOR EACH ROW WHEN (NEW.no IS DISTINCT FROM OLD.no) EXECUTE FUNCTION rapport_master_renamed();
CREATE TRIGGER salespeople_guard_references AFTER DELETE ON salespeople
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_master_deleted();
CREATE TRIGGER salespeople_guard_renames AFTER UPDATE OF code ON salespeople
    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code) EXECUTE FUNCTION rapport_master_renamed();
CREATE TRIGGER languages_guard_references AFTER DELETE ON languages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_master_deleted();
CREATE TRIGGER languages_guard_renames AFTER UPDATE OF code ON languages
    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code) EXECUTE FUNCTION rapport_master_renamed();
CREATE TRIGGER segment_headers_guard_renames AFTER UPDATE OF no ON segment_headers
    FOR EACH ROW WHEN (NEW.no IS DISTINCT FROM OLD.no) EXECUTE FUNCTION rapport_master_renamed();

-- Referential actions, set-based.
CREATE FUNCTION rapport_segment_headers_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM segment_lines l WHERE l.segment_no IN (SELECT no FROM old_rows);
    DELETE FROM segment_history h WHERE h.segment_no IN (SELECT no FROM old_rows);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_segment_headers_deleted() IS
    'AFTER DELETE statement trigger on segment_headers: deletes the lines and history of the deleted segments (the CASCADE of the replaced foreign keys, one statement each) (0012).';
CREATE TRIGGER segment_headers_cascade AFTER DELETE ON segment_headers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_segment_headers_deleted();

CREATE FUNCTION rapport_logged_segments_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE interaction_log_entries e SET logged_segment_entry_no = NULL
    WHERE e.logged_segment_entry_no IN (SELECT entry_no FROM old_rows);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_logged_segments_deleted() IS
    'AFTER DELETE statement trigger on logged_segments: their log entries lose the link (the SET NULL of the replaced foreign key) (0012).';
CREATE TRIGGER logged_segments_set_null AFTER DELETE ON logged_segments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_logged_segments_deleted();

CREATE FUNCTION rapport_campaign_entries_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM interaction_log_entries e
    WHERE (e.campaign_no, e.campaign_entry_no) IN (SELECT campaign_no, entry_no FROM old_rows);
    UPDATE segment_lines l SET campaign_entry_no = NULL
    WHERE l.campaign_entry_no IN (SELECT entry_no FROM old_rows);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_campaign_entries_deleted() IS
    'AFTER DELETE statement trigger on campaign_entries: deletes their log entries (CASCADE, reference 1.15) and unlinks segment lines (SET NULL), as the replaced foreign keys did (0012).';
CREATE TRIGGER campaign_entries_cascade AFTER DELETE ON campaign_entries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_campaign_entries_deleted();

CREATE FUNCTION rapport_campaign_entries_rekeyed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM interaction_log_entries e
               WHERE e.campaign_no = OLD.campaign_no AND e.campaign_entry_no = OLD.entry_no) THEN
        RAISE EXCEPTION 'update or delete on table "campaign_entries" violates foreign key constraint "%" on table "%"',
                'interaction_log_entries_campaign_entry_fk', 'interaction_log_entries'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'interaction_log_entries_campaign_entry_fk',
                  TABLE = 'interaction_log_entries',
                  DETAIL = format('Key (campaign_no, entry_no)=(%s, %s) is still referenced from table '
                                  '"interaction_log_entries".',
                                  OLD.campaign_no, OLD.entry_no);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_campaign_entries_rekeyed() IS
    'AFTER UPDATE OF campaign_no row trigger on campaign_entries: the campaign of a campaign entry with log entries cannot change (0012).';
CREATE TRIGGER campaign_entries_guard_rekeys AFTER UPDATE OF campaign_no ON campaign_entries
    FOR EACH ROW WHEN (NEW.campaign_no IS DISTINCT FROM OLD.campaign_no)
    EXECUTE FUNCTION rapport_campaign_entries_rekeyed();
