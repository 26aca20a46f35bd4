import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// The delivery queue: DELIVERY-CLAIM, DELIVERY-DONE, DELIVERY-FAILED for delivery workers, and RESEND.
enum DeliveryCommands {
    static let worker = RequiredArgument.named(
        "worker",
        .text(maxLength: 200),
        "Name of the delivery worker (host/process)."
    )
    static let entry = RequiredArgument.named(
        "entry",
        .integer(1...Int.max),
        "Interaction log entry No. of the claimed item."
    )
    static let batch = OptionalArgument.named("limit", .integer(1...500), "Batch size (default 20).")
    static let lease = OptionalArgument.named(
        "lease",
        .integer(5...86_400),
        "Seconds the claim holds (default 300); an expired claim may be taken by another worker."
    )
    static let reason = RequiredArgument.named("reason", .text(maxLength: 2000), "What went wrong.")
    static let loggedSegment = OptionalArgument.named(
        "logged-segment",
        .integer(1...Int.max),
        "All interactions of this logged segment (or give entries=)."
    )
    static let entries = OptionalArgument.named(
        "entries",
        .list,
        "These entries (all from one logged segment), comma-separated (or give logged-segment=)."
    )
    static let correspondenceType = OptionalArgument.named(
        "correspondence-type",
        .oneOf(CorrespondenceType.self),
        "Send by this channel (default: each entry's own, which it then needs)."
    )
    static let updateMergeFields = OptionalArgument.named(
        "update-merge-fields",
        .bool,
        "Log a new copy of each interaction (\"Resend: …\", today) and send that instead (default false)."
    )

    static let columns = [
        ResultColumn("entry", .integer), ResultColumn("queue-id", .integer), ResultColumn("attempt", .integer),
        ResultColumn("lease-until", .text), ResultColumn("contact", .code), ResultColumn("contact-name", .text),
        ResultColumn("email", .text), ResultColumn("correspondence-type", .enumeration),
        ResultColumn("attachment", .integer), ResultColumn("subject", .text), ResultColumn("language", .code),
        ResultColumn("word-template", .code), ResultColumn("send-word-docs", .bool), ResultColumn("sender", .text),
    ]

    static func line(_ item: DeliveryItem) -> DataLine {
        .shaped(
            Self.columns,
            [
                "entry": String(item.entryNo),
                "queue-id": String(item.id),
                "attempt": String(item.attempts),
                "lease-until": item.claimedUntil,
                "contact": item.contactNo,
                "contact-name": item.contactName,
                "email": item.email,
                "correspondence-type": item.correspondenceType,
                "attachment": item.attachmentNo.map(String.init),
                "subject": item.subject,
                "language": item.languageCode,
                "word-template": item.wordTemplateCode,
                "send-word-docs": String(item.sendWordDocsAsAttmt),
                "sender": item.salespersonEmail,
            ]
        )
    }

    static let resendColumns = [
        ResultColumn("queued", .integer), ResultColumn("first-entry", .integer), ResultColumn("last-entry", .integer),
    ]

    static let claim = Command(
        CommandSpec(
            name: "DELIVERY-CLAIM",
            summary: "Claim a batch of queued deliveries for a worker, under a lease.",
            arguments: [Self.worker.spec, Self.batch.spec, Self.lease.spec],
            requiredRole: .manager,
            help: """
                FOR UPDATE SKIP LOCKED: concurrent workers never get the same item. Each data line has what the \
                sender needs: address (alternative address e-mail, else the contact's), channel, attachment, \
                subject, language, Word template, sender (the salesperson's e-mail). Finish each item with \
                DELIVERY-DONE or DELIVERY-FAILED.
                """,
            example: [
                "DELIVERY-CLAIM worker=mailer-1 limit=1 idem=d-1",
                SegmentReplies.example(
                    Self.columns,
                    [
                        "entry": "1043", "queue-id": "88", "attempt": "1", "lease-until": "2025-03-14T10:22:00Z",
                        "contact": "CT000012", "contact-name": "Ann Lee", "email": "ann@lee.example",
                        "correspondence-type": "email", "attachment": "77", "subject": "Spring offer",
                        "send-word-docs": "false", "sender": "ah@rapport.example",
                    ]
                ),
                "OK 1 delivery claimed",
            ],
            results: Self.columns
        ).idempotent(),
        reply: { invocation, session in
            let arguments = invocation.arguments
            let worker = try Self.workerName(arguments)
            let limit = arguments[Self.batch] ?? 20
            let lease = arguments[Self.lease] ?? 300
            return try await invocation.context.write(invocation, user: session.actingUser.userID) { connection in
                let items = try DeliveryStore.claim(connection, worker: worker, limit: limit, leaseSeconds: lease)
                return .ok(
                    SegmentReplies.count(items.count, "delivery", "deliveries") + " claimed",
                    items.map(Self.line)
                )
            }
        }
    )

    static let done = Self.complete(
        CommandSpec(
            name: "DELIVERY-DONE",
            summary: "Report a claimed delivery sent: the entry's delivery status becomes blank.",
            arguments: [Self.entry.spec, Self.worker.spec],
            requiredRole: .manager,
            example: ["DELIVERY-DONE entry=1043 worker=mailer-1 idem=d-2", "OK entry 1043 delivered"]
        ).idempotent(),
        failed: false
    )

    static let failed = Self.complete(
        CommandSpec(
            name: "DELIVERY-FAILED",
            summary: "Report a claimed delivery failed: the entry's delivery status becomes error.",
            arguments: [Self.entry.spec, Self.worker.spec, Self.reason.spec],
            requiredRole: .manager,
            help: "RESEND queues it again.",
            example: [
                "DELIVERY-FAILED entry=1043 worker=mailer-1 reason=\"550 mailbox unavailable\" idem=d-3",
                "OK entry 1043 failed",
            ]
        ).idempotent(),
        failed: true
    )

    static let resend = Command(
        CommandSpec(
            name: "RESEND",
            summary: "Queue the interactions of a logged segment (or given entries) for delivery again.",
            arguments: [
                Self.loggedSegment.spec, Self.entries.spec, Self.correspondenceType.spec, Self.updateMergeFields.spec,
            ],
            requiredRole: .salesperson,
            help: """
                Give logged-segment= or entries=. Only interactions that are not postponed and have an attachment \
                are sent again ("There is nothing to send. Only Microsoft Word documents can be resent." \
                otherwise). Without update-merge-fields the same entries go back to in_progress and the queue. \
                With update-merge-fields=true a new entry is logged for each (today, now, "Resend:" before the \
                description, the comments copied, the original's logged segment), its content merged again from \
                its template's layout, and queued instead; the original stays. One transaction. \
                Fax is not offered (the channel is obsolete). Salespeople resend only their own interactions.
                """,
            example: [
                "RESEND logged-segment=17 correspondence-type=email idem=d-4",
                "* queued=104 first-entry=1043 last-entry=1146", "OK 104 interactions queued",
            ],
            results: Self.resendColumns
        ).idempotent(),
        reply: { invocation, session in
            let arguments = invocation.arguments
            let logged = arguments[Self.loggedSegment].map(Int64.init)
            let entries = try arguments[Self.entries].map { try LoggedSegmentCommands.numbers($0, "entries") }
            let options = DeliveryStore.ResendOptions(
                correspondenceType: arguments[Self.correspondenceType],
                updateMergeFields: arguments[Self.updateMergeFields] ?? false
            )
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let queued = try ResendStore.resend(
                    connection,
                    actor: actor,
                    loggedSegmentEntryNo: logged,
                    entryNos: entries,
                    options: options
                )
                return .ok(
                    "\(SegmentReplies.count(queued.count, "interaction")) queued",
                    [
                        .shaped(
                            Self.resendColumns,
                            [
                                "queued": String(queued.count),
                                "first-entry": queued.first.map(String.init),
                                "last-entry": queued.last.map(String.init),
                            ]
                        )
                    ]
                )
            }
        }
    )

    static let all: [Command] = [claim, done, failed, resend]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    private static func workerName(_ arguments: BoundArguments) throws -> String {
        let name = arguments[Self.worker]
        guard !name.isEmpty, !name.contains(where: \.isNewline) else {
            throw CommandError(.badArguments, "argument worker must be a non-empty name: give worker=<host/process>")
        }
        return name
    }

    private static func complete(_ spec: CommandSpec, failed: Bool) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                let arguments = invocation.arguments
                let entryNo = Int64(arguments[Self.entry])
                let worker = try Self.workerName(arguments)
                let reason = failed ? arguments[Self.reason] : nil
                return try await invocation.context.write(invocation, user: session.actingUser.userID) { connection in
                    try DeliveryStore.complete(connection, worker: worker, entryNo: entryNo, failure: reason)
                    return .ok("entry \(entryNo) \(failed ? "failed" : "delivered")")
                }
            }
        )
    }
}
