import ArgumentParser
import Foundation
import RapportServer
import SMTPClient

/// The delivery worker's options (`rapportd serve` and `rapportd deliver`), each also an environment
/// variable. The SMTP password is never a flag (it would show in `ps`): RAPPORT_SMTP_PASSWORD or a file.
struct DeliveryOptions: ParsableArguments {
    @Flag(
        name: .customLong("no-delivery-worker"),
        help: "Do not run the delivery worker in this process (RAPPORT_DELIVERY_WORKER=off)."
    )
    var noWorker = false

    @Option(
        name: .customLong("smtp-host"),
        help: "Mail relay host; none: e-mail delivery is refused (RAPPORT_SMTP_HOST)."
    )
    var smtpHost: String?

    @Option(name: .customLong("smtp-port"), help: "Mail relay port (RAPPORT_SMTP_PORT; default 25).")
    var smtpPort: Int?

    @Option(
        name: [.customLong("smtp-tls"), .customLong("smtp-starttls")],
        help:
            "TLS to the relay: off, optional (STARTTLS when offered), required (STARTTLS or no session) or implicit (TLS from the first byte, SMTPS on port 465) (RAPPORT_SMTP_TLS or RAPPORT_SMTP_STARTTLS; default optional)."
    )
    var smtpStartTLS: String?

    @Option(
        name: .customLong("smtp-ca-file"),
        help:
            "PEM file of the certificates that may sign the relay's certificate, instead of the system's (a private CA) (RAPPORT_SMTP_CA_FILE)."
    )
    var smtpCAFile: String?

    @Option(name: .customLong("smtp-user"), help: "AUTH user name; none: no AUTH (RAPPORT_SMTP_USER).")
    var smtpUser: String?

    @Option(
        name: .customLong("smtp-password-file"),
        help: "File whose first line is the AUTH password (RAPPORT_SMTP_PASSWORD_FILE; or RAPPORT_SMTP_PASSWORD)."
    )
    var smtpPasswordFile: String?

    @Option(name: .customLong("mail-from"), help: "Sender address of every e-mail (RAPPORT_MAIL_FROM).")
    var mailFrom: String?

    @Option(name: .customLong("mail-from-name"), help: "Sender name (RAPPORT_MAIL_FROM_NAME; default Rapport).")
    var mailFromName: String?

    @Option(
        name: .customLong("hard-copy-folder"),
        help: "Folder for hard-copy deliveries (RAPPORT_HARD_COPY_FOLDER; default .rapport/hard-copy)."
    )
    var hardCopyFolder: String?

    @Option(
        name: .customLong("delivery-concurrency"),
        help: "SMTP connections sending at once (RAPPORT_DELIVERY_CONCURRENCY; default 2)."
    )
    var concurrency: Int?

    @Option(
        name: .customLong("delivery-batch"),
        help: "Items claimed at a time per connection (RAPPORT_DELIVERY_BATCH; default 100)."
    )
    var batch: Int?

    @Option(
        name: .customLong("delivery-max-attempts"),
        help: "Tries per item before a temporary failure becomes final (RAPPORT_DELIVERY_MAX_ATTEMPTS; default 8)."
    )
    var maximumAttempts: Int?

    @Option(
        name: .customLong("delivery-retry-delay"),
        help:
            "Seconds before the first retry, doubled for each next one up to an hour (RAPPORT_DELIVERY_RETRY_DELAY; default 30)."
    )
    var retryDelay: Int?

    /// nil when the worker is off.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> DeliveryConfiguration?
    {
        func text(_ option: String?, _ name: String) -> String? {
            if let option, !option.isEmpty { return option }
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func number(_ option: Int?, _ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            var value = option
            if value == nil, let raw = text(nil, name) {
                guard let parsed = Int(raw) else { throw ValidationError("\(name) must be a whole number, not \(raw)") }
                value = parsed
            }
            if let value, !range.contains(value) {
                throw ValidationError("\(name.lowercased()) must be \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        let switchedOff = ["off", "false", "0", "no"].contains(
            environment["RAPPORT_DELIVERY_WORKER"]?.lowercased() ?? ""
        )
        if self.noWorker || switchedOff { return nil }
        var configuration = DeliveryConfiguration()
        if let host = text(self.smtpHost, "RAPPORT_SMTP_HOST") {
            var relay = SMTPConfiguration(
                host: host,
                port: try number(self.smtpPort, "RAPPORT_SMTP_PORT", 1...65535) ?? 25,
                clientName: ProcessInfo.processInfo.hostName
            )
            if let mode = text(self.smtpStartTLS, "RAPPORT_SMTP_TLS") ?? text(nil, "RAPPORT_SMTP_STARTTLS") {
                guard let tls = SMTPDialogue.TLSMode(rawValue: mode.lowercased()) else {
                    throw ValidationError("--smtp-tls must be off, optional, required or implicit, not \(mode)")
                }
                relay.tls = tls
            }
            if let file = text(self.smtpCAFile, "RAPPORT_SMTP_CA_FILE") {
                guard FileManager.default.isReadableFile(atPath: file) else {
                    throw ValidationError("cannot read the SMTP CA file \(file)")
                }
                relay.trustCertificates(inPEMFile: file)
            }
            if let user = text(self.smtpUser, "RAPPORT_SMTP_USER") {
                relay.credentials = .init(user: user, password: try self.password(environment))
            }
            configuration.relay = relay
            guard let from = text(self.mailFrom, "RAPPORT_MAIL_FROM"), from.contains("@") else {
                throw ValidationError("--mail-from (RAPPORT_MAIL_FROM) needs a sender address when --smtp-host is set")
            }
            configuration.sender = MailAddress(
                from,
                name: text(self.mailFromName, "RAPPORT_MAIL_FROM_NAME") ?? "Rapport"
            )
        }
        if let folder = text(self.hardCopyFolder, "RAPPORT_HARD_COPY_FOLDER") { configuration.hardCopyFolder = folder }
        if let value = try number(self.concurrency, "RAPPORT_DELIVERY_CONCURRENCY", 1...64) {
            configuration.concurrency = value
        }
        if let value = try number(self.batch, "RAPPORT_DELIVERY_BATCH", 1...500) { configuration.batchSize = value }
        if let value = try number(self.maximumAttempts, "RAPPORT_DELIVERY_MAX_ATTEMPTS", 1...100) {
            configuration.maximumAttempts = value
        }
        if let value = try number(self.retryDelay, "RAPPORT_DELIVERY_RETRY_DELAY", 0...86_400) {
            configuration.retryDelay = .seconds(value)
        }
        return configuration
    }

    private func password(_ environment: [String: String]) throws -> String {
        if let path = self.smtpPasswordFile
            ?? environment["RAPPORT_SMTP_PASSWORD_FILE"].flatMap({
                $0.isEmpty ? nil : $0
            })
        {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read the SMTP password file \(path)")
            }
            return String(decoding: contents, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init)
                ?? ""
        }
        guard let password = environment["RAPPORT_SMTP_PASSWORD"] else {
            throw ValidationError(
                "--smtp-user needs a password: RAPPORT_SMTP_PASSWORD or --smtp-password-file (RAPPORT_SMTP_PASSWORD_FILE)"
            )
        }
        return password
    }
}
