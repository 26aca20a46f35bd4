-- 0018_campaigns_mailing_relations: business relation codes and bank-account links, mailing groups and
-- their contacts, campaign statuses, campaign activation and target groups (reference §1.15, §3.7,
-- §3.13 R2, §5). contact_alt_addresses and contact_business_relations exist since 0002.

---------------------------------------------------------------------------------------------------
-- Business relations
---------------------------------------------------------------------------------------------------

CREATE TABLE business_relations (
    code         code10 PRIMARY KEY,
    description  text   CHECK (length(description) <= 100)
);
COMMENT ON TABLE business_relations IS
    'Business Relation: the kind of relation a company has with us (customer, vendor, bank, press, …). A relation code in use by a contact link cannot be deleted.';
COMMENT ON COLUMN business_relations.code IS 'Business relation code, Code[10].';
COMMENT ON COLUMN business_relations.description IS 'Description, Text[100].';

ALTER TABLE contact_business_relations
    DROP CONSTRAINT contact_business_relations_link_to_check,
    ADD CONSTRAINT contact_business_relations_link_to_check
        CHECK (link_to IN ('customer', 'vendor', 'bank_account')),
    ADD COLUMN business_relation_code code10 REFERENCES business_relations (code);
COMMENT ON COLUMN contact_business_relations.link_to IS 'Kind of account: customer | vendor | bank_account.';
COMMENT ON COLUMN contact_business_relations.business_relation_code IS
    'Business relation code of the link; segment criteria by business relation match it (NULL for links made before 0018).';
CREATE INDEX contact_business_relations_code_idx ON contact_business_relations (business_relation_code, contact_no);
COMMENT ON INDEX contact_business_relations_code_idx IS 'Contacts of a business relation (segment criteria).';

---------------------------------------------------------------------------------------------------
-- Mailing groups
---------------------------------------------------------------------------------------------------

CREATE TABLE mailing_groups (
    code         code10 PRIMARY KEY,
    description  text   CHECK (length(description) <= 100)
);
COMMENT ON TABLE mailing_groups IS
    'Mailing Group: a named list of contacts (e.g. who receives the Christmas card); segment criteria add, reduce and refine by it. Deleting a group removes its memberships.';
COMMENT ON COLUMN mailing_groups.code IS 'Mailing group code, Code[10].';
COMMENT ON COLUMN mailing_groups.description IS 'Description, Text[100].';

CREATE TABLE contact_mailing_groups (
    mailing_group_code  code10 NOT NULL REFERENCES mailing_groups (code) ON DELETE CASCADE,
    contact_no          code20 NOT NULL REFERENCES contacts (no) ON DELETE CASCADE,
    PRIMARY KEY (mailing_group_code, contact_no)
);
COMMENT ON TABLE contact_mailing_groups IS 'Contact Mailing Group: the contacts of a mailing group.';
COMMENT ON COLUMN contact_mailing_groups.mailing_group_code IS 'The mailing group.';
COMMENT ON COLUMN contact_mailing_groups.contact_no IS 'A contact in it; rows go with the contact.';
CREATE INDEX contact_mailing_groups_contact_idx ON contact_mailing_groups (contact_no);
COMMENT ON INDEX contact_mailing_groups_contact_idx IS 'Mailing groups of a contact.';

---------------------------------------------------------------------------------------------------
-- Campaign statuses, activation and target groups
---------------------------------------------------------------------------------------------------

CREATE TABLE campaign_statuses (
    code         code10 PRIMARY KEY,
    description  text   CHECK (length(description) <= 100)
);
COMMENT ON TABLE campaign_statuses IS 'Campaign Status: the stages a campaign goes through (planned, running, done, …).';
COMMENT ON COLUMN campaign_statuses.code IS 'Status code, Code[10].';
COMMENT ON COLUMN campaign_statuses.description IS 'Description, Text[100].';

-- The plain status codes used so far become statuses.
INSERT INTO campaign_statuses (code) SELECT DISTINCT status_code FROM campaigns WHERE status_code IS NOT NULL;

ALTER TABLE campaigns
    ADD CONSTRAINT campaigns_status_code_fkey FOREIGN KEY (status_code) REFERENCES campaign_statuses (code),
    ADD COLUMN activated boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN campaigns.status_code IS 'Campaign status (campaign_statuses).';
COMMENT ON COLUMN campaigns.activated IS
    'Activated: its target group is filled (CAMPAIGN-ACTIVATE) and posted sales invoices of targeted customers log interactions with it (reference 3.13 R2).';

CREATE TABLE campaign_target_groups (
    campaign_no  code20 NOT NULL REFERENCES campaigns (no) ON DELETE CASCADE,
    contact_no   code20 NOT NULL REFERENCES contacts (no) ON DELETE CASCADE,
    PRIMARY KEY (campaign_no, contact_no)
);
COMMENT ON TABLE campaign_target_groups IS
    'Campaign Target Group: the company contacts (or persons without a company) an activated campaign targets, from segment lines and log entries marked campaign target. BC keeps customer/vendor numbers; here the company contact, whose business relations name the accounts. Rows go with the campaign and with the contact (reference 3.12 R7).';
COMMENT ON COLUMN campaign_target_groups.campaign_no IS 'The activated campaign.';
COMMENT ON COLUMN campaign_target_groups.contact_no IS 'The targeted company contact (or person without a company).';
CREATE INDEX campaign_target_groups_contact_idx ON campaign_target_groups (contact_no);
COMMENT ON INDEX campaign_target_groups_contact_idx IS 'Campaigns that target a contact (invoice logging, contact deletion).';

---------------------------------------------------------------------------------------------------
-- Segment criteria by mailing group and business relation
---------------------------------------------------------------------------------------------------

ALTER DOMAIN enum_criteria_table DROP CONSTRAINT enum_criteria_table_check;
ALTER DOMAIN enum_criteria_table ADD CONSTRAINT enum_criteria_table_check
    CHECK (VALUE IN ('contact', 'interaction_log_entry', 'mailing_group', 'business_relation'));
COMMENT ON DOMAIN enum_criteria_table IS
    'Table a segment criteria filter applies to: contact | interaction_log_entry | mailing_group (the contact''s mailing groups) | business_relation (the business relations of the contact''s company). The other BC filter tables (profiles, job responsibilities, industry groups, value entries) are not modelled.';

---------------------------------------------------------------------------------------------------
-- Target groups follow the segment lines of activated campaigns (reference 1.9, 3.12 R7)
---------------------------------------------------------------------------------------------------

-- A line marked campaign target of an activated campaign puts its contact's company (or the person
-- without a company) into the target group; removing or unmarking the last such line takes it out again,
-- unless an active log entry of the campaign still targets it. Statement triggers with transition tables
-- return at once when no row concerns an activated campaign.
CREATE FUNCTION rapport_segment_lines_target_groups() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Most statements (a follow-up segment's 100,000 lines, a logged segment's deletion) concern no line
    -- marked campaign target: leave after one pass over the changed rows.
    -- (Nested: a condition naming a transition table this event lacks would fail to plan.)
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows WHERE campaign_target) THEN RETURN NULL; END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT 1 FROM old_rows WHERE campaign_target) THEN RETURN NULL; END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM new_rows WHERE campaign_target)
          AND NOT EXISTS (SELECT 1 FROM old_rows WHERE campaign_target) THEN
        RETURN NULL;
    END IF;
    -- Wait for a running CAMPAIGN-ACTIVATE of these campaigns (it holds them FOR UPDATE), so that its
    -- new target group and these lines see each other; KEY SHARE does not block other changes.
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM 1 FROM campaigns WHERE no IN (SELECT campaign_no FROM new_rows WHERE campaign_target)
            ORDER BY no FOR KEY SHARE;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM 1 FROM campaigns WHERE no IN (SELECT campaign_no FROM old_rows WHERE campaign_target)
            ORDER BY no FOR KEY SHARE;
        DELETE FROM campaign_target_groups t
        USING (SELECT DISTINCT o.campaign_no, coalesce(c.company_no, c.no) AS contact_no
               FROM old_rows o
               JOIN campaigns cp ON cp.no = o.campaign_no AND cp.activated
               JOIN contacts c ON c.no = o.contact_no
               WHERE o.campaign_target) gone
        WHERE t.campaign_no = gone.campaign_no AND t.contact_no = gone.contact_no
          AND NOT EXISTS (SELECT 1 FROM segment_lines l JOIN contacts c2 ON c2.no = l.contact_no
                          WHERE l.campaign_no = gone.campaign_no AND l.campaign_target
                            AND coalesce(c2.company_no, c2.no) = gone.contact_no)
          AND NOT EXISTS (SELECT 1 FROM interaction_log_entries e
                          WHERE e.campaign_no = gone.campaign_no AND e.campaign_target AND NOT e.canceled
                            AND NOT e.postponed AND coalesce(e.contact_company_no, e.contact_no) = gone.contact_no);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO campaign_target_groups (campaign_no, contact_no)
        SELECT DISTINCT n.campaign_no, coalesce(c.company_no, c.no)
        FROM new_rows n
        JOIN campaigns cp ON cp.no = n.campaign_no AND cp.activated
        JOIN contacts c ON c.no = n.contact_no
        WHERE n.campaign_target
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION rapport_segment_lines_target_groups() IS
    'Statement trigger on segment_lines: keeps the target groups of activated campaigns in step with the lines marked campaign target (0018).';
CREATE TRIGGER segment_lines_target_groups_insert AFTER INSERT ON segment_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_segment_lines_target_groups();
CREATE TRIGGER segment_lines_target_groups_update AFTER UPDATE ON segment_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_segment_lines_target_groups();
CREATE TRIGGER segment_lines_target_groups_delete AFTER DELETE ON segment_lines
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rapport_segment_lines_target_groups();

---------------------------------------------------------------------------------------------------
-- Reporting: campaign results by campaign and segment
---------------------------------------------------------------------------------------------------

CREATE VIEW campaign_results AS
SELECT
    c.no AS campaign_no,
    c.description AS campaign_description,
    c.status_code,
    c.activated,
    ce.entry_no AS campaign_entry_no,
    ce.description,
    ce.segment_no,
    ce.register_no AS logged_segment_entry_no,
    ce.document_type,
    ce.date,
    ce.canceled,
    coalesce(s.no_of_interactions, 0)::bigint AS no_of_interactions,
    coalesce(s.no_of_responses, 0)::bigint AS no_of_responses,
    coalesce(s.cost, 0)::numeric(18,2) AS cost,
    coalesce(s.duration, 0)::numeric(18,2) AS duration,
    coalesce(s.no_of_canceled, 0)::bigint AS no_of_canceled_interactions
FROM campaigns c
JOIN campaign_entries ce ON ce.campaign_no = c.no
CROSS JOIN LATERAL (
    SELECT sum(t.entries) AS no_of_interactions, sum(t.responses) AS no_of_responses, sum(t.cost) AS cost,
           sum(t.duration) AS duration, sum(t.canceled_entries) AS no_of_canceled
    FROM interaction_totals t WHERE t.kind = 'campaign-entry' AND t.key = ce.entry_no::text
) s;
COMMENT ON VIEW campaign_results IS
    'Campaign results, one row per campaign entry (one per logged segment, per document type and one for manual interactions): entries, responses, cost and duration of the entries that are not canceled (postponed ones never count), and how many are canceled; read from the running totals (0016). Sum over a campaign for its totals.';
COMMENT ON COLUMN campaign_results.campaign_no IS 'Campaign No.';
COMMENT ON COLUMN campaign_results.campaign_description IS 'Campaign description.';
COMMENT ON COLUMN campaign_results.status_code IS 'Campaign status.';
COMMENT ON COLUMN campaign_results.activated IS 'Whether the campaign is activated.';
COMMENT ON COLUMN campaign_results.campaign_entry_no IS 'Campaign Entry No.';
COMMENT ON COLUMN campaign_results.description IS 'Campaign entry description (segment description, document type caption or "Interactions").';
COMMENT ON COLUMN campaign_results.segment_no IS 'Segment No. the entry was logged from (NULL for documents and manual interactions).';
COMMENT ON COLUMN campaign_results.logged_segment_entry_no IS 'Logged segment (Register No.).';
COMMENT ON COLUMN campaign_results.document_type IS 'Document type of document-logged interactions.';
COMMENT ON COLUMN campaign_results.date IS 'Date of the campaign entry.';
COMMENT ON COLUMN campaign_results.canceled IS 'Whether the campaign entry is canceled.';
COMMENT ON COLUMN campaign_results.no_of_interactions IS 'Entries not canceled.';
COMMENT ON COLUMN campaign_results.no_of_responses IS 'Of those, marked campaign response.';
COMMENT ON COLUMN campaign_results.cost IS 'Cost (LCY) of the entries not canceled.';
COMMENT ON COLUMN campaign_results.duration IS 'Duration (Min.) of the entries not canceled.';
COMMENT ON COLUMN campaign_results.no_of_canceled_interactions IS 'Entries canceled.';

SELECT rapport_grant_roles();
