-- 0020_merge_resend: the content merged per contact (issue 15).
--
-- A template language row may carry a custom report layout: the layout's code (0004's
-- custom_layout_code), its description and the layout file itself, a .docx Word layout with
-- MERGEFIELDs / «Field» markers, or an HTML or plain-text body with {{Field}} tags. Logging from a
-- template whose wizard action is merge stores the layout merged for the entry's contact as the
-- entry's own read-only attachment (interaction_log_entries.attachment_no, merged = true); the
-- attachment cleanup triggers of 0007 already cover such per-entry attachments (they look at every
-- table that refers to attachments, and log entries are one of them).

ALTER TABLE interaction_template_languages
    ADD COLUMN custom_layout_description text CHECK (length(custom_layout_description) <= 250),
    ADD COLUMN custom_layout_file_name text CHECK (length(custom_layout_file_name) <= 250),
    ADD COLUMN custom_layout_content bytea,
    ADD COLUMN custom_layout_modified_at timestamptz,
    ADD CONSTRAINT interaction_template_languages_layout_complete CHECK (
        (custom_layout_content IS NULL) = (custom_layout_file_name IS NULL)
        AND (custom_layout_content IS NULL OR custom_layout_code IS NOT NULL));
COMMENT ON COLUMN interaction_template_languages.custom_layout_description IS
    'Custom Layout Description, Text[250]: the description of the layout (BC shows it as a FlowField of the layout).';
COMMENT ON COLUMN interaction_template_languages.custom_layout_file_name IS
    'File name of the layout content; its extension (docx, html/htm, txt) says how it is merged. NULL = no layout content.';
COMMENT ON COLUMN interaction_template_languages.custom_layout_content IS
    'The layout merged per contact when the template''s wizard action is merge (and for the Cover Sheets template): a Word package with MERGEFIELDs or «Field» markers, or an HTML / text body with {{Field}} tags. Checked when it is set: every field it names must exist.';
COMMENT ON COLUMN interaction_template_languages.custom_layout_modified_at IS
    'When the layout content was last set.';

-- Which entries have their own merged content: the delivery worker and RESEND look them up by entry.
COMMENT ON COLUMN interaction_log_entries.merged IS
    'Merged: attachment_no is this entry''s own document, merged for its contact from the template language''s layout (a log from a merge template, a cover sheet, a resend with update merge fields).';

-- The "Contact Cover Sheet" report's layout (reference §5): one per installation, kept with the marketing
-- setup. SEGMENT-COVER-SHEETS merges it per segment line and logs a cover_sheet entry (the Cover Sheets
-- template of interaction_template_setup) with the merged sheet as the entry's own attachment. The Cover
-- Sheets template itself keeps no language rows (reference 3.1 R7), so the layout cannot live there.
ALTER TABLE marketing_setup
    ADD COLUMN cover_sheet_layout_file_name text CHECK (length(cover_sheet_layout_file_name) <= 250),
    ADD COLUMN cover_sheet_layout_content bytea,
    ADD CONSTRAINT marketing_setup_cover_sheet_layout_complete CHECK (
        (cover_sheet_layout_content IS NULL) = (cover_sheet_layout_file_name IS NULL));
COMMENT ON COLUMN marketing_setup.cover_sheet_layout_file_name IS
    'File name of the Contact Cover Sheet layout (docx, html or txt); NULL = none (SEGMENT-COVER-SHEETS refuses).';
COMMENT ON COLUMN marketing_setup.cover_sheet_layout_content IS
    'The Contact Cover Sheet layout, merged per contact like a template language layout.';
