-- A new installation numbers contacts, segments, campaigns, tasks and opportunities from the start:
-- one series each, linked in the marketing setup where the setup names none. An installation that
-- already linked its own series keeps them; a series code already taken is left as it is.

INSERT INTO number_series (code, description, starting_no, allow_manual) VALUES
    ('CONTACT', 'Contacts', 'CT000001', true),
    ('SEGMENT', 'Segments', 'SEG00001', true),
    ('CAMPAIGN', 'Campaigns', 'CP00001', true),
    ('TASK', 'Tasks', 'TD000001', false),
    ('OPPORTUNITY', 'Opportunities', 'OP000001', false)
ON CONFLICT (code) DO NOTHING;

UPDATE marketing_setup SET
    contact_nos = coalesce(contact_nos, 'CONTACT'),
    segment_nos = coalesce(segment_nos, 'SEGMENT'),
    campaign_nos = coalesce(campaign_nos, 'CAMPAIGN'),
    task_nos = coalesce(task_nos, 'TASK'),
    opportunity_nos = coalesce(opportunity_nos, 'OPPORTUNITY');
