-- 0004_templates_attachments: attachments (stored in the database), interaction groups,
-- interaction templates with their language variants, and the interaction template setup.

---------------------------------------------------------------------------------------------------
-- Attachments
---------------------------------------------------------------------------------------------------

CREATE TABLE attachments (
    no                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name         text        CHECK (length(file_name) <= 250),
    file_extension    text        CHECK (length(file_extension) <= 250),
    content_type      text        CHECK (length(content_type) <= 255),
    size_bytes        bigint      NOT NULL,
    content           bytea       NOT NULL,
    read_only         boolean     NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_modified_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attachments_size_matches CHECK (size_bytes = octet_length(content))
);
COMMENT ON TABLE attachments IS
    'Attachment: a stored document (Word/HTML/PDF/...) of a template language variant, a segment language variant, a segment line or a log entry. Always embedded in the database (BC''s Disk File / Exchange storage is not modelled). An attachment is deleted automatically when the last row referring to it is deleted (statement triggers from 0007_attachment_cleanup). Size limit: marketing_setup.max_attachment_bytes, enforced by the server.';
COMMENT ON COLUMN attachments.no IS 'Attachment No. (PK), identity; gaps allowed.';
COMMENT ON COLUMN attachments.file_name IS 'Original file name (without path), Text[250].';
COMMENT ON COLUMN attachments.file_extension IS 'File extension without the dot (docx, html, pdf ...), Text[250]; decides how delivery treats the content.';
COMMENT ON COLUMN attachments.content_type IS 'MIME type of the content, e.g. text/html.';
COMMENT ON COLUMN attachments.size_bytes IS 'Size of content in bytes; always equal to octet_length(content) (CHECK).';
COMMENT ON COLUMN attachments.content IS 'The file content.';
COMMENT ON COLUMN attachments.read_only IS 'Read Only: set once the attachment has been logged; the server refuses to change or replace read-only content.';
COMMENT ON COLUMN attachments.created_at IS 'When the attachment was stored.';
COMMENT ON COLUMN attachments.last_modified_at IS 'Last Date/Time Modified of the content (set by the server when it replaces content).';

---------------------------------------------------------------------------------------------------
-- Interaction groups and templates
---------------------------------------------------------------------------------------------------

CREATE TABLE interaction_groups (
    code         code10 PRIMARY KEY,
    description  text   CHECK (length(description) <= 100)
);
COMMENT ON TABLE interaction_groups IS
    'Interaction Group (table 5063), e.g. LETTER, MEETING, PHONE, DOC, SYSTEM. Unlike BC (reference quirk 6.20) a group used by templates, segments or log entries cannot be deleted (FK RESTRICT). Statistics (No. of Interactions, Cost, Duration) are computed from interaction_log_entries.';
COMMENT ON COLUMN interaction_groups.code IS 'Group code (PK), Code[10].';
COMMENT ON COLUMN interaction_groups.description IS 'Description, Text[100].';

CREATE TABLE interaction_templates (
    code                        code10        PRIMARY KEY,
    interaction_group_code      code10        NOT NULL REFERENCES interaction_groups (code) ON DELETE RESTRICT,
    description                 text          CHECK (length(description) <= 100),
    unit_cost                   numeric(18,2) NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
    unit_duration               numeric(18,2) NOT NULL DEFAULT 0 CHECK (unit_duration >= 0),
    information_flow            enum_information_flow,
    initiated_by                enum_initiated_by,
    campaign_no                 code20        REFERENCES campaigns (no),
    campaign_target             boolean       NOT NULL DEFAULT false,
    campaign_response           boolean       NOT NULL DEFAULT false,
    correspondence_type         enum_correspondence_type DEFAULT 'email',
    language_code_default       code10,
    wizard_action               enum_wizard_action,
    ignore_contact_corres_type  boolean       NOT NULL DEFAULT false,
    word_template_code          code30
);
COMMENT ON TABLE interaction_templates IS
    'Interaction Template (table 5064): defaults copied to every interaction made from it. Unlike BC (reference quirk 6.20) a template used by log entries, segments or the template setup cannot be deleted (FK RESTRICT); deleting an unused template deletes its language rows and their attachments. Attachment No. and statistics are computed.';
COMMENT ON COLUMN interaction_templates.code IS 'Template code (PK), Code[10].';
COMMENT ON COLUMN interaction_templates.interaction_group_code IS 'Interaction Group Code: mandatory; copied to every interaction made from the template.';
COMMENT ON COLUMN interaction_templates.description IS 'Default interaction description, Text[100].';
COMMENT ON COLUMN interaction_templates.unit_cost IS 'Unit Cost (LCY): default cost of an interaction; >= 0.';
COMMENT ON COLUMN interaction_templates.unit_duration IS 'Unit Duration (Min.): default duration in minutes; >= 0.';
COMMENT ON COLUMN interaction_templates.information_flow IS 'Default Information Flow (outbound | inbound, NULL = blank).';
COMMENT ON COLUMN interaction_templates.initiated_by IS 'Default Initiated By (us | them, NULL = blank).';
COMMENT ON COLUMN interaction_templates.campaign_no IS 'Default campaign, used only when no campaign comes from the context.';
COMMENT ON COLUMN interaction_templates.campaign_target IS 'Default Campaign Target flag.';
COMMENT ON COLUMN interaction_templates.campaign_response IS 'Default Campaign Response flag.';
COMMENT ON COLUMN interaction_templates.correspondence_type IS 'Correspondence Type (Default); new templates default to email (reference 3.1 R2); NULL = blank.';
COMMENT ON COLUMN interaction_templates.language_code_default IS 'Language Code (Default): must name an existing row of interaction_template_languages for this template. Enforced by the composite FK interaction_templates_language_default_fk, DEFERRABLE INITIALLY DEFERRED so the template and its default language row can be written in either order within one transaction; renaming the language row follows (ON UPDATE CASCADE), deleting it blanks this field (ON DELETE SET NULL). NULL = blank, which needs no row.';
COMMENT ON COLUMN interaction_templates.wizard_action IS 'Wizard Action (open | import | merge, NULL = blank): what step 2 of the Create Interaction wizard does (rules 3.1 R3b, R4 checked by the server).';
COMMENT ON COLUMN interaction_templates.ignore_contact_corres_type IS 'Ignore Contact Corres. Type: the template default correspondence type wins over the contact''s preference.';
COMMENT ON COLUMN interaction_templates.word_template_code IS 'Word Template Code, Code[30]: kept as a plain reference code (Word templates are not modelled).';

CREATE INDEX interaction_templates_group_idx ON interaction_templates (interaction_group_code);
COMMENT ON INDEX interaction_templates_group_idx IS 'Templates of a group (FK check when a group is deleted).';

CREATE TABLE interaction_template_languages (
    template_code       code10 NOT NULL REFERENCES interaction_templates (code) ON DELETE CASCADE,
    language_code       code10 REFERENCES languages (code),
    description         text   CHECK (length(description) <= 100),
    attachment_no       bigint REFERENCES attachments (no),
    word_template_code  code30,
    custom_layout_code  code20,
    CONSTRAINT interaction_template_languages_key UNIQUE NULLS NOT DISTINCT (template_code, language_code)
);
COMMENT ON TABLE interaction_template_languages IS
    'Interaction Tmpl. Language (table 5103): the language-specific content of a template, one row per (template, language); language_code NULL is the "no language" variant (key: UNIQUE NULLS NOT DISTINCT, there is no primary key because blank is NULL). Rows are deleted with their template; deleting a row deletes its attachment when nothing else refers to it (trigger).';
COMMENT ON COLUMN interaction_template_languages.template_code IS 'Interaction Template Code: the parent template (ON DELETE CASCADE).';
COMMENT ON COLUMN interaction_template_languages.language_code IS 'Language Code; NULL = blank ("no language").';
COMMENT ON COLUMN interaction_template_languages.description IS 'Description of this variant, Text[100] (not printed).';
COMMENT ON COLUMN interaction_template_languages.attachment_no IS 'The content (Word document, HTML ...) of this variant; NULL = none.';
COMMENT ON COLUMN interaction_template_languages.word_template_code IS 'Word Template Code, Code[30], for this language (plain code).';
COMMENT ON COLUMN interaction_template_languages.custom_layout_code IS 'Custom Layout Code, Code[20]: HTML e-mail body layout of the "Email Merge" report (plain code). A row with a layout makes the template''s wizard action merge (reference 3.1 R3b).';

CREATE INDEX interaction_template_languages_attachment_idx ON interaction_template_languages (attachment_no)
    WHERE attachment_no IS NOT NULL;
COMMENT ON INDEX interaction_template_languages_attachment_idx IS 'Who refers to an attachment (orphan cleanup, FK check).';

ALTER TABLE interaction_templates
    ADD CONSTRAINT interaction_templates_language_default_fk
    FOREIGN KEY (code, language_code_default)
    REFERENCES interaction_template_languages (template_code, language_code)
    ON UPDATE CASCADE ON DELETE SET NULL (language_code_default)
    DEFERRABLE INITIALLY DEFERRED;

---------------------------------------------------------------------------------------------------
-- Interaction template setup
---------------------------------------------------------------------------------------------------

CREATE TABLE interaction_template_setup (
    event          enum_template_setup_event PRIMARY KEY,
    template_code  code10 NOT NULL REFERENCES interaction_templates (code) ON DELETE RESTRICT
);
COMMENT ON TABLE interaction_template_setup IS
    'Interaction Template Setup (table 5122) as one row per event instead of one wide row: the template used when that event is logged automatically. A missing row means blank (do not log that event); clear a field by deleting its row. The server checks that the template has no attachment (except meeting_invitation) and, at logging time, no language rows (reference 3.1 R7).';
COMMENT ON COLUMN interaction_template_setup.event IS 'The setup field: a document type key (cover_sheet = Cover Sheets) or email, email_draft, outgoing_call, meeting_invitation.';
COMMENT ON COLUMN interaction_template_setup.template_code IS 'Template logged for the event.';
