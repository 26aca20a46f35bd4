import Foundation
import RapportModel
import RapportProtocol
import Testing

/// The pure segment rules: filters and their stored form, criteria steps, go back, propagation, line
/// initialisation and the Log Segment line checks.
@Suite("Segment rules")
struct SegmentRulesTests {
    // MARK: Filters (reference 3.7)

    @Test func filterExpressionsParseBCStyleTerms() throws {
        let filter = try CriteriaField.contactNo.filter(" ct1..ct9 | <>x7|*ab*|..c3|d4.. ")
        #expect(
            filter.terms == [
                .range(from: "CT1", to: "CT9"), .notEqual("X7"), .pattern("*AB*"), .range(from: nil, to: "C3"),
                .range(from: "D4", to: nil),
            ]
        )
        #expect(filter.description == "CT1..CT9|<>X7|*AB*|..C3|D4..")
        #expect(try CriteriaField.contactType.filter("Person").terms == [.equal("person")])
        #expect(try CriteriaField.logLoggedSegment.filter("0042").terms == [.equal("42")])
    }

    @Test func badFiltersNameTheProblem() {
        #expect(throws: FilterError("filter type: unknown value \"robot\"; use company, person")) {
            try CriteriaField.contactType.filter("robot")
        }
        #expect(throws: FilterError("filter type takes values, not ranges")) {
            try CriteriaField.contactType.filter("company..person")
        }
        #expect(throws: FilterError("filter log-date: \"2025-02-30\" is not a YYYY-MM-DD date")) {
            try CriteriaField.logDate.filter("2025-02-30")
        }
        #expect(throws: FilterError("filter log-date does not take * patterns")) {
            try CriteriaField.logDate.filter("2025*")
        }
        #expect(throws: FilterError("filter contact has an empty alternative")) {
            try CriteriaField.contactNo.filter("A||B")
        }
        #expect(throws: FilterError.self) { try CriteriaField.country.filter("ABCDEFGHIJK") }
    }

    @Test func tableViewsRoundTripAnyValue() throws {
        let filters = [
            FieldFilter(.contactNo, try CriteriaField.contactNo.filter("A,B)C\\D..Z")),
            FieldFilter(.searchName, try CriteriaField.searchName.filter("*O'HARA (LTD)*")),
        ]
        let view = try #require(try TableView.encode(filters))
        #expect(view == "WHERE(No.=FILTER(A\\,B\\)C\\\\D..Z),Search Name=FILTER(*O'HARA (LTD\\)*))")
        #expect(try TableView.decode(view, table: .contact) == filters)
        #expect(try TableView.encode([]) == nil)
        #expect(TableView.readable(filters) == "No. = A,B)C\\D..Z; Search Name = *O'HARA (LTD)*")
        #expect(throws: FilterError.self) { try TableView.decode("WHERE(Colour=FILTER(red))", table: .contact) }
    }

    // MARK: Criteria steps and go back

    @Test func aStepBecomesAnActionRowAndOneRowPerFilteredTable() throws {
        let step = CriteriaStep(
            action: .refine,
            options: CriteriaOptions(entireCompanies: true),
            filters: [
                FieldFilter(.logTemplate, try CriteriaField.logTemplate.filter("CALL")),
                FieldFilter(.country, try CriteriaField.country.filter("DK")),
                FieldFilter(.logDate, try CriteriaField.logDate.filter("2025-01-01..")),
            ]
        )
        let lines = try step.lines(firstLineNo: 4)
        #expect(
            lines == [
                CriteriaLine(lineNo: 4, kind: .action(.refine, CriteriaOptions(entireCompanies: true), noOfFilters: 2)),
                CriteriaLine(lineNo: 5, kind: .filter(.contact, view: "WHERE(Country/Region Code=FILTER(DK))")),
                CriteriaLine(
                    lineNo: 6,
                    kind: .filter(
                        .interactionLogEntry,
                        view: "WHERE(Interaction Template Code=FILTER(CALL),Date=FILTER(2025-01-01..))"
                    )
                ),
            ]
        )
        #expect(
            lines.map(\.readable) == [
                "Remove Contacts (Refine) (Entire Companies)", "  Contact: Country/Region Code = DK",
                "  Interaction Log Entry: Interaction Template Code = CALL; Date = 2025-01-01..",
            ]
        )
        let add = CriteriaStep(action: .add, options: CriteriaOptions(allowExisting: true))
        let replayed = try CriteriaStep.steps(from: try add.lines(firstLineNo: 1) + lines)
        #expect(replayed.count == 2)
        #expect(replayed[0] == add)
        #expect(replayed[1].action == .refine && replayed[1].options.entireCompanies)
        #expect(Set(replayed[1].filters.map(\.field)) == [.country, .logTemplate, .logDate])
    }

    @Test func goBackDeletesFromTheEndThroughTheLastAction() {
        let lines = [
            CriteriaLine(lineNo: 1, kind: .action(.add, CriteriaOptions(), noOfFilters: 1)),
            CriteriaLine(lineNo: 2, kind: .filter(.contact, view: "WHERE(Type=FILTER(person))")),
            CriteriaLine(lineNo: 3, kind: .action(.reduce, CriteriaOptions(), noOfFilters: 2)),
            CriteriaLine(lineNo: 5, kind: .filter(.interactionLogEntry, view: "WHERE(Date=FILTER(2025-01-01))")),
            CriteriaLine(lineNo: 4, kind: .filter(.contact, view: "WHERE(No.=FILTER(C1))")),
        ]
        #expect(CriteriaGoBack.linesToDelete(lines) == [3, 4, 5])
        #expect(CriteriaGoBack.linesToDelete(Array(lines.prefix(2))) == [1, 2])
        #expect(CriteriaGoBack.linesToDelete([]) == [])
    }

    // MARK: Header → lines (3.6 R2–R6)

    @Test func onlyPropagatingFieldsArePushedAndTheCorrespondenceTypeOnlyWithContent() {
        let plain = SegmentPropagation.Context(templateHasWordTemplate: false, segmentHasAttachment: false)
        let withContent = SegmentPropagation.Context(templateHasWordTemplate: false, segmentHasAttachment: true)
        let changed: [SegmentHeaderField] = [.unitCost, .languageCodeDefault, .correspondenceTypeDefault, .date]
        #expect(
            SegmentPropagation.fieldsToPush(
                changed,
                updateLines: true,
                newCorrespondenceTypeIsBlank: false,
                context: plain
            )
                == [.unitCost, .date]
        )
        #expect(
            SegmentPropagation.fieldsToPush(
                changed,
                updateLines: true,
                newCorrespondenceTypeIsBlank: false,
                context: withContent
            ) == [.unitCost, .correspondenceTypeDefault, .date]
        )
        #expect(
            SegmentPropagation.fieldsToPush(
                changed,
                updateLines: true,
                newCorrespondenceTypeIsBlank: true,
                context: withContent
            ) == [.unitCost, .date]
        )
        #expect(
            SegmentPropagation.fieldsToPush(
                changed,
                updateLines: false,
                newCorrespondenceTypeIsBlank: false,
                context: plain
            )
                == []
        )
        #expect(
            SegmentPropagation.question(.unitCost, templateCode: "LETTER")
                == "You have modified Unit Cost (LCY). Do you want to update the segment lines where the Interaction "
                + "Template Code is LETTER?"
        )
    }

    @Test func aTemplateChangeWithoutLinesIsRefusedWhileLinesInheritContent() throws {
        #expect(
            try SegmentTemplateChange.decide(applyToLines: false, lineCount: 0, inheritedAttachmentLines: 0)
                == .headerOnly
        )
        #expect(
            try SegmentTemplateChange.decide(applyToLines: true, lineCount: 3, inheritedAttachmentLines: 3)
                == .applyToLines
        )
        #expect(
            try SegmentTemplateChange.decide(applyToLines: false, lineCount: 3, inheritedAttachmentLines: 0)
                == .headerOnly
        )
        #expect(throws: SegmentRuleError(SegmentMessages.templateNeedsLineUpdate)) {
            try SegmentTemplateChange.decide(applyToLines: false, lineCount: 3, inheritedAttachmentLines: 1)
        }
    }

    // MARK: Line initialisation (3.2 R1–R4)

    @Test func aNewLineCopiesTheHeaderAndTakesContactAndLanguage() {
        var header = SegmentLineDefaults.Header()
        header.description = "Spring"
        header.campaignNo = "CP1"
        header.templateCode = "LETTER"
        header.groupCode = "POST"
        header.unitCost = Decimal(string: "8.125")!
        header.date = CalendarDate(year: 2025, month: 3, day: 14)
        header.languageCodeDefault = "ENU"
        header.wordTemplateCode = "W1"
        let rows = [
            SegmentLineDefaults.LanguageRow(languageCode: "ENU", attachmentNo: 10, subject: "Hello"),
            SegmentLineDefaults.LanguageRow(
                languageCode: "DEU",
                attachmentNo: 11,
                subject: "Hallo",
                wordTemplateCode: "W2"
            ),
        ]
        let template = CorrespondenceTypePrecedence.Template(
            ignoreContactCorrespondenceType: false,
            defaultType: .email
        )
        let german = SegmentLineDefaults.line(
            header: header,
            contact: .init(no: "P1", type: .person, companyNo: "C1", salespersonCode: "JO", languageCode: "DEU"),
            template: template,
            languageRows: rows
        )
        #expect(german.contactCompanyNo == "C1")
        #expect(german.salespersonCode == "JO")
        #expect(german.correspondenceType == .email)
        #expect(german.languageCode == "DEU" && german.attachmentNo == 11 && german.subject == "Hallo")
        #expect(german.wordTemplateCode == "W2")
        #expect(german.description == "Spring" && german.campaignNo == "CP1")
        #expect(german.cost == Decimal(string: "8.125") && german.date == CalendarDate("2025-03-14"))
        header.salespersonCode = "AH"
        let company = SegmentLineDefaults.line(
            header: header,
            contact: .init(no: "C9", type: .company, correspondenceType: .hardCopy, languageCode: "FRA"),
            template: template,
            languageRows: rows
        )
        #expect(company.contactCompanyNo == "C9")
        #expect(company.salespersonCode == "AH")
        #expect(company.correspondenceType == .hardCopy)
        #expect(company.languageCode == "ENU" && company.attachmentNo == 10 && company.wordTemplateCode == "W1")
        // The header forcing its default wins over everything.
        header.ignoreContactCorresType = true
        header.correspondenceTypeDefault = .hardCopy
        #expect(
            SegmentLineDefaults.correspondenceType(
                header: header,
                contact: .init(no: "P1", type: .person, correspondenceType: .email),
                template: template
            ) == .hardCopy
        )
    }

    // MARK: Log Segment line checks (3.5 R1, 3.8 R6)

    @Test func lineChecksRunInTheReferenceOrder() {
        var line = SegmentLineCheck.Facts(segmentNo: "S1", lineNo: 20000, contactNo: "P1", hasDate: false)
        #expect(
            SegmentLineCheck.check(line, send: false)
                == .fails(
                    "Date must have a value in Segment Line: Segment No.=S1, Line No.=20000; set it with SEGMENT-LINE-SET"
                )
        )
        line.hasDate = true
        #expect(
            SegmentLineCheck.check(line, send: false)
                == .fails(
                    "Salesperson Code must have a value in Segment Line: Segment No.=S1, Line No.=20000; set it with SEGMENT-LINE-SET"
                )
        )
        line.salespersonCode = "AH"
        #expect(
            SegmentLineCheck.check(line, send: false)
                == .fails(
                    "Interaction Template Code must have a value in Segment Line: Segment No.=S1, Line No.=20000; "
                        + "set it with SEGMENT-LINE-SET"
                )
        )
        line.templateCode = "LETTER"
        #expect(SegmentLineCheck.check(line, send: true) == .passes(correspondenceType: nil, queued: false))

        // E-mail without an address: blank when not sending, refused when sending.
        line.correspondenceType = .email
        #expect(SegmentLineCheck.check(line, send: false) == .passes(correspondenceType: nil, queued: false))
        #expect(SegmentLineCheck.check(line, send: true) == .fails(SegmentMessages.emailMissing(contactNo: "P1")))
        line.altAddressHasEmail = true
        #expect(
            SegmentLineCheck.check(line, send: true)
                == .fails(
                    "Attachment No. must have a value in Segment Line: Segment No.=S1, Line No.=20000; "
                        + "give the line's template content with ATTACHMENT-UPLOAD"
                )
        )
        line.attachmentNo = 5
        #expect(SegmentLineCheck.check(line, send: true) == .passes(correspondenceType: .email, queued: true))
        line.attachmentNo = nil
        line.wordTemplateCode = "W1"
        #expect(SegmentLineCheck.check(line, send: true) == .passes(correspondenceType: .email, queued: true))
        #expect(SegmentLineCheck.check(line, send: false) == .passes(correspondenceType: .email, queued: false))
    }

    @Test func followUpDescriptionAndAccess() {
        #expect(FollowUpSegment.description(for: "SEG00042") == "Follow-up on segment SEG00042")
        let longest = String(repeating: "9", count: 20)
        #expect(FollowUpSegment.description(for: longest).count == 41)
        #expect(
            SegmentAccess.mayManage(
                role: .manager,
                userID: "M",
                ownSalesperson: nil,
                createdBy: "X",
                segmentSalesperson: "Y"
            )
        )
        #expect(
            SegmentAccess.mayManage(
                role: .salesperson,
                userID: "S",
                ownSalesperson: "BO",
                createdBy: "S",
                segmentSalesperson: nil
            )
        )
        #expect(
            SegmentAccess.mayManage(
                role: .salesperson,
                userID: "S",
                ownSalesperson: "BO",
                createdBy: "X",
                segmentSalesperson: "BO"
            )
        )
        #expect(
            !SegmentAccess.mayManage(
                role: .salesperson,
                userID: "S",
                ownSalesperson: "BO",
                createdBy: "X",
                segmentSalesperson: "AH"
            )
        )
        #expect(
            !SegmentAccess.mayManage(
                role: .salesperson,
                userID: "S",
                ownSalesperson: nil,
                createdBy: "X",
                segmentSalesperson: nil
            )
        )
        #expect(!SegmentAccess.mayAssign(role: .salesperson, ownSalesperson: "BO", salesperson: "AH"))
        #expect(SegmentAccess.mayAssign(role: .salesperson, ownSalesperson: "BO", salesperson: nil))
        #expect(SegmentAccess.mayManageLogged(role: .salesperson, userID: "S", loggedBy: "S"))
        #expect(!SegmentAccess.mayManageLogged(role: .salesperson, userID: "S", loggedBy: "M"))
    }
}
