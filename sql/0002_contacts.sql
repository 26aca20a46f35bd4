-- 0002_contacts: contacts, their alternative addresses and business relations
-- (customer/vendor links used by document logging).

CREATE TABLE contacts (
    no                    code20      PRIMARY KEY,
    type                  enum_contact_type NOT NULL,
    company_no            code20      REFERENCES contacts (no),
    name                  text        NOT NULL CHECK (length(name) <= 100),
    search_name           text        GENERATED ALWAYS AS (upper(name)) STORED,
    salesperson_code      code20      REFERENCES salespeople (code),
    language_code         code10      REFERENCES languages (code),
    correspondence_type   enum_correspondence_type,
    email                 text        CHECK (length(email) <= 80),
    phone_no              text        CHECK (length(phone_no) <= 30),
    mobile_phone_no       text        CHECK (length(mobile_phone_no) <= 30),
    address               text        CHECK (length(address) <= 100),
    address_2             text        CHECK (length(address_2) <= 50),
    city                  text        CHECK (length(city) <= 30),
    post_code             code20,
    county                text        CHECK (length(county) <= 30),
    country_code          code10,
    territory_code        code10,
    exclude_from_segment  boolean     NOT NULL DEFAULT false,
    privacy_blocked       boolean     NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contacts_company_has_no_company_no CHECK (type = 'person' OR company_no IS NULL),
    CONSTRAINT contacts_not_own_company CHECK (company_no IS DISTINCT FROM no)
);
COMMENT ON TABLE contacts IS
    'Contact (companies and persons). A person may belong to a company (company_no). Deleting a contact with log entries requires the store to re-point (person -> its company) or clear (company) those entries first (reference 3.12 R7); contacts on unlogged segment lines cannot be deleted (RESTRICT).';
COMMENT ON COLUMN contacts.no IS 'Contact No. (PK), from marketing_setup.contact_nos or typed.';
COMMENT ON COLUMN contacts.type IS 'company | person.';
COMMENT ON COLUMN contacts.company_no IS 'Company No.: the company contact a person belongs to; always NULL for companies (unlike BC, where a company''s Company No. is its own No.). Must name a contact of type company (checked by the server). Interaction entries store contact_company_no = coalesce(company_no, no) for companies.';
COMMENT ON COLUMN contacts.name IS 'Name, Text[100]; required.';
COMMENT ON COLUMN contacts.search_name IS 'Search Name: upper(name), generated and stored; used for case-insensitive look-ups and ordering.';
COMMENT ON COLUMN contacts.salesperson_code IS 'Salesperson responsible for the contact; default salesperson of segment lines / interactions when none is given.';
COMMENT ON COLUMN contacts.language_code IS 'Contact''s language; selects the template/segment language variant (reference 3.2 R4).';
COMMENT ON COLUMN contacts.correspondence_type IS 'Contact''s preferred delivery channel (hard_copy | email, NULL = blank); see correspondence type precedence, reference 3.2 R3.';
COMMENT ON COLUMN contacts.email IS 'E-Mail, Text[80]; required for e-mail delivery unless the active alternative address has one.';
COMMENT ON COLUMN contacts.phone_no IS 'Phone No., Text[30]; dialled by the phone-call wizard (entry contact_via).';
COMMENT ON COLUMN contacts.mobile_phone_no IS 'Mobile Phone No., Text[30].';
COMMENT ON COLUMN contacts.address IS 'Address, Text[100].';
COMMENT ON COLUMN contacts.address_2 IS 'Address 2, Text[50].';
COMMENT ON COLUMN contacts.city IS 'City, Text[30].';
COMMENT ON COLUMN contacts.post_code IS 'Post Code, Code[20]; a segment criteria filter field.';
COMMENT ON COLUMN contacts.county IS 'County, Text[30].';
COMMENT ON COLUMN contacts.country_code IS 'Country/Region Code, Code[10] (plain code: countries are not modelled); a segment criteria filter field.';
COMMENT ON COLUMN contacts.territory_code IS 'Territory Code, Code[10] (plain code: territories are not modelled); a segment criteria filter field.';
COMMENT ON COLUMN contacts.exclude_from_segment IS 'Exclude from Segment: Add Contacts skips the contact unless Ignore Exclusion is set.';
COMMENT ON COLUMN contacts.privacy_blocked IS 'Privacy Blocked: tasks/opportunities cannot be created for the contact ("blocked due to privacy").';
COMMENT ON COLUMN contacts.created_at IS 'When the row was created.';
COMMENT ON COLUMN contacts.updated_at IS 'When the row was last changed (trigger).';

CREATE INDEX contacts_company_no_idx ON contacts (company_no) WHERE company_no IS NOT NULL;
COMMENT ON INDEX contacts_company_no_idx IS 'Persons of a company (Expand Companies, company deletion, FK check).';
CREATE INDEX contacts_search_name_idx ON contacts (search_name, no);
COMMENT ON INDEX contacts_search_name_idx IS 'Contact lists ordered by name; prefix look-ups by name.';

CREATE TRIGGER contacts_touch_updated_at BEFORE UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION rapport_touch_updated_at();

CREATE TABLE contact_alt_addresses (
    contact_no     code20  NOT NULL REFERENCES contacts (no) ON DELETE CASCADE,
    code           code10  NOT NULL,
    company_name   text    CHECK (length(company_name) <= 100),
    address        text    CHECK (length(address) <= 100),
    address_2      text    CHECK (length(address_2) <= 50),
    city           text    CHECK (length(city) <= 30),
    post_code      code20,
    county         text    CHECK (length(county) <= 30),
    country_code   code10,
    email          text    CHECK (length(email) <= 80),
    phone_no       text    CHECK (length(phone_no) <= 30),
    starting_date  date,
    ending_date    date,
    PRIMARY KEY (contact_no, code),
    CONSTRAINT contact_alt_addresses_range CHECK (starting_date IS NULL OR ending_date IS NULL OR starting_date <= ending_date)
);
COMMENT ON TABLE contact_alt_addresses IS
    'Contact Alt. Address with its active date range (BC''s separate Contact Alt. Addr. Date Range table is folded into one range per address). The address active on an interaction date is stored on segment lines / log entries (contact_alt_address_code).';
COMMENT ON COLUMN contact_alt_addresses.contact_no IS 'Contact the address belongs to; rows are deleted with the contact.';
COMMENT ON COLUMN contact_alt_addresses.code IS 'Alternative address code, Code[10]; unique per contact.';
COMMENT ON COLUMN contact_alt_addresses.company_name IS 'Company Name, Text[100].';
COMMENT ON COLUMN contact_alt_addresses.address IS 'Address, Text[100].';
COMMENT ON COLUMN contact_alt_addresses.address_2 IS 'Address 2, Text[50].';
COMMENT ON COLUMN contact_alt_addresses.city IS 'City, Text[30].';
COMMENT ON COLUMN contact_alt_addresses.post_code IS 'Post Code, Code[20].';
COMMENT ON COLUMN contact_alt_addresses.county IS 'County, Text[30].';
COMMENT ON COLUMN contact_alt_addresses.country_code IS 'Country/Region Code, Code[10] (plain code).';
COMMENT ON COLUMN contact_alt_addresses.email IS 'E-Mail, Text[80]; when the active alternative address has one, e-mail delivery goes there (reference 3.5 R1, 3.9 R1).';
COMMENT ON COLUMN contact_alt_addresses.phone_no IS 'Phone No., Text[30].';
COMMENT ON COLUMN contact_alt_addresses.starting_date IS 'First day the address is active; NULL = open start.';
COMMENT ON COLUMN contact_alt_addresses.ending_date IS 'Last day the address is active; NULL = open end.';

CREATE TABLE contact_business_relations (
    contact_no  code20 NOT NULL REFERENCES contacts (no) ON DELETE CASCADE,
    link_to     text   NOT NULL CHECK (link_to IN ('customer', 'vendor')),
    account_no  code20 NOT NULL,
    PRIMARY KEY (contact_no, link_to),
    CONSTRAINT contact_business_relations_account_unique UNIQUE (link_to, account_no)
);
COMMENT ON TABLE contact_business_relations IS
    'Contact Business Relation (only the customer/vendor links): maps a customer or vendor account of another module to its company contact; document logging (reference 3.15 R4) resolves the contact through it. At most one customer and one vendor per contact, and one contact per account.';
COMMENT ON COLUMN contact_business_relations.contact_no IS 'The company contact linked (must be a company: checked by the server).';
COMMENT ON COLUMN contact_business_relations.link_to IS 'Kind of account: customer | vendor.';
COMMENT ON COLUMN contact_business_relations.account_no IS 'Customer No. or Vendor No. in the sales/purchase module (not modelled here).';
