import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// Where a phone call starts: a contact, a task or a segment line.
public enum PhoneCallSource: Sendable, Equatable {
    case contact(String)
    case task(String)
    case segmentLine(segmentNo: String, lineNo: Int)
}

public struct PhoneCallRequest: Sendable, Equatable {
    public var source: PhoneCallSource
    /// The number dialled; nil: the contact's phone number.
    public var phoneNo: String?
    public var successful = true
    public var description: String?
    public var salespersonCode: String?
    public var opportunityNo: String?
    /// Description of an opportunity to create from the call (when it names none).
    public var newOpportunity: String?
    public var evaluation: Evaluation?
    public var duration: Decimal?
    public var comments: [String]?

    public init(source: PhoneCallSource) {
        self.source = source
    }
}

public struct PhoneCall: Sendable, Equatable {
    public var logged: LoggedInteraction
    public var newOpportunity: Opportunity?
}

/// The Make Phone Call guide: logs a call through the interaction template setup's Outg. Calls template,
/// with the number dialled and whether it got through, in the caller's transaction.
public enum PhoneCallStore {
    public static func call(_ connection: PGConnection, _ request: PhoneCallRequest, actor: ActingUser) throws
        -> PhoneCall
    {
        let templateCode = try TaskStore.setupTemplate(connection, .outgoingCall)
        var contactNo: String
        var salesperson = request.salespersonCode
        var campaign: String?
        var opportunity = request.opportunityNo
        var taskNo: String?
        var description = request.description
        var segment: (no: String, line: Int)?
        switch request.source {
        case .contact(let no):
            contactNo = no
        case .task(let no):
            let task = try TaskStore.lockOpen(connection, no, actor: actor)
            guard let contact = task.contactNo else {
                throw StoreError.invalid("Task \(no) has no contact to call")
            }
            contactNo = contact
            salesperson = salesperson ?? task.salespersonCode
            campaign = task.campaignNo
            opportunity = opportunity ?? task.opportunityNo
            taskNo = no
            description = description ?? task.description
        case .segmentLine(let segmentNo, let lineNo):
            guard
                let line = try connection.query(
                    """
                    SELECT l.contact_no, coalesce(l.salesperson_code, h.salesperson_code),
                           coalesce(l.campaign_no, h.campaign_no), l.opportunity_no, l.task_no
                    FROM segment_lines l JOIN segment_headers h ON h.no = l.segment_no
                    WHERE l.segment_no = \(segmentNo) AND l.line_no = \(lineNo)
                    FOR UPDATE OF l
                    """
                ).first
            else {
                throw StoreError.notFound("Segment line \(segmentNo) \(lineNo) does not exist")
            }
            guard let contact = try line.decode(String?.self, at: 0) else {
                throw StoreError.invalid("Segment line \(segmentNo) \(lineNo) has no contact to call")
            }
            contactNo = contact
            salesperson = try salesperson ?? line.decode(String?.self, at: 1)
            campaign = try line.decode(String?.self, at: 2)
            opportunity = try opportunity ?? line.decode(String?.self, at: 3)
            taskNo = try line.decode(String?.self, at: 4)
            segment = (segmentNo, lineNo)
        }
        let contact = try OpportunityStore.contact(connection, contactNo)
        let phone = (request.phoneNo ?? contact.phoneNo ?? "").trimmingCharacters(in: .whitespaces)
        if phone.isEmpty {
            throw StoreError.invalid(
                "You must fill in the phone number: contact \(contactNo) has none, send phone="
            )
        }
        var input = InteractionInput()
        input.contactNo = .value(contactNo)
        input.templateCode = .value(templateCode)
        if let description { input.description = .value(description) }
        if let salesperson { input.salespersonCode = .value(salesperson) }
        if let campaign { input.campaignNo = .value(campaign) }
        if let opportunity { input.opportunityNo = .value(opportunity) }
        if let taskNo { input.taskNo = .value(taskNo) }
        if let evaluation = request.evaluation { input.evaluation = .value(evaluation) }
        input.successful = request.successful
        input.duration = request.duration
        input.contactVia = .value(phone)
        if request.newOpportunity != nil, let opportunity {
            throw StoreError.invalid(
                "The call is already linked to opportunity \(opportunity): send new-opportunity= or opportunity=, not both"
            )
        }
        var interaction = InteractionRequest(input: input)
        interaction.comments = request.comments
        var logged = try InteractionStore.create(connection, interaction, actor: actor)
        var made: Opportunity?
        if let description = request.newOpportunity {
            let created = try OpportunityStore.createFromEntry(
                connection,
                entryNo: logged.entryNo,
                description: description.isEmpty ? nil : description,
                segmentNo: segment?.no,
                actor: actor
            )
            logged.entry.draft.opportunityNo = created.no
            if let segment {
                try connection.execute(
                    """
                    UPDATE segment_lines SET opportunity_no = \(created.no)
                    WHERE segment_no = \(segment.no) AND line_no = \(segment.line)
                    """
                )
            }
            made = created
        }
        return PhoneCall(logged: logged, newOpportunity: made)
    }
}
