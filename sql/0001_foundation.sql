-- 0001_foundation: domains (codes and enumerations), helper functions, number series,
-- languages, salespeople, users, marketing setup.
--
-- Applied by the migrator inside one transaction (no BEGIN/COMMIT here).
-- Conventions (see docs/SCHEMA.md):
--   * "blank" (BC's empty code / option ordinal 0) is SQL NULL, for codes and enums alike;
--   * codes are upper-case trimmed text (domains code10/20/30/50);
--   * enums are lower-case text keys (domains enum_*), NULL = blank;
--   * free text is text with a length CHECK taken from the reference (Text[n] -> <= n).

---------------------------------------------------------------------------------------------------
-- Code domains
---------------------------------------------------------------------------------------------------

CREATE DOMAIN code10 AS text
    CHECK (VALUE = upper(btrim(VALUE)) AND length(VALUE) BETWEEN 1 AND 10);
CREATE DOMAIN code20 AS text
    CHECK (VALUE = upper(btrim(VALUE)) AND length(VALUE) BETWEEN 1 AND 20);
CREATE DOMAIN code30 AS text
    CHECK (VALUE = upper(btrim(VALUE)) AND length(VALUE) BETWEEN 1 AND 30);
CREATE DOMAIN code50 AS text
    CHECK (VALUE = upper(btrim(VALUE)) AND length(VALUE) BETWEEN 1 AND 50);

COMMENT ON DOMAIN code10 IS 'BC Code[10]: upper-case, trimmed, 1..10 characters. Blank is NULL, never the empty string.';
COMMENT ON DOMAIN code20 IS 'BC Code[20]: upper-case, trimmed, 1..20 characters. Blank is NULL, never the empty string.';
COMMENT ON DOMAIN code30 IS 'BC Code[30]: upper-case, trimmed, 1..30 characters. Blank is NULL, never the empty string.';
COMMENT ON DOMAIN code50 IS 'BC Code[50]: upper-case, trimmed, 1..50 characters. Blank is NULL, never the empty string.';

---------------------------------------------------------------------------------------------------
-- Enumeration domains: lower-case text keys, NULL = blank (ordinal 0 in BC)
---------------------------------------------------------------------------------------------------

CREATE DOMAIN enum_information_flow AS text
    CHECK (VALUE IN ('outbound', 'inbound'));
COMMENT ON DOMAIN enum_information_flow IS
    'Information Flow (reference section 2): outbound = received by the contact, inbound = received by the company. NULL = blank.';

CREATE DOMAIN enum_initiated_by AS text
    CHECK (VALUE IN ('us', 'them'));
COMMENT ON DOMAIN enum_initiated_by IS 'Initiated By: us | them. NULL = blank.';

CREATE DOMAIN enum_correspondence_type AS text
    CHECK (VALUE IN ('hard_copy', 'email'));
COMMENT ON DOMAIN enum_correspondence_type IS
    'Correspondence Type (enum 5076): hard_copy | email. NULL = blank. The obsolete Fax value is not supported.';

CREATE DOMAIN enum_evaluation AS text
    CHECK (VALUE IN ('very_positive', 'positive', 'neutral', 'negative', 'very_negative'));
COMMENT ON DOMAIN enum_evaluation IS
    'Interaction Evaluation (enum 5078): very_positive | positive | neutral | negative | very_negative. NULL = blank.';

CREATE DOMAIN enum_delivery_status AS text
    CHECK (VALUE IN ('in_progress', 'error'));
COMMENT ON DOMAIN enum_delivery_status IS
    'Interaction Delivery Status (enum 5083): in_progress (queued for sending) | error (sending failed). NULL = blank (never sent, or sent successfully).';

CREATE DOMAIN enum_wizard_action AS text
    CHECK (VALUE IN ('open', 'import', 'merge'));
COMMENT ON DOMAIN enum_wizard_action IS
    'Interaction Template Wizard Action (enum 5082): open | import | merge. NULL = blank (step 2 of the wizard is skipped).';

CREATE DOMAIN enum_document_type AS text
    CHECK (VALUE IN (
        'sales_quote', 'sales_blanket_order', 'sales_order_confirmation', 'sales_invoice',
        'sales_shipment_note', 'sales_credit_memo', 'sales_statement', 'sales_reminder',
        'service_order_create', 'service_order_post', 'purchase_quote', 'purchase_blanket_order',
        'purchase_order', 'purchase_invoice', 'purchase_receipt', 'purchase_credit_memo',
        'cover_sheet', 'sales_return_order', 'sales_finance_charge_memo', 'sales_return_receipt',
        'purchase_return_shipment', 'purchase_return_order_confirmation', 'service_contract',
        'service_contract_quote', 'service_quote', 'sales_draft_invoice'));
COMMENT ON DOMAIN enum_document_type IS
    'Interaction Log Entry Document Type (enum 5099), keys in ordinal order 1..26. NULL = blank (not a document interaction).';

CREATE DOMAIN enum_template_setup_event AS text
    CHECK (VALUE IN (
        'sales_quote', 'sales_blanket_order', 'sales_order_confirmation', 'sales_invoice',
        'sales_shipment_note', 'sales_credit_memo', 'sales_statement', 'sales_reminder',
        'service_order_create', 'service_order_post', 'purchase_quote', 'purchase_blanket_order',
        'purchase_order', 'purchase_invoice', 'purchase_receipt', 'purchase_credit_memo',
        'cover_sheet', 'sales_return_order', 'sales_finance_charge_memo', 'sales_return_receipt',
        'purchase_return_shipment', 'purchase_return_order_confirmation', 'service_contract',
        'service_contract_quote', 'service_quote', 'sales_draft_invoice',
        'email', 'email_draft', 'outgoing_call', 'meeting_invitation'));
COMMENT ON DOMAIN enum_template_setup_event IS
    'One field of Interaction Template Setup (table 5122): every document type key (cover_sheet = the Cover Sheets field) plus email (E-Mails), email_draft (E-Mail Draft), outgoing_call (Outg. Calls), meeting_invitation (Meeting Invitation).';

CREATE DOMAIN enum_contact_type AS text
    CHECK (VALUE IN ('company', 'person'));
COMMENT ON DOMAIN enum_contact_type IS 'Contact Type: company | person.';

CREATE DOMAIN enum_user_role AS text
    CHECK (VALUE IN ('salesperson', 'manager', 'administrator'));
COMMENT ON DOMAIN enum_user_role IS
    'Rapport role: salesperson (own interactions and segments), manager (also setup, any salesperson, cancel/delete), administrator (also users).';

CREATE DOMAIN enum_criteria_line_type AS text
    CHECK (VALUE IN ('action', 'filter'));
COMMENT ON DOMAIN enum_criteria_line_type IS 'Segment Criteria Line Type: action (one add/reduce/refine step) | filter (a filter of the preceding action).';

CREATE DOMAIN enum_criteria_action AS text
    CHECK (VALUE IN ('add', 'reduce', 'refine'));
COMMENT ON DOMAIN enum_criteria_action IS
    'Segment Criteria Line Action (enum 5097): add (Add Contacts) | reduce (Remove Contacts - Reduce) | refine (Remove Contacts - Refine). NULL = blank (filter rows).';

CREATE DOMAIN enum_criteria_table AS text
    CHECK (VALUE IN ('contact', 'interaction_log_entry'));
COMMENT ON DOMAIN enum_criteria_table IS
    'Table a segment criteria filter applies to: contact | interaction_log_entry. The other BC filter tables (profiles, mailing groups, job responsibilities, industry groups, business relations, value entries) are not modelled.';

CREATE DOMAIN enum_history_action AS text
    CHECK (VALUE IN ('insertion', 'deletion'));
COMMENT ON DOMAIN enum_history_action IS 'Segment History Action Taken: insertion | deletion.';

---------------------------------------------------------------------------------------------------
-- Shared trigger function: keep updated_at current
---------------------------------------------------------------------------------------------------

CREATE FUNCTION rapport_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION rapport_touch_updated_at() IS
    'BEFORE UPDATE row trigger: sets updated_at to the transaction timestamp.';

---------------------------------------------------------------------------------------------------
-- Number series
---------------------------------------------------------------------------------------------------

CREATE TABLE number_series (
    code          code20  PRIMARY KEY,
    description   text    CHECK (length(description) <= 100),
    starting_no   code20  NOT NULL CHECK (starting_no ~ '[0-9]'),
    ending_no     code20  CHECK (ending_no ~ '[0-9]'),
    last_no_used  code20,
    increment_by  integer NOT NULL DEFAULT 1 CHECK (increment_by > 0),
    allow_manual  boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE number_series IS
    'No. Series: number series for contacts, campaigns, segments, tasks and opportunities (one line per series; BC''s dated series lines are not modelled). Numbers are handed out by rapport_next_number().';
COMMENT ON COLUMN number_series.code IS 'Series code (PK), referenced by marketing_setup.*_nos and segment_headers.no_series.';
COMMENT ON COLUMN number_series.description IS 'Description, Text[100].';
COMMENT ON COLUMN number_series.starting_no IS 'First number handed out (e.g. SEG00001); must contain digits; its digit run sets the zero-padding width.';
COMMENT ON COLUMN number_series.ending_no IS 'Last number that may be handed out; NULL = unlimited. rapport_next_number() refuses to pass it.';
COMMENT ON COLUMN number_series.last_no_used IS 'Last number handed out; NULL = none yet (the next one is starting_no).';
COMMENT ON COLUMN number_series.increment_by IS 'Step added to the rightmost digit run of last_no_used; > 0.';
COMMENT ON COLUMN number_series.allow_manual IS 'Manual Nos.: a user may type a number instead of drawing one (checked by the server, e.g. segment insert).';

CREATE FUNCTION rapport_next_number(series code20) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s          number_series%ROWTYPE;
    parts      text[];
    candidate  text;
    cand_num   numeric;
    end_parts  text[];
BEGIN
    -- Serialize concurrent callers on the series row; the lock is held to the end of the
    -- caller's transaction, so numbers are gap-free and never handed out twice.
    SELECT * INTO s FROM number_series WHERE code = series FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'number series % does not exist', coalesce(series, '(blank)')
            USING ERRCODE = 'P0002';
    END IF;

    IF s.last_no_used IS NULL THEN
        candidate := s.starting_no;
    ELSE
        -- rightmost run of digits: prefix (may be empty), digits, non-digit suffix
        parts := regexp_match(s.last_no_used, '^(.*[^0-9])?([0-9]+)([^0-9]*)$');
        IF parts IS NULL THEN
            RAISE EXCEPTION 'number series %: last number used % contains no digits', s.code, s.last_no_used
                USING ERRCODE = 'P0001';
        END IF;
        -- keep the zero-padding width; a carry may widen the number (99 -> 100)
        -- (lpad alone would truncate a longer result)
        cand_num  := parts[2]::numeric + s.increment_by;
        candidate := coalesce(parts[1], '')
                     || lpad(cand_num::text, greatest(length(parts[2]), length(cand_num::text)), '0')
                     || parts[3];
    END IF;

    IF s.ending_no IS NOT NULL THEN
        parts     := regexp_match(candidate,   '^(.*[^0-9])?([0-9]+)([^0-9]*)$');
        end_parts := regexp_match(s.ending_no, '^(.*[^0-9])?([0-9]+)([^0-9]*)$');
        cand_num  := parts[2]::numeric;
        IF cand_num > end_parts[2]::numeric THEN
            RAISE EXCEPTION 'number series % is exhausted: the next number % would pass the ending number %',
                    s.code, candidate, s.ending_no
                USING ERRCODE = 'P0001',
                      HINT = 'Raise the ending number of the series or use another series.';
        END IF;
    END IF;

    IF length(candidate) > 20 THEN
        RAISE EXCEPTION 'number series %: the next number % is longer than 20 characters', s.code, candidate
            USING ERRCODE = 'P0001';
    END IF;

    UPDATE number_series SET last_no_used = candidate WHERE code = s.code;
    RETURN candidate;
END
$$;
COMMENT ON FUNCTION rapport_next_number(code20) IS
    'Hands out the next number of a series (BC IncStr semantics): locks the series row FOR UPDATE, increments the rightmost digit run of last_no_used by increment_by keeping its zero-padding width (SEG00009 -> SEG00010), or starts with starting_no; refuses to pass ending_no (SQLSTATE P0001, message names the series); unknown series -> SQLSTATE P0002. Stores and returns the number.';

---------------------------------------------------------------------------------------------------
-- Languages, salespeople, users
---------------------------------------------------------------------------------------------------

CREATE TABLE languages (
    code  code10 PRIMARY KEY,
    name  text   CHECK (length(name) <= 50)
);
COMMENT ON TABLE languages IS 'Language: language codes for contacts, template language variants and logged interactions.';
COMMENT ON COLUMN languages.code IS 'Language code (PK), e.g. ENU, DEU.';
COMMENT ON COLUMN languages.name IS 'Language name, Text[50].';

CREATE TABLE salespeople (
    code      code20  PRIMARY KEY,
    name      text    CHECK (length(name) <= 50),
    email     text    CHECK (length(email) <= 80),
    phone_no  text    CHECK (length(phone_no) <= 30),
    blocked   boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE salespeople IS 'Salesperson/Purchaser: the people interactions and segments are assigned to.';
COMMENT ON COLUMN salespeople.code IS 'Salesperson code (PK).';
COMMENT ON COLUMN salespeople.name IS 'Name, Text[50]; used in the entry display title ("- by <name>").';
COMMENT ON COLUMN salespeople.email IS 'E-mail, Text[80]; sender address for deliveries.';
COMMENT ON COLUMN salespeople.phone_no IS 'Phone No., Text[30].';
COMMENT ON COLUMN salespeople.blocked IS 'Blocked salespeople cannot be chosen on new segments, lines or interactions (checked by the server).';

CREATE TABLE users (
    user_id          code50      PRIMARY KEY,
    full_name        text        CHECK (length(full_name) <= 80),
    email            text        CHECK (length(email) <= 250),
    role             enum_user_role NOT NULL DEFAULT 'salesperson',
    password_hash    text        NOT NULL
                                 CHECK (password_hash ~ '^\$[a-z0-9-]{1,32}\$' AND length(password_hash) <= 512),
    salesperson_code code20      REFERENCES salespeople (code),
    blocked          boolean     NOT NULL DEFAULT false,
    failed_logins    integer     NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    last_login_at    timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS
    'Rapport users (BC User + User Setup): who may log in, with which role, and their own salesperson. Users with entries cannot be deleted (FKs); block them instead.';
COMMENT ON COLUMN users.user_id IS 'User ID (PK), Code[50], upper-case; LOGIN names are upper-cased before lookup.';
COMMENT ON COLUMN users.full_name IS 'Full name, Text[80]; used in the entry display title when no salesperson name.';
COMMENT ON COLUMN users.email IS 'Authentication e-mail, Text[250]; "Create Interaction" from a contact looks for the salesperson with this e-mail (reference 3.2 R5).';
COMMENT ON COLUMN users.role IS 'salesperson | manager | administrator (enum_user_role).';
COMMENT ON COLUMN users.password_hash IS 'Salted slow hash as a PHC-format string ($<algorithm>$...); never a plaintext password.';
COMMENT ON COLUMN users.salesperson_code IS 'The user''s own salesperson (BC User Setup "Salespers./Purch. Code"); default salesperson for new segments and wizard interactions.';
COMMENT ON COLUMN users.blocked IS 'Blocked users cannot log in.';
COMMENT ON COLUMN users.failed_logins IS 'Consecutive failed logins since the last success; drives login throttling.';
COMMENT ON COLUMN users.last_login_at IS 'Time of the last successful login.';
COMMENT ON COLUMN users.created_at IS 'When the row was created.';
COMMENT ON COLUMN users.updated_at IS 'When the row was last changed (trigger).';

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION rapport_touch_updated_at();

---------------------------------------------------------------------------------------------------
-- Marketing setup (singleton)
---------------------------------------------------------------------------------------------------

CREATE TABLE marketing_setup (
    id                          boolean PRIMARY KEY DEFAULT true CHECK (id),
    contact_nos                 code20  REFERENCES number_series (code),
    campaign_nos                code20  REFERENCES number_series (code),
    segment_nos                 code20  REFERENCES number_series (code),
    task_nos                    code20  REFERENCES number_series (code),
    opportunity_nos             code20  REFERENCES number_series (code),
    default_correspondence_type enum_correspondence_type,
    default_salesperson_code    code20  REFERENCES salespeople (code),
    default_language_code       code10  REFERENCES languages (code),
    max_attachment_bytes        bigint  NOT NULL DEFAULT 10485760 CHECK (max_attachment_bytes > 0),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE marketing_setup IS 'Marketing Setup: exactly one row (id = true), inserted by this migration.';
COMMENT ON COLUMN marketing_setup.id IS 'Always true: makes the table a singleton.';
COMMENT ON COLUMN marketing_setup.contact_nos IS 'Contact Nos.: number series for new contacts.';
COMMENT ON COLUMN marketing_setup.campaign_nos IS 'Campaign Nos.: number series for new campaigns.';
COMMENT ON COLUMN marketing_setup.segment_nos IS 'Segment Nos.: number series for segment headers; required when a segment (or a follow-up segment) is created without a number.';
COMMENT ON COLUMN marketing_setup.task_nos IS 'To-do Nos. (caption Task Nos.): number series for tasks.';
COMMENT ON COLUMN marketing_setup.opportunity_nos IS 'Opportunity Nos.: number series for opportunities.';
COMMENT ON COLUMN marketing_setup.default_correspondence_type IS 'Default Correspondence Type: copied to new contacts whose correspondence type is blank.';
COMMENT ON COLUMN marketing_setup.default_salesperson_code IS 'Default Salesperson Code for new contacts.';
COMMENT ON COLUMN marketing_setup.default_language_code IS 'Default Language Code for new contacts.';
COMMENT ON COLUMN marketing_setup.max_attachment_bytes IS 'Largest attachment the server accepts, in bytes (default 10 MiB); enforced by the server before insert.';
COMMENT ON COLUMN marketing_setup.updated_at IS 'When the setup was last changed (trigger).';

CREATE TRIGGER marketing_setup_touch_updated_at BEFORE UPDATE ON marketing_setup
    FOR EACH ROW EXECUTE FUNCTION rapport_touch_updated_at();

INSERT INTO marketing_setup DEFAULT VALUES;
