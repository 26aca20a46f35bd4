-- 0005_interaction_log: the central ledger (interaction_log_entries) and its comment lines.
--
-- Index design (reference 1.6 / section 4, QUALITY P3-P5): every index below is paid for by
-- every inserted entry (a 100,000-line segment logs 100,000 entries in one statement), so the
-- set is kept small; partial indexes whose predicate is false for a new entry (postponed,
-- canceled, NULL references) cost next to nothing at insert time.

CREATE TABLE interaction_log_entries (
    entry_no                   bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_no                 code20        REFERENCES contacts (no),
    contact_company_no         code20        REFERENCES contacts (no),
    date                       date          NOT NULL,
    description                text          CHECK (length(description) <= 100),
    information_flow           enum_information_flow,
    initiated_by               enum_initiated_by,
    attachment_no              bigint        REFERENCES attachments (no),
    cost                       numeric(18,2) NOT NULL DEFAULT 0 CHECK (cost >= 0),
    duration                   numeric(18,2) NOT NULL DEFAULT 0 CHECK (duration >= 0),
    user_id                    code50        NOT NULL REFERENCES users (user_id),
    interaction_group_code     code10        NOT NULL REFERENCES interaction_groups (code) ON DELETE RESTRICT,
    interaction_template_code  code10        NOT NULL REFERENCES interaction_templates (code) ON DELETE RESTRICT,
    campaign_no                code20        REFERENCES campaigns (no),
    campaign_entry_no          bigint,
    campaign_response          boolean       NOT NULL DEFAULT false,
    campaign_target            boolean       NOT NULL DEFAULT false,
    segment_no                 code20,
    evaluation                 enum_evaluation,
    time_of_interaction        time,
    attempt_failed             boolean       NOT NULL DEFAULT false,
    task_no                    code20,
    salesperson_code           code20        REFERENCES salespeople (code),
    delivery_status            enum_delivery_status,
    canceled                   boolean       NOT NULL DEFAULT false,
    correspondence_type        enum_correspondence_type,
    contact_alt_address_code   code10,
    logged_segment_entry_no    bigint        REFERENCES logged_segments (entry_no) ON DELETE SET NULL,
    document_type              enum_document_type,
    document_no                code20,
    version_no                 integer       NOT NULL DEFAULT 0 CHECK (version_no >= 0),
    doc_no_occurrence          integer       NOT NULL DEFAULT 0 CHECK (doc_no_occurrence >= 0),
    contact_via                text          CHECK (length(contact_via) <= 80),
    send_word_docs_as_attmt    boolean       NOT NULL DEFAULT false,
    interaction_language_code  code10        REFERENCES languages (code),
    email_logged               boolean       NOT NULL DEFAULT false,
    subject                    text          CHECK (length(subject) <= 100),
    opportunity_no             code20,
    postponed                  boolean       NOT NULL DEFAULT false,
    word_template_code         code30,
    merged                     boolean       NOT NULL DEFAULT false,
    created_at                 timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT interaction_log_entries_campaign_entry_fk
        FOREIGN KEY (campaign_no, campaign_entry_no)
        REFERENCES campaign_entries (campaign_no, entry_no) ON DELETE CASCADE,
    CONSTRAINT interaction_log_entries_alt_address_fk
        FOREIGN KEY (contact_no, contact_alt_address_code)
        REFERENCES contact_alt_addresses (contact_no, code) ON DELETE SET NULL (contact_alt_address_code),
    CONSTRAINT interaction_log_entries_campaign_entry_needs_campaign
        CHECK (campaign_entry_no IS NULL OR campaign_no IS NOT NULL),
    CONSTRAINT interaction_log_entries_alt_address_needs_contact
        CHECK (contact_alt_address_code IS NULL OR contact_no IS NOT NULL),
    CONSTRAINT interaction_log_entries_company_needs_contact
        CHECK (contact_company_no IS NULL OR contact_no IS NOT NULL)
) WITH (fillfactor = 90);

COMMENT ON TABLE interaction_log_entries IS
    'Interaction Log Entry (table 5065): the ledger of interactions with contacts. Never edited freely: only logging, resume of postponed entries, cancel toggles, evaluation, delivery status, opportunity link and deletion of canceled entries change it. FlowFields (contact names, comment flag) and all statistics are computed by queries. fillfactor 90 leaves room for HOT updates of delivery_status/evaluation.';
COMMENT ON COLUMN interaction_log_entries.entry_no IS 'Entry No. (PK): identity, ascending, gaps allowed (not a number series, reference quirk 6.21).';
COMMENT ON COLUMN interaction_log_entries.contact_no IS 'Contact No.: the contact interacted with (person or company). NULL only after its company contact was deleted (reference 3.12 R7: person deleted -> the store re-points entries to the company first; company deleted -> the store clears contact_no and contact_company_no first).';
COMMENT ON COLUMN interaction_log_entries.contact_company_no IS 'Contact Company No.: the contact''s company; for a company contact the contact itself; NULL for a person without company or after the company was deleted.';
COMMENT ON COLUMN interaction_log_entries.date IS 'Date of the interaction (line date / wizard work date / system date for document logging).';
COMMENT ON COLUMN interaction_log_entries.description IS 'Description, Text[100]; from the template unless overridden.';
COMMENT ON COLUMN interaction_log_entries.information_flow IS 'Information Flow (outbound | inbound, NULL = blank).';
COMMENT ON COLUMN interaction_log_entries.initiated_by IS 'Initiated By (us | them, NULL = blank).';
COMMENT ON COLUMN interaction_log_entries.attachment_no IS 'The stored (merged) document sent or recorded; NULL = none. Shared by several entries when they came from one inherited segment attachment; deleted with the last entry/row referring to it (trigger).';
COMMENT ON COLUMN interaction_log_entries.cost IS 'Cost (LCY), >= 0: template unit cost, segment override or wizard step 4.';
COMMENT ON COLUMN interaction_log_entries.duration IS 'Duration (Min.), >= 0.';
COMMENT ON COLUMN interaction_log_entries.user_id IS 'User who (last) logged or resumed the entry.';
COMMENT ON COLUMN interaction_log_entries.interaction_group_code IS 'Interaction Group Code, copied from the template at log time. The group cannot be deleted while entries use it (RESTRICT, a deliberate change from BC, reference quirk 6.20).';
COMMENT ON COLUMN interaction_log_entries.interaction_template_code IS 'Interaction Template Code used. The template cannot be deleted while entries use it (RESTRICT, reference quirk 6.20).';
COMMENT ON COLUMN interaction_log_entries.campaign_no IS 'Campaign No.; NULL = none.';
COMMENT ON COLUMN interaction_log_entries.campaign_entry_no IS 'Campaign Entry No. created or reused at log time; NULL if no campaign or postponed. FK (campaign_no, campaign_entry_no) ON DELETE CASCADE: deleting a campaign entry deletes its log entries (reference 1.15).';
COMMENT ON COLUMN interaction_log_entries.campaign_response IS 'Campaign Response: the interaction is a response to the campaign.';
COMMENT ON COLUMN interaction_log_entries.campaign_target IS 'Campaign Target: the contact is targeted by the campaign.';
COMMENT ON COLUMN interaction_log_entries.segment_no IS 'Segment No. the entry came from: plain code, no FK (the segment is deleted by logging; the number is kept).';
COMMENT ON COLUMN interaction_log_entries.evaluation IS 'Evaluation (very_positive .. very_negative, NULL = blank); set from the segment line, wizard step 4 or Evaluate Interaction.';
COMMENT ON COLUMN interaction_log_entries.time_of_interaction IS 'Time of Interaction.';
COMMENT ON COLUMN interaction_log_entries.attempt_failed IS 'Attempt Failed = NOT "Interaction Successful"; failed attempts do not count for Date of Last Interaction.';
COMMENT ON COLUMN interaction_log_entries.task_no IS 'To-do No. (caption Task No.): the task the interaction fulfils; plain code (tasks are not modelled in this schema).';
COMMENT ON COLUMN interaction_log_entries.salesperson_code IS 'Salesperson Code; mandatory for non-document interactions (checked by the server), may be NULL for document logging.';
COMMENT ON COLUMN interaction_log_entries.delivery_status IS 'Delivery Status: in_progress when queued in delivery_outbox, NULL after successful delivery, error after a failed one.';
COMMENT ON COLUMN interaction_log_entries.canceled IS 'Canceled: the entry stays but is excluded from counts, costs and durations (not from last-interaction dates).';
COMMENT ON COLUMN interaction_log_entries.correspondence_type IS 'Correspondence Type actually used (hard_copy | email, NULL = blank).';
COMMENT ON COLUMN interaction_log_entries.contact_alt_address_code IS 'Contact Alt. Address Code active on the date; FK (contact_no, contact_alt_address_code), set to NULL when the address is deleted. Re-pointing an entry to another contact must clear it.';
COMMENT ON COLUMN interaction_log_entries.logged_segment_entry_no IS 'Logged Segment Entry No.; NULL if not from a logged segment or after that logged segment was deleted (ON DELETE SET NULL, reference 3.10 R3).';
COMMENT ON COLUMN interaction_log_entries.document_type IS 'Document Type of automatically logged documents; NULL = blank (not a document interaction).';
COMMENT ON COLUMN interaction_log_entries.document_no IS 'Document No. of that document (plain code: documents live in other modules).';
COMMENT ON COLUMN interaction_log_entries.version_no IS 'Version No.: archive version of the quote/order/blanket order at log time; 0 = none.';
COMMENT ON COLUMN interaction_log_entries.doc_no_occurrence IS 'Doc. No. Occurrence: how many times the document number has been used; 0 = not applicable.';
COMMENT ON COLUMN interaction_log_entries.contact_via IS 'Contact Via, Text[80]: phone number dialled or address used.';
COMMENT ON COLUMN interaction_log_entries.send_word_docs_as_attmt IS 'Send Word Docs. as Attmt.: the document is sent as an e-mail attachment rather than as the body.';
COMMENT ON COLUMN interaction_log_entries.interaction_language_code IS 'Interaction Language Code: the language variant used.';
COMMENT ON COLUMN interaction_log_entries.email_logged IS 'E-Mail Logged: created by e-mail logging; reset to false on resend.';
COMMENT ON COLUMN interaction_log_entries.subject IS 'Subject, Text[100]: e-mail / document subject (the wizard sets it to the description).';
COMMENT ON COLUMN interaction_log_entries.opportunity_no IS 'Opportunity No. linked; plain code (opportunities are not modelled in this schema).';
COMMENT ON COLUMN interaction_log_entries.postponed IS 'Postponed: saved for later by the wizard; hidden from the main list and excluded from every statistic.';
COMMENT ON COLUMN interaction_log_entries.word_template_code IS 'Word Template Code, Code[30], used to produce the content (plain code).';
COMMENT ON COLUMN interaction_log_entries.merged IS 'Merged: the content has already been merged.';
COMMENT ON COLUMN interaction_log_entries.created_at IS 'When the row was inserted (transaction time); not a business date.';

-- A contact's timeline (keyset: WHERE contact_no = $1 AND (date, entry_no) < ($2, $3)
-- ORDER BY date DESC, entry_no DESC LIMIT 50) and a person's statistics (index-only).
CREATE INDEX interaction_log_entries_contact_idx
    ON interaction_log_entries (contact_no, date DESC, entry_no DESC)
    INCLUDE (canceled, postponed, cost, duration);
COMMENT ON INDEX interaction_log_entries_contact_idx IS
    'Contact timeline with keyset pagination; INCLUDE columns let the contact statistics run index-only. Also the FK check when a contact is deleted.';

-- The company view: a company sees its own entries and those of its persons.
CREATE INDEX interaction_log_entries_company_idx
    ON interaction_log_entries (contact_company_no, date DESC, entry_no DESC)
    INCLUDE (canceled, postponed, cost, duration);
COMMENT ON INDEX interaction_log_entries_company_idx IS
    'Company timeline (company + its persons) with keyset pagination; company statistics index-only.';

CREATE INDEX interaction_log_entries_salesperson_idx
    ON interaction_log_entries (salesperson_code, date DESC, entry_no DESC)
    INCLUDE (canceled, postponed, cost, duration);
COMMENT ON INDEX interaction_log_entries_salesperson_idx IS
    'Salesperson timeline with keyset pagination; salesperson statistics index-only (filter on the INCLUDE columns).';

CREATE INDEX interaction_log_entries_template_stats_idx
    ON interaction_log_entries (interaction_template_code, date)
    INCLUDE (cost, duration)
    WHERE NOT canceled AND NOT postponed;
COMMENT ON INDEX interaction_log_entries_template_stats_idx IS
    'Template statistics: count/sum(cost)/sum(duration) WHERE interaction_template_code = $1 AND NOT canceled AND NOT postponed [AND date BETWEEN ...] is an index-only scan. Partial, so it cannot serve the FK check of a template delete (that one scans; templates are rarely deleted).';

CREATE INDEX interaction_log_entries_group_stats_idx
    ON interaction_log_entries (interaction_group_code, date)
    INCLUDE (cost, duration)
    WHERE NOT canceled AND NOT postponed;
COMMENT ON INDEX interaction_log_entries_group_stats_idx IS
    'Group statistics, as for templates.';

CREATE INDEX interaction_log_entries_logged_segment_idx
    ON interaction_log_entries (logged_segment_entry_no)
    INCLUDE (canceled)
    WHERE logged_segment_entry_no IS NOT NULL;
COMMENT ON INDEX interaction_log_entries_logged_segment_idx IS
    'Entries of a logged segment: cancel toggle, resend, reuse logged segment, No. of Interactions, SET NULL on delete.';

CREATE INDEX interaction_log_entries_campaign_idx
    ON interaction_log_entries (campaign_no, campaign_entry_no)
    INCLUDE (canceled, cost, duration)
    WHERE campaign_no IS NOT NULL;
COMMENT ON INDEX interaction_log_entries_campaign_idx IS
    'Entries of a campaign and of a campaign entry: cancel propagation, cascade delete, campaign entry statistics (index-only).';

CREATE INDEX interaction_log_entries_document_idx
    ON interaction_log_entries (document_type, document_no)
    WHERE document_type IS NOT NULL;
COMMENT ON INDEX interaction_log_entries_document_idx IS
    'Entries of a document (document type + no.); invoice-posting duplicate check.';

CREATE INDEX interaction_log_entries_postponed_user_idx
    ON interaction_log_entries (user_id, date DESC, entry_no DESC)
    WHERE postponed;
COMMENT ON INDEX interaction_log_entries_postponed_user_idx IS 'Postponed interactions of a user (Postponed Interactions page).';

CREATE INDEX interaction_log_entries_postponed_salesperson_idx
    ON interaction_log_entries (salesperson_code, date DESC, entry_no DESC)
    WHERE postponed;
COMMENT ON INDEX interaction_log_entries_postponed_salesperson_idx IS 'Postponed interactions of a salesperson.';

CREATE INDEX interaction_log_entries_canceled_idx
    ON interaction_log_entries (entry_no)
    WHERE canceled;
COMMENT ON INDEX interaction_log_entries_canceled_idx IS 'Canceled entries, for the Delete Canceled Interaction Log Entries batch.';

CREATE INDEX interaction_log_entries_opportunity_idx
    ON interaction_log_entries (opportunity_no, date)
    WHERE opportunity_no IS NOT NULL;
COMMENT ON INDEX interaction_log_entries_opportunity_idx IS 'Entries of an opportunity.';

CREATE INDEX interaction_log_entries_task_idx
    ON interaction_log_entries (task_no, date)
    WHERE task_no IS NOT NULL;
COMMENT ON INDEX interaction_log_entries_task_idx IS 'Entries of a task.';

CREATE INDEX interaction_log_entries_attachment_idx
    ON interaction_log_entries (attachment_no)
    WHERE attachment_no IS NOT NULL;
COMMENT ON INDEX interaction_log_entries_attachment_idx IS
    'Who refers to an attachment: the "unique attachment" test on delete/cancel, orphan cleanup, FK check.';

---------------------------------------------------------------------------------------------------
-- Comment lines
---------------------------------------------------------------------------------------------------

CREATE TABLE interaction_log_entry_comments (
    entry_no            bigint  NOT NULL REFERENCES interaction_log_entries (entry_no) ON DELETE CASCADE,
    line_no             integer NOT NULL CHECK (line_no > 0),
    date                date,
    code                code10,
    comment             text    CHECK (length(comment) <= 80),
    last_date_modified  date,
    PRIMARY KEY (entry_no, line_no)
);
COMMENT ON TABLE interaction_log_entry_comments IS
    'Inter. Log Entry Comment Line (table 5123): free comment lines of an entry; deleted with the entry (CASCADE) and replaced when a postponed entry is logged again.';
COMMENT ON COLUMN interaction_log_entry_comments.entry_no IS 'The log entry (ON DELETE CASCADE).';
COMMENT ON COLUMN interaction_log_entry_comments.line_no IS 'Line No. (10000, 20000, ...).';
COMMENT ON COLUMN interaction_log_entry_comments.date IS 'Date of the comment (a new line defaults to the work date if no line with that date exists yet).';
COMMENT ON COLUMN interaction_log_entry_comments.code IS 'Code, Code[10]: free classification.';
COMMENT ON COLUMN interaction_log_entry_comments.comment IS 'Comment, Text[80].';
COMMENT ON COLUMN interaction_log_entry_comments.last_date_modified IS 'Last Date Modified (system date on modify).';
