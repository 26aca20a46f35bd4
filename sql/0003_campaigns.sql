-- 0003_campaigns: campaigns, the register of logged segments, and campaign entries.
-- logged_segments lives here because campaign entries point at it (register_no); both are
-- written by Log Segment (reference 3.8) and, like log entries, numbered by identity columns
-- (gaps allowed).

CREATE TABLE campaigns (
    no                code20 PRIMARY KEY,
    description       text   CHECK (length(description) <= 100),
    starting_date     date,
    ending_date       date,
    salesperson_code  code20 REFERENCES salespeople (code),
    status_code       code10,
    CONSTRAINT campaigns_date_range CHECK (starting_date IS NULL OR ending_date IS NULL OR starting_date <= ending_date)
);
COMMENT ON TABLE campaigns IS
    'Campaign (only what interactions use). A campaign with campaign entries, log entries, templates or segments referring to it cannot be deleted.';
COMMENT ON COLUMN campaigns.no IS 'Campaign No. (PK), from marketing_setup.campaign_nos or typed.';
COMMENT ON COLUMN campaigns.description IS 'Description, Text[100].';
COMMENT ON COLUMN campaigns.starting_date IS 'Starting Date; invoice posting logs campaign interactions only within the campaign dates (reference 3.13 R2).';
COMMENT ON COLUMN campaigns.ending_date IS 'Ending Date.';
COMMENT ON COLUMN campaigns.salesperson_code IS 'Salesperson responsible for the campaign.';
COMMENT ON COLUMN campaigns.status_code IS 'Campaign status code, Code[10] (plain code: campaign statuses are not modelled).';

CREATE TABLE logged_segments (
    entry_no       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    segment_no     code20      NOT NULL,
    description    text        NOT NULL CHECK (length(description) <= 100),
    creation_date  date        NOT NULL DEFAULT CURRENT_DATE,
    user_id        code50      NOT NULL REFERENCES users (user_id),
    canceled       boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT logged_segments_segment_no_unique UNIQUE (segment_no)
);
COMMENT ON TABLE logged_segments IS
    'Logged Segment (table 5075): one row per segment that was logged. The unique segment_no makes logging a segment twice impossible (reference 3.8 R1, 3.14 R3): the loser of a race gets a unique violation on logged_segments_segment_no_unique. No. of Interactions / No. of Campaign Entries are computed (same Canceled value as this row).';
COMMENT ON COLUMN logged_segments.entry_no IS 'Entry No. (PK), identity; gaps allowed.';
COMMENT ON COLUMN logged_segments.segment_no IS 'No. of the segment that was logged (the segment itself is deleted by logging).';
COMMENT ON COLUMN logged_segments.description IS 'Segment description, Text[100]; required for logging.';
COMMENT ON COLUMN logged_segments.creation_date IS 'Creation Date: the system date (TODAY) at logging.';
COMMENT ON COLUMN logged_segments.user_id IS 'User who logged the segment.';
COMMENT ON COLUMN logged_segments.canceled IS 'Canceled; toggling it also sets Canceled on all its campaign entries and log entries (reference 3.10 R2). Only canceled logged segments may be deleted.';
COMMENT ON COLUMN logged_segments.created_at IS 'When the row was inserted.';

CREATE TABLE campaign_entries (
    entry_no          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_no       code20      NOT NULL REFERENCES campaigns (no),
    description       text        CHECK (length(description) <= 100),
    date              date        NOT NULL,
    user_id           code50      NOT NULL REFERENCES users (user_id),
    segment_no        code20,
    canceled          boolean     NOT NULL DEFAULT false,
    salesperson_code  code20      REFERENCES salespeople (code),
    register_no       bigint      REFERENCES logged_segments (entry_no) ON DELETE SET NULL,
    document_type     enum_document_type,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaign_entries_campaign_entry_unique UNIQUE (campaign_no, entry_no),
    CONSTRAINT campaign_entries_reuse_key UNIQUE NULLS NOT DISTINCT (campaign_no, document_type, segment_no)
);
COMMENT ON TABLE campaign_entries IS
    'Campaign Entry (table 5072): groups the interactions of one campaign made by one segment logging, one document type, or manually. Get-or-create by (campaign_no, document_type, segment_no) (reference 3.12 R6); the unique key campaign_entries_reuse_key lets concurrent sessions use INSERT ... ON CONFLICT DO NOTHING and then read the winner. Deleting a campaign entry deletes its log entries (FK cascade). Its statistics are computed.';
COMMENT ON COLUMN campaign_entries.entry_no IS 'Entry No. (PK), identity; gaps allowed.';
COMMENT ON COLUMN campaign_entries.campaign_no IS 'Campaign the entry belongs to.';
COMMENT ON COLUMN campaign_entries.description IS 'Text[100]: the segment description (segment logging), the setup caption of the document type (e.g. "Sales Invoices"), or "Interactions" for manual interactions.';
COMMENT ON COLUMN campaign_entries.date IS 'Date of the first interaction (line date).';
COMMENT ON COLUMN campaign_entries.user_id IS 'User who created the campaign entry.';
COMMENT ON COLUMN campaign_entries.segment_no IS 'Segment No. it was created for (plain code: segments are deleted after logging); NULL for non-segment interactions.';
COMMENT ON COLUMN campaign_entries.canceled IS 'Canceled; toggling it propagates to all its log entries (bulk, reference 6.1).';
COMMENT ON COLUMN campaign_entries.salesperson_code IS 'Salesperson of the interaction that created it.';
COMMENT ON COLUMN campaign_entries.register_no IS 'Register No.: the logged segment that created it (segment logging only); set to NULL when that logged segment is deleted.';
COMMENT ON COLUMN campaign_entries.document_type IS 'Document type of document-logged interactions; NULL = blank (segment or manual).';
COMMENT ON COLUMN campaign_entries.created_at IS 'When the row was inserted.';

CREATE INDEX campaign_entries_register_no_idx ON campaign_entries (register_no) WHERE register_no IS NOT NULL;
COMMENT ON INDEX campaign_entries_register_no_idx IS 'Campaign entries of a logged segment (cancel toggle, No. of Campaign Entries, SET NULL on delete).';
