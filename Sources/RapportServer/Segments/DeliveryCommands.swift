import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// The delivery queue (reference 3.9): DELIVERY-CLAIM, DELIVERY-DONE, DELIVERY-FAILED for delivery workers,
/// and RESEND.
enum DeliveryCommands {
    static let worker = ArgumentSpec(
        "worker",
        kind: .named,
        required: true,
        valueType: .text(maxLength: 200),
        help: "Name of the delivery worker (host/process)."
    )

    static let entry = ArgumentSpec(
        "entry",
        kind: .named,
        required: true,
        valueType: .integer(1...Int.max),
        help: "Interaction log entry No. of the claimed item."
    )

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "DELIVERY-CLAIM",
            summary: "Claim a batch of queued deliveries for a worker, under a lease.",
            arguments: [
                Self.worker,
                ArgumentSpec("limit", kind: .named, valueType: .integer(1...500), help: "Batch size (default 20)."),
                ArgumentSpec(
                    "lease",
                    kind: .named,
                    valueType: .integer(5...86_400),
                    help: "Seconds the claim holds (default 300); an expired claim may be taken by another worker."
                ),
            ],
            requiredRole: .manager,
            help: """
                FOR UPDATE SKIP LOCKED: concurrent workers never get the same item. Each data line has what the \
                sender needs: address (alternative address e-mail, else the contact's), channel, attachment, \
                subject, language, Word template, sender (the salesperson's e-mail). Finish each item with \
                DELIVERY-DONE or DELIVERY-FAILED.
                """,
            example: [
                "DELIVERY-CLAIM worker=mailer-1 limit=1 idem=d-1",
                "* entry=1043 queue-id=88 attempt=1 lease-until=2025-03-14T10:22:00Z contact=CT000012 "
                    + "contact-name=\"Ann Lee\" email=ann@lee.example correspondence-type=email attachment=77 "
                    + "subject=\"Spring offer\" send-word-docs=false sender=ah@rapport.example",
                "OK 1 delivery claimed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "DELIVERY-DONE",
            summary: "Report a claimed delivery sent: the entry's delivery status becomes blank.",
            arguments: [Self.entry, Self.worker],
            requiredRole: .manager,
            example: ["DELIVERY-DONE entry=1043 worker=mailer-1 idem=d-2", "OK entry 1043 delivered"]
        ).idempotent(),
        CommandSpec(
            name: "DELIVERY-FAILED",
            summary: "Report a claimed delivery failed: the entry's delivery status becomes error.",
            arguments: [
                Self.entry, Self.worker,
                ArgumentSpec(
                    "reason",
                    kind: .named,
                    required: true,
                    valueType: .text(maxLength: 2000),
                    help: "What went wrong."
                ),
            ],
            requiredRole: .manager,
            help: "RESEND queues it again.",
            example: [
                "DELIVERY-FAILED entry=1043 worker=mailer-1 reason=\"550 mailbox unavailable\" idem=d-3",
                "OK entry 1043 failed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "RESEND",
            summary: "Queue the interactions of a logged segment (or given entries) for delivery again.",
            arguments: [
                ArgumentSpec(
                    "logged-segment",
                    kind: .named,
                    valueType: .integer(1...Int.max),
                    help: "All interactions of this logged segment."
                ),
                ArgumentSpec(
                    "entries",
                    kind: .named,
                    valueType: .list,
                    help: "These entries (all from one logged segment), comma-separated."
                ),
                ArgumentSpec(
                    "correspondence-type",
                    kind: .named,
                    valueType: .enumeration(["same", "hard_copy", "email"]),
                    help: "Same as Entry (default; then the entry needs one), or another channel."
                ),
                ArgumentSpec(
                    "update-merge-fields",
                    kind: .named,
                    valueType: .bool,
                    help: "Log a new copy of each interaction (\"Resend: …\", today) and send that instead."
                ),
            ],
            requiredRole: .salesperson,
            help: """
                Reference 3.9 R2. Only interactions that are not postponed and have an attachment are sent again \
                ("There is nothing to send. Only Microsoft Word documents can be resent." otherwise). Without \
                update-merge-fields the same entries go back to in_progress and the queue. Fax is not offered (the \
                channel is obsolete). Salespeople resend only their own interactions.
                """,
            example: [
                "RESEND logged-segment=17 correspondence-type=email idem=d-4",
                "* queued=104 first-entry=1043 last-entry=1146",
                "OK 104 interactions queued",
            ]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("DELIVERY-CLAIM"),
                reply: { invocation, session in
                    let arguments = invocation.arguments
                    let worker = try Self.workerName(arguments)
                    let limit = arguments.integer("limit") ?? 20
                    let lease = arguments.integer("lease") ?? 300
                    return try await context.write(invocation, user: session.actingUser.userID) { connection in
                        let items = try DeliveryStore.claim(
                            connection,
                            worker: worker,
                            limit: limit,
                            leaseSeconds: lease
                        )
                        return .ok(
                            SegmentReplies.count(items.count, "delivery", "deliveries") + " claimed",
                            items.map(SegmentReplies.delivery)
                        )
                    }
                }
            ),
            Self.complete("DELIVERY-DONE", failed: false, context),
            Self.complete("DELIVERY-FAILED", failed: true, context),
            Command(
                SessionCommands.spec("RESEND"),
                reply: { invocation, session in
                    let arguments = invocation.arguments
                    let logged = arguments.integer("logged-segment").map(Int64.init)
                    let entries = try SegmentArguments.numbers(arguments, "entries")
                    let type = arguments.enumeration("correspondence-type").flatMap(CorrespondenceType.init(rawValue:))
                    let options = DeliveryStore.ResendOptions(
                        correspondenceType: type,
                        updateMergeFields: arguments.bool("update-merge-fields") ?? false
                    )
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let queued = try DeliveryStore.resend(
                            connection,
                            actor: actor,
                            loggedSegmentEntryNo: logged,
                            entryNos: entries,
                            options: options
                        )
                        return .ok(
                            "\(SegmentReplies.count(queued.count, "interaction")) queued",
                            [
                                .named([
                                    "queued": String(queued.count),
                                    "first-entry": queued.first.map(String.init),
                                    "last-entry": queued.last.map(String.init),
                                ])
                            ]
                        )
                    }
                }
            ),
        ]
    }

    private static func workerName(_ arguments: BoundArguments) throws -> String {
        let name = arguments.text("worker")!
        guard !name.isEmpty, !name.contains(where: \.isNewline) else {
            throw CommandError(.badArguments, "argument worker must be a non-empty name")
        }
        return name
    }

    private static func complete(_ name: String, failed: Bool, _ context: ServerContext) -> Command {
        Command(
            SessionCommands.spec(name),
            reply: { invocation, session in
                let arguments = invocation.arguments
                let entryNo = Int64(arguments.integer("entry")!)
                let worker = try Self.workerName(arguments)
                let reason = failed ? arguments.text("reason") ?? "" : nil
                return try await context.write(invocation, user: session.actingUser.userID) { connection in
                    try DeliveryStore.complete(connection, worker: worker, entryNo: entryNo, failure: reason)
                    return .ok("entry \(entryNo) \(failed ? "failed" : "delivered")")
                }
            }
        )
    }
}
