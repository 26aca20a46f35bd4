import ArgumentParser
import RapportClient

/// `rapport`: run one command against `rapportd`, or an interactive shell.
@main
struct Rapport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Talk to a rapportd server: run one command, or open an interactive shell.",
        usage: """
            rapport [options] VERB [ARGS...]
            rapport [options] shell
            rapport [options] import-contacts FILE.csv
            """,
        discussion: """
            Each ARG of the form key=value (key: a letter, then letters, digits, _ . -) is sent as a named \
            argument; any other ARG is sent as a positional value, quoted as needed. Put -- before ARGS that \
            start with a dash. Examples:
              rapport PING
              rapport HELP LANGUAGE-LIST
              rapport --user alice LANGUAGE-LIST --all --csv
              rapport --url rapport://alice@crm.example:7878 USER-ADD bob role=salesperson
            Data lines are printed as a table (columns: the command's declared result keys, else the keys seen, \
            and 1, 2, … for positional values), vertically with --vertical (also when a table would be wider \
            than the terminal), or with --json (one array; typed: numbers, booleans, null for blank) / --csv \
            (header: the declared result keys, the same for any number of rows). The OK text (counts, total=, \
            the next= cursor of a paged list) is always printed: after the table on standard output, or to \
            standard error with --json/--csv so that standard output stays machine-readable. ERR and BYE lines \
            go to standard error. --all follows next= cursors to the end of a list, printing rows page by page \
            (a progress line on standard error when it is a terminal), then the OK text with the row count of \
            all pages. A downloaded payload goes to --output, or to standard output (the table then goes to \
            standard error). `rapport HELP` and `rapport HELP VERB` are wrapped to the terminal width \
            (COLUMNS, else the terminal, else 80).
            `rapport import-contacts FILE` sends a CSV file of contacts (see HELP CONTACT-IMPORT) as \
            CONTACT-IMPORT requests of whole rows of at most --part-size bytes, in order, with a progress bar; \
            each part has an idempotency key derived from the file, so a failed import can simply be run again.
            `rapport shell` prints the greeting, logs in if a user is given, then sends each line as typed and \
            prints the reply; Tab completes verbs and argument names; \\x toggles the vertical display; history \
            is kept in ~/.rapport_history; `quit`, `exit` or Ctrl-D end the session. When the server ends the \
            connection (BYE idle timeout, a restart, a failover), the next line typed connects and logs in again \
            (with the kept ticket) before it is sent; a command whose reply was lost is not sent again, since it \
            may have been carried out. With standard input not a terminal it reads lines without a prompt, exits \
            with the status of the last reply, and exits with 1 when the connection is lost.
            Environment: RAPPORT_URL, RAPPORT_HOST, RAPPORT_PORT, RAPPORT_USER (overridden by the options). The \
            password: RAPPORT_PASSWORD, else the password file ~/.rapportpass (or RAPPORT_PASSFILE) with lines \
            host:port:user:password (* matches anything; \\: is a colon), used only when no one but its \
            owner may read it (chmod 0600), else a no-echo prompt.
            \(ExitStatus.helpText)
            """
    )

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    @OptionGroup(title: "Output")
    var output: OutputOptions

    @Argument(help: "The command to send (e.g. PING, HELP, USER-LIST), or `shell`.")
    var verb: String?

    @Argument(help: "Arguments of the command: key=value or plain values.")
    var arguments: [String] = []

    @Option(name: .customLong("part-size"), help: "import-contacts: bytes per request (default 8 MiB).")
    var partSize: Int = 8 << 20

    func validate() throws {
        if self.output.json && self.output.csv { throw ValidationError("give at most one of --json and --csv") }
        if self.output.vertical && (self.output.json || self.output.csv) {
            throw ValidationError("--vertical is a table layout; not with --json or --csv")
        }
    }

    mutating func run() async throws {
        let settings = try self.connection.settings()
        guard let verb = self.verb else {
            throw ValidationError("missing VERB (e.g. `rapport PING`, `rapport HELP`, or `rapport shell`)")
        }
        let status: ExitStatus
        if verb == "shell" {
            guard self.arguments.isEmpty else { throw ValidationError("`shell` takes no arguments") }
            status = await Shell(
                settings: settings,
                timeout: self.connection.timeoutDuration,
                vertical: self.output.vertical
            ).run()
        } else if verb == "import-contacts" {
            guard self.arguments.count == 1, let path = self.arguments.first else {
                throw ValidationError("`import-contacts` takes one CSV file")
            }
            guard self.partSize >= 1024 else { throw ValidationError("--part-size must be at least 1024") }
            status = try await ImportContactsCommand(
                settings: settings,
                timeout: self.connection.timeoutDuration,
                path: path,
                partBytes: self.partSize
            ).run()
        } else {
            let command = OneShotCommand(
                settings: settings,
                timeout: self.connection.timeoutDuration,
                verb: verb,
                words: self.arguments,
                output: self.output
            )
            status = try await command.run()
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// Like the default, but every usage error exits with status 1 (not 64), as documented.
    static func main() async {
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if error is ExitCode || Self.exitCode(for: error) == .success { Self.exit(withError: error) }
            StandardStream.error.write(Self.fullMessage(for: error) + "\n")
            Self.exit(withError: ExitCode(ExitStatus.failure.rawValue))
        }
    }
}
