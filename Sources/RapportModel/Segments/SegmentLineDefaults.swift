import Foundation
import RapportProtocol

/// Initialising a segment line when a contact is set on it (reference 3.2 R1–R4, 3.6 R8).
///
/// The store applies the same rules set-based in one `INSERT … SELECT` (adding 100,000 contacts is one
/// statement); this is the rule in one place, for reading and testing, and the server tests compare the two.
public enum SegmentLineDefaults {
    /// The header values a new line copies.
    public struct Header: Sendable, Equatable {
        public var description: String?
        public var campaignNo: String?
        public var salespersonCode: String?
        public var correspondenceTypeDefault: CorrespondenceType?
        public var ignoreContactCorresType = false
        public var templateCode: String?
        public var groupCode: String?
        public var unitCost: Decimal = 0
        public var unitDuration: Decimal = 0
        public var date: CalendarDate?
        public var campaignTarget = false
        public var campaignResponse = false
        public var informationFlow: InformationFlow?
        public var initiatedBy: InitiatedBy?
        public var sendWordDocsAsAttmt = false
        public var wordTemplateCode: String?
        public var languageCodeDefault: String?

        public init() {}
    }

    /// The contact's part.
    public struct Contact: Sendable, Equatable {
        public var no: String
        public var type: ContactType
        public var companyNo: String?
        public var salespersonCode: String?
        public var correspondenceType: CorrespondenceType?
        public var languageCode: String?

        public init(
            no: String,
            type: ContactType,
            companyNo: String? = nil,
            salespersonCode: String? = nil,
            correspondenceType: CorrespondenceType? = nil,
            languageCode: String? = nil
        ) {
            self.no = no
            self.type = type
            self.companyNo = companyNo
            self.salespersonCode = salespersonCode
            self.correspondenceType = correspondenceType
            self.languageCode = languageCode
        }
    }

    /// A segment-level language variant (segment_line_no 0).
    public struct LanguageRow: Sendable, Equatable {
        public var languageCode: String?
        public var attachmentNo: Int64?
        public var subject: String?
        public var wordTemplateCode: String?

        public init(
            languageCode: String?,
            attachmentNo: Int64? = nil,
            subject: String? = nil,
            wordTemplateCode: String? = nil
        ) {
            self.languageCode = languageCode
            self.attachmentNo = attachmentNo
            self.subject = subject
            self.wordTemplateCode = wordTemplateCode
        }
    }

    /// The fields of the new line that depend on header, contact and template.
    public struct Line: Sendable, Equatable {
        public var contactNo: String
        public var contactCompanyNo: String?
        public var description: String?
        public var campaignNo: String?
        public var salespersonCode: String?
        public var correspondenceType: CorrespondenceType?
        public var templateCode: String?
        public var groupCode: String?
        public var cost: Decimal
        public var duration: Decimal
        public var date: CalendarDate?
        public var campaignTarget: Bool
        public var campaignResponse: Bool
        public var informationFlow: InformationFlow?
        public var initiatedBy: InitiatedBy?
        public var sendWordDocsAsAttmt: Bool
        public var languageCode: String?
        public var attachmentNo: Int64?
        public var subject: String?
        public var wordTemplateCode: String?
        public var evaluation: Evaluation?
        public var merged: Bool
    }

    /// R1 (copy from the header), R2 (company, salesperson), R3 (correspondence type), R4 (language and the
    /// content of that language's segment-level row).
    public static func line(
        header: Header,
        contact: Contact,
        template: CorrespondenceTypePrecedence.Template?,
        languageRows: [LanguageRow]
    ) -> Line {
        let language = Self.language(header: header, contact: contact, rows: languageRows)
        let row = languageRows.first { $0.languageCode == language }
        return Line(
            contactNo: contact.no,
            contactCompanyNo: contact.type == .company ? contact.no : contact.companyNo,
            description: header.description,
            campaignNo: header.campaignNo,
            salespersonCode: header.salespersonCode ?? contact.salespersonCode,
            correspondenceType: Self.correspondenceType(header: header, contact: contact, template: template),
            templateCode: header.templateCode,
            groupCode: header.groupCode,
            cost: header.unitCost,
            duration: header.unitDuration,
            date: header.date,
            campaignTarget: header.campaignTarget,
            campaignResponse: header.campaignResponse,
            informationFlow: header.informationFlow,
            initiatedBy: header.initiatedBy,
            sendWordDocsAsAttmt: header.sendWordDocsAsAttmt,
            languageCode: row == nil ? header.languageCodeDefault : language,
            attachmentNo: row?.attachmentNo,
            subject: row?.subject,
            wordTemplateCode: row?.wordTemplateCode ?? header.wordTemplateCode,
            evaluation: nil,
            merged: false
        )
    }

    /// R3 in the "contact set" variant; a header without template has no template part (its default is blank).
    public static func correspondenceType(
        header: Header,
        contact: Contact,
        template: CorrespondenceTypePrecedence.Template?
    ) -> CorrespondenceType? {
        CorrespondenceTypePrecedence.resolve(
            variant: .contactSet,
            header: .init(
                ignoreContactCorrespondenceType: header.ignoreContactCorresType,
                defaultType: header.correspondenceTypeDefault
            ),
            template: template ?? .init(ignoreContactCorrespondenceType: false, defaultType: nil),
            contact: contact.correspondenceType,
            previous: header.correspondenceTypeDefault
        )
    }

    /// R4 for a line that uses the header's content: the contact's language when the segment has a row for
    /// it, else the header's default language.
    public static func language(header: Header, contact: Contact, rows: [LanguageRow]) -> String? {
        if let own = contact.languageCode, rows.contains(where: { $0.languageCode == own }) { return own }
        return header.languageCodeDefault
    }
}
