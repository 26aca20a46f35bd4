-- 0006_segments: segment headers and lines, segment language variants, criteria, history,
-- saved criteria.
--
-- Nothing refers to segment_lines by FK on purpose: deleting the 100,000 lines of a logged
-- segment must not fire one referential-action query per line. Line-specific language rows are
-- removed by a statement-level trigger instead (0007_attachment_cleanup).

CREATE TABLE segment_headers (
    no                           code20        PRIMARY KEY,
    description                  text          CHECK (length(description) <= 100),
    campaign_no                  code20        REFERENCES campaigns (no),
    salesperson_code             code20        REFERENCES salespeople (code),
    correspondence_type_default  enum_correspondence_type,
    interaction_template_code    code10        REFERENCES interaction_templates (code) ON DELETE RESTRICT,
    unit_cost                    numeric(18,2) NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    unit_duration                numeric(18,2) NOT NULL DEFAULT 0 CHECK (unit_duration >= 0),
    date                         date          DEFAULT CURRENT_DATE,
    campaign_target              boolean       NOT NULL DEFAULT false,
    information_flow             enum_information_flow,
    initiated_by                 enum_initiated_by,
    no_series                    code20        REFERENCES number_series (code),
    campaign_response            boolean       NOT NULL DEFAULT false,
    language_code_default        code10        REFERENCES languages (code),
    interaction_group_code       code10        REFERENCES interaction_groups (code) ON DELETE RESTRICT,
    send_word_docs_as_attmt      boolean       NOT NULL DEFAULT false,
    ignore_contact_corres_type   boolean       NOT NULL DEFAULT false,
    subject_default              text          CHECK (length(subject_default) <= 100),
    word_template_code           code30,
    created_by                   code50        REFERENCES users (user_id),
    created_at                   timestamptz   NOT NULL DEFAULT now(),
    updated_at                   timestamptz   NOT NULL DEFAULT now()
);
COMMENT ON TABLE segment_headers IS
    'Segment Header (table 5076): a working list of contacts that will receive the same interaction. Deleting it deletes its lines, language rows (and their attachments), criteria lines and history (CASCADE). Logging deletes it. No. of Lines / Cost / Duration / No. of Criteria Actions / Attachment No. are computed.';
COMMENT ON COLUMN segment_headers.no IS 'Segment No. (PK): from marketing_setup.segment_nos via rapport_next_number(), or typed when the series allows manual numbers.';
COMMENT ON COLUMN segment_headers.description IS 'Description, Text[100]; required when logging; propagates to lines.';
COMMENT ON COLUMN segment_headers.campaign_no IS 'Campaign No.; propagates to lines; clearing it resets campaign target/response.';
COMMENT ON COLUMN segment_headers.salesperson_code IS 'Salesperson (non-blocked); defaults from the creating user''s salesperson; propagates to lines.';
COMMENT ON COLUMN segment_headers.correspondence_type_default IS 'Correspondence Type (Default); propagates only under the conditions of reference 3.6 R6.';
COMMENT ON COLUMN segment_headers.interaction_template_code IS 'Interaction Template Code; copies template defaults to the header and optionally to the lines.';
COMMENT ON COLUMN segment_headers.unit_cost IS 'Unit Cost (LCY), >= 0: default line cost.';
COMMENT ON COLUMN segment_headers.unit_duration IS 'Unit Duration (Min.), >= 0: default line duration.';
COMMENT ON COLUMN segment_headers.date IS 'Date: the work date at insert; propagates to lines.';
COMMENT ON COLUMN segment_headers.campaign_target IS 'Campaign Target; propagates.';
COMMENT ON COLUMN segment_headers.information_flow IS 'Information Flow (outbound | inbound, NULL = blank); propagates.';
COMMENT ON COLUMN segment_headers.initiated_by IS 'Initiated By (us | them, NULL = blank); propagates.';
COMMENT ON COLUMN segment_headers.no_series IS 'No. Series actually used for the number (read-only).';
COMMENT ON COLUMN segment_headers.campaign_response IS 'Campaign Response; propagates.';
COMMENT ON COLUMN segment_headers.language_code_default IS 'Language Code (Default): default language variant of the segment''s own content (a segment_interaction_languages row with segment_line_no = 0).';
COMMENT ON COLUMN segment_headers.interaction_group_code IS 'Interaction Group Code, copied from the template.';
COMMENT ON COLUMN segment_headers.send_word_docs_as_attmt IS 'Send Word Docs. as Attmt.; propagates.';
COMMENT ON COLUMN segment_headers.ignore_contact_corres_type IS 'Ignore Contact Corres. Type: with a non-blank default correspondence type, that type is forced on all lines.';
COMMENT ON COLUMN segment_headers.subject_default IS 'Subject (Default), Text[100]: subject of the default language.';
COMMENT ON COLUMN segment_headers.word_template_code IS 'Word Template Code, Code[30], from the template; propagates (plain code).';
COMMENT ON COLUMN segment_headers.created_by IS 'User who created the segment (owner for the role checks).';
COMMENT ON COLUMN segment_headers.created_at IS 'When the segment was created.';
COMMENT ON COLUMN segment_headers.updated_at IS 'When the header was last changed (trigger).';

CREATE TRIGGER segment_headers_touch_updated_at BEFORE UPDATE ON segment_headers
    FOR EACH ROW EXECUTE FUNCTION rapport_touch_updated_at();

CREATE TABLE segment_lines (
    segment_no                 code20        NOT NULL REFERENCES segment_headers (no) ON DELETE CASCADE,
    line_no                    integer       NOT NULL CHECK (line_no > 0),
    contact_no                 code20        REFERENCES contacts (no) ON DELETE RESTRICT,
    campaign_no                code20        REFERENCES campaigns (no),
    salesperson_code           code20        REFERENCES salespeople (code),
    correspondence_type        enum_correspondence_type,
    interaction_template_code  code10        REFERENCES interaction_templates (code) ON DELETE RESTRICT,
    cost                       numeric(18,2) NOT NULL DEFAULT 0 CHECK (cost >= 0),
    duration                   numeric(18,2) NOT NULL DEFAULT 0 CHECK (duration >= 0),
    attachment_no              bigint        REFERENCES attachments (no),
    campaign_response          boolean       NOT NULL DEFAULT false,
    information_flow           enum_information_flow,
    initiated_by               enum_initiated_by,
    contact_alt_address_code   code10,
    evaluation                 enum_evaluation,
    campaign_target            boolean       NOT NULL DEFAULT false,
    language_code              code10        REFERENCES languages (code),
    description                text          CHECK (length(description) <= 100),
    date                       date,
    time_of_interaction        time,
    attempt_failed             boolean       NOT NULL DEFAULT false,
    task_no                    code20,
    contact_company_no         code20        REFERENCES contacts (no),
    campaign_entry_no          bigint        REFERENCES campaign_entries (entry_no) ON DELETE SET NULL,
    interaction_group_code     code10        REFERENCES interaction_groups (code) ON DELETE RESTRICT,
    document_type              enum_document_type,
    document_no                code20,
    send_word_docs_as_attmt    boolean       NOT NULL DEFAULT false,
    contact_via                text          CHECK (length(contact_via) <= 80),
    version_no                 integer       NOT NULL DEFAULT 0 CHECK (version_no >= 0),
    doc_no_occurrence          integer       NOT NULL DEFAULT 0 CHECK (doc_no_occurrence >= 0),
    subject                    text          CHECK (length(subject) <= 100),
    opportunity_no             code20,
    word_template_code         code30,
    merged                     boolean       NOT NULL DEFAULT false,
    PRIMARY KEY (segment_no, line_no),
    CONSTRAINT segment_lines_alt_address_fk
        FOREIGN KEY (contact_no, contact_alt_address_code)
        REFERENCES contact_alt_addresses (contact_no, code) ON DELETE SET NULL (contact_alt_address_code),
    CONSTRAINT segment_lines_alt_address_needs_contact
        CHECK (contact_alt_address_code IS NULL OR contact_no IS NOT NULL)
);
COMMENT ON TABLE segment_lines IS
    'Segment Line (table 5077): one contact of a segment with every per-line override; copied field by field into interaction_log_entries when the segment is logged. The wizard''s in-memory use of this record is not stored. Deleting a line deletes its line-specific language rows and their attachments (statement trigger).';
COMMENT ON COLUMN segment_lines.segment_no IS 'Segment No. (ON DELETE CASCADE from the header).';
COMMENT ON COLUMN segment_lines.line_no IS 'Line No. (10000, 20000, ...).';
COMMENT ON COLUMN segment_lines.contact_no IS 'Contact No.; NULL lines are ignored by logging. RESTRICT: a contact on an unlogged segment cannot be deleted (reference 3.12 R7).';
COMMENT ON COLUMN segment_lines.campaign_no IS 'Campaign No.';
COMMENT ON COLUMN segment_lines.salesperson_code IS 'Salesperson Code (non-blocked): header salesperson, else the contact''s.';
COMMENT ON COLUMN segment_lines.correspondence_type IS 'Correspondence Type override (hard_copy | email, NULL = blank); precedence in reference 3.2 R3.';
COMMENT ON COLUMN segment_lines.interaction_template_code IS 'Interaction Template Code; a line whose template differs from the header''s has line-specific language rows.';
COMMENT ON COLUMN segment_lines.cost IS 'Cost (LCY), >= 0.';
COMMENT ON COLUMN segment_lines.duration IS 'Duration (Min.), >= 0.';
COMMENT ON COLUMN segment_lines.attachment_no IS 'Attachment: inherited (the segment-level language row''s attachment, shared) or unique (the line''s own language row''s attachment).';
COMMENT ON COLUMN segment_lines.campaign_response IS 'Campaign Response.';
COMMENT ON COLUMN segment_lines.information_flow IS 'Information Flow (outbound | inbound, NULL = blank).';
COMMENT ON COLUMN segment_lines.initiated_by IS 'Initiated By (us | them, NULL = blank).';
COMMENT ON COLUMN segment_lines.contact_alt_address_code IS 'Contact Alt. Address Code active on the line date; FK (contact_no, contact_alt_address_code), NULL when the address is deleted.';
COMMENT ON COLUMN segment_lines.evaluation IS 'Evaluation, copied to the log entry (NULL = blank).';
COMMENT ON COLUMN segment_lines.campaign_target IS 'Campaign Target.';
COMMENT ON COLUMN segment_lines.language_code IS 'Language Code of the content variant used (requires a template).';
COMMENT ON COLUMN segment_lines.description IS 'Description override, Text[100].';
COMMENT ON COLUMN segment_lines.date IS 'Date of the interaction; required when logging.';
COMMENT ON COLUMN segment_lines.time_of_interaction IS 'Time of Interaction.';
COMMENT ON COLUMN segment_lines.attempt_failed IS 'Attempt Failed.';
COMMENT ON COLUMN segment_lines.task_no IS 'To-do No. (plain code: tasks are not modelled).';
COMMENT ON COLUMN segment_lines.contact_company_no IS 'Contact Company No. (for a company contact: itself).';
COMMENT ON COLUMN segment_lines.campaign_entry_no IS 'Campaign Entry No. assigned at logging (read-only; usually never stored because logging deletes the line).';
COMMENT ON COLUMN segment_lines.interaction_group_code IS 'Interaction Group Code of the line''s template.';
COMMENT ON COLUMN segment_lines.document_type IS 'Document Type (NULL = blank), as on the log entry.';
COMMENT ON COLUMN segment_lines.document_no IS 'Document No., as on the log entry.';
COMMENT ON COLUMN segment_lines.send_word_docs_as_attmt IS 'Send Word Doc. As Attmt.';
COMMENT ON COLUMN segment_lines.contact_via IS 'Contact Via, Text[80].';
COMMENT ON COLUMN segment_lines.version_no IS 'Version No. (0 = none), as on the log entry.';
COMMENT ON COLUMN segment_lines.doc_no_occurrence IS 'Doc. No. Occurrence (0 = none), as on the log entry.';
COMMENT ON COLUMN segment_lines.subject IS 'Subject, Text[100].';
COMMENT ON COLUMN segment_lines.opportunity_no IS 'Opportunity No. (plain code: opportunities are not modelled).';
COMMENT ON COLUMN segment_lines.word_template_code IS 'Word Template Code, Code[30] (plain code).';
COMMENT ON COLUMN segment_lines.merged IS 'Merged.';

CREATE INDEX segment_lines_contact_idx ON segment_lines (contact_no, segment_no) WHERE contact_no IS NOT NULL;
COMMENT ON INDEX segment_lines_contact_idx IS
    'Unlogged segments of a contact (contact delete RESTRICT check, Company No. change check) and "is this contact already on this segment" (Add Contacts, Go Back).';
CREATE INDEX segment_lines_attachment_idx ON segment_lines (attachment_no) WHERE attachment_no IS NOT NULL;
COMMENT ON INDEX segment_lines_attachment_idx IS 'Who refers to an attachment (orphan cleanup, FK check).';

CREATE TABLE segment_interaction_languages (
    segment_no          code20  NOT NULL REFERENCES segment_headers (no) ON DELETE CASCADE,
    segment_line_no     integer NOT NULL DEFAULT 0 CHECK (segment_line_no >= 0),
    language_code       code10  REFERENCES languages (code),
    description         text    CHECK (length(description) <= 100),
    attachment_no       bigint  REFERENCES attachments (no),
    subject             text    CHECK (length(subject) <= 100),
    word_template_code  code30,
    CONSTRAINT segment_interaction_languages_key UNIQUE NULLS NOT DISTINCT (segment_no, segment_line_no, language_code)
);
COMMENT ON TABLE segment_interaction_languages IS
    'Segment Interaction Language (table 5104): the segment''s copy of a template''s language variants (attachments are duplicated, so segment edits never change the template). segment_line_no 0 = segment-level (inherited) content, > 0 = line-specific (unique) content of that line. Key: UNIQUE NULLS NOT DISTINCT (no primary key: blank language is NULL). Deleted with the header (CASCADE) or with their line (trigger); attachments follow (trigger).';
COMMENT ON COLUMN segment_interaction_languages.segment_no IS 'Segment No. (ON DELETE CASCADE from the header).';
COMMENT ON COLUMN segment_interaction_languages.segment_line_no IS 'Segment Line No.: 0 = segment level, otherwise the line_no of the segment line (not an FK, see the file header).';
COMMENT ON COLUMN segment_interaction_languages.language_code IS 'Language Code; NULL = blank ("no language").';
COMMENT ON COLUMN segment_interaction_languages.description IS 'Description, Text[100].';
COMMENT ON COLUMN segment_interaction_languages.attachment_no IS 'The (duplicated) content of this variant; NULL = none.';
COMMENT ON COLUMN segment_interaction_languages.subject IS 'Subject, Text[100]; pushed to matching lines.';
COMMENT ON COLUMN segment_interaction_languages.word_template_code IS 'Word Template Code, Code[30] (plain code).';

CREATE INDEX segment_interaction_languages_attachment_idx ON segment_interaction_languages (attachment_no)
    WHERE attachment_no IS NOT NULL;
COMMENT ON INDEX segment_interaction_languages_attachment_idx IS 'Who refers to an attachment (orphan cleanup, FK check).';

CREATE TABLE segment_criteria_lines (
    segment_no                  code20  NOT NULL REFERENCES segment_headers (no) ON DELETE CASCADE,
    line_no                     integer NOT NULL CHECK (line_no > 0),
    type                        enum_criteria_line_type NOT NULL,
    action                      enum_criteria_action,
    allow_existing_contacts     boolean NOT NULL DEFAULT false,
    expand_contact              boolean NOT NULL DEFAULT false,
    allow_company_with_persons  boolean NOT NULL DEFAULT false,
    ignore_exclusion            boolean NOT NULL DEFAULT false,
    entire_companies            boolean NOT NULL DEFAULT false,
    no_of_filters               integer NOT NULL DEFAULT 0 CHECK (no_of_filters >= 0),
    table_name                  enum_criteria_table,
    table_view                  text    CHECK (length(table_view) <= 2048),
    PRIMARY KEY (segment_no, line_no),
    CONSTRAINT segment_criteria_lines_shape CHECK (
        (type = 'action' AND action IS NOT NULL AND table_name IS NULL)
        OR (type = 'filter' AND action IS NULL AND table_name IS NOT NULL))
);
COMMENT ON TABLE segment_criteria_lines IS
    'Segment Criteria Line (table 5097): the add/reduce/refine steps applied to a segment (type action, with options) each followed by its non-empty filters (type filter). No. of Criteria Actions = count of action rows. Go Back deletes from the end up to and including the last action row.';
COMMENT ON COLUMN segment_criteria_lines.segment_no IS 'Segment No. (ON DELETE CASCADE from the header).';
COMMENT ON COLUMN segment_criteria_lines.line_no IS 'Line No. 1, 2, 3 ...';
COMMENT ON COLUMN segment_criteria_lines.type IS 'action | filter.';
COMMENT ON COLUMN segment_criteria_lines.action IS 'For action rows: add | reduce | refine; NULL on filter rows.';
COMMENT ON COLUMN segment_criteria_lines.allow_existing_contacts IS 'Add option: also add contacts already on the segment.';
COMMENT ON COLUMN segment_criteria_lines.expand_contact IS 'Add option Expand Companies: replace each contact by all contacts of its company.';
COMMENT ON COLUMN segment_criteria_lines.allow_company_with_persons IS 'Add option Allow Related Companies: add the company of each person found.';
COMMENT ON COLUMN segment_criteria_lines.ignore_exclusion IS 'Add option Ignore Exclusion: do not drop contacts flagged exclude_from_segment.';
COMMENT ON COLUMN segment_criteria_lines.entire_companies IS 'Reduce/refine option Entire Companies.';
COMMENT ON COLUMN segment_criteria_lines.no_of_filters IS 'For action rows: number of filter rows that follow.';
COMMENT ON COLUMN segment_criteria_lines.table_name IS 'For filter rows: contact | interaction_log_entry; NULL on action rows.';
COMMENT ON COLUMN segment_criteria_lines.table_view IS 'For filter rows: the serialized filter (the server''s own filter syntax), at most 2048 characters.';

CREATE TABLE segment_history (
    segment_no         code20  NOT NULL REFERENCES segment_headers (no) ON DELETE CASCADE,
    segment_action_no  integer NOT NULL CHECK (segment_action_no > 0),
    segment_line_no    integer NOT NULL CHECK (segment_line_no > 0),
    contact_no         code20  NOT NULL REFERENCES contacts (no) ON DELETE CASCADE,
    action_taken       enum_history_action NOT NULL,
    PRIMARY KEY (segment_no, segment_action_no, segment_line_no)
);
COMMENT ON TABLE segment_history IS
    'Segment History (table 5078): which line/contact each criteria action inserted or deleted, so Go Back can undo the last action.';
COMMENT ON COLUMN segment_history.segment_no IS 'Segment No. (ON DELETE CASCADE from the header).';
COMMENT ON COLUMN segment_history.segment_action_no IS 'The segment''s No. of Criteria Actions when the line changed (groups changes by criteria step).';
COMMENT ON COLUMN segment_history.segment_line_no IS 'Line No. of the inserted or deleted segment line.';
COMMENT ON COLUMN segment_history.contact_no IS 'Contact of that line (history rows of a deleted contact go with it: CASCADE).';
COMMENT ON COLUMN segment_history.action_taken IS 'insertion | deletion.';

CREATE INDEX segment_history_contact_idx ON segment_history (contact_no);
COMMENT ON INDEX segment_history_contact_idx IS 'FK cascade when a contact is deleted.';

CREATE TABLE saved_segment_criteria (
    code         code10 PRIMARY KEY,
    description  text   CHECK (length(description) <= 100)
);
COMMENT ON TABLE saved_segment_criteria IS 'Saved Segment Criteria: a named copy of a segment''s criteria lines, replayed by Reuse Criteria.';
COMMENT ON COLUMN saved_segment_criteria.code IS 'Code (PK), Code[10].';
COMMENT ON COLUMN saved_segment_criteria.description IS 'Description, Text[100].';

CREATE TABLE saved_segment_criteria_lines (
    code                        code10  NOT NULL REFERENCES saved_segment_criteria (code) ON DELETE CASCADE ON UPDATE CASCADE,
    line_no                     integer NOT NULL CHECK (line_no > 0),
    type                        enum_criteria_line_type NOT NULL,
    action                      enum_criteria_action,
    allow_existing_contacts     boolean NOT NULL DEFAULT false,
    expand_contact              boolean NOT NULL DEFAULT false,
    allow_company_with_persons  boolean NOT NULL DEFAULT false,
    ignore_exclusion            boolean NOT NULL DEFAULT false,
    entire_companies            boolean NOT NULL DEFAULT false,
    no_of_filters               integer NOT NULL DEFAULT 0 CHECK (no_of_filters >= 0),
    table_name                  enum_criteria_table,
    table_view                  text    CHECK (length(table_view) <= 2048),
    PRIMARY KEY (code, line_no),
    CONSTRAINT saved_segment_criteria_lines_shape CHECK (
        (type = 'action' AND action IS NOT NULL AND table_name IS NULL)
        OR (type = 'filter' AND action IS NULL AND table_name IS NOT NULL))
);
COMMENT ON TABLE saved_segment_criteria_lines IS 'Saved Segment Criteria Line: same layout as segment_criteria_lines, keyed by the saved criteria code.';
COMMENT ON COLUMN saved_segment_criteria_lines.code IS 'Saved criteria code (ON DELETE CASCADE).';
COMMENT ON COLUMN saved_segment_criteria_lines.line_no IS 'Line No. 1, 2, 3 ...';
COMMENT ON COLUMN saved_segment_criteria_lines.type IS 'action | filter.';
COMMENT ON COLUMN saved_segment_criteria_lines.action IS 'For action rows: add | reduce | refine; NULL on filter rows.';
COMMENT ON COLUMN saved_segment_criteria_lines.allow_existing_contacts IS 'Add option: also add contacts already on the segment.';
COMMENT ON COLUMN saved_segment_criteria_lines.expand_contact IS 'Add option Expand Companies.';
COMMENT ON COLUMN saved_segment_criteria_lines.allow_company_with_persons IS 'Add option Allow Related Companies.';
COMMENT ON COLUMN saved_segment_criteria_lines.ignore_exclusion IS 'Add option Ignore Exclusion.';
COMMENT ON COLUMN saved_segment_criteria_lines.entire_companies IS 'Reduce/refine option Entire Companies (ignored on replay of refine steps in BC, reference quirk 6.7).';
COMMENT ON COLUMN saved_segment_criteria_lines.no_of_filters IS 'For action rows: number of filter rows that follow.';
COMMENT ON COLUMN saved_segment_criteria_lines.table_name IS 'For filter rows: contact | interaction_log_entry.';
COMMENT ON COLUMN saved_segment_criteria_lines.table_view IS 'For filter rows: the serialized filter, at most 2048 characters.';
