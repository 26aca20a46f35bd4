import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// CONTACT-IMPORT: contacts from CSV sent as the request's payload, all or nothing.
enum ContactImportCommand {
    static let firstLine = OptionalArgument.named(
        "first-line",
        .integer(1...Int(Int32.max)),
        "Line number of the first data row in the client's file, so messages name lines of that file."
    )

    static let spec = CommandSpec(
        name: "CONTACT-IMPORT",
        synopsis: "CONTACT-IMPORT [first-line=<integer>] [idem=<text>] {N}",
        summary: "Import contacts from CSV sent as the payload; every row is checked first, then all are created.",
        arguments: [
            firstLine.spec, Idempotency.argument,
        ],
        requiredRole: .manager,
        help: """
            The payload is CSV (RFC 4180, UTF-8): a header row naming the columns, then one contact per row. \
            Columns (any order; name is required): no, type, name, company_no, salesperson_code, \
            language_code, correspondence_type, email, phone_no, mobile_phone_no, address, address_2, city, \
            post_code, county, country_code, territory_code, exclude_from_segment, privacy_blocked \
            (the argument names of CONTACT-ADD are accepted too). Blank cells are blank fields; a blank no \
            is drawn from the contact series; blank type is company; blank correspondence type, salesperson \
            and language take the marketing setup's defaults. A person's company_no names a company of \
            the file or of the database.
            One request is one transaction: the first bad row is reported with its line and nothing is \
            written. A payload is at most 16 MiB (the server's limit): send a larger file as several \
            requests of whole rows, each starting with the header row, with first-line= set and an idem= \
            key per part, so a part can be retried safely. A part sent again with its key is answered with \
            the first reply with replayed=true (nothing is written), so a client can say the contacts were \
            already imported.
            The database reads the rows (COPY into a staging table), so an import runs at the speed of a \
            plain COPY; the checks and their words are those of CONTACT-ADD.
            """,
        example: [
            "CONTACT-IMPORT idem=contacts-2024-part1 {123}",
            "no,type,name,company_no,email",
            "C1,company,Acme Ltd,,info@acme.example",
            ",person,Ann Lee,C1,ann@acme.example",
            ",person,Bo Ma,C1,",
            "* imported=3 replayed=false", "OK 3 contacts imported",
        ],
        results: resultColumns
    )

    /// `replayed=true`: the reply is the stored one of an earlier request with the same idem= key.
    static let resultColumns = [ResultColumn("imported", .integer), ResultColumn("replayed", .bool)]

    static func make(_ context: ServerContext) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                guard let user = session.user else {
                    throw CommandError(.denied, "log in first: LOGIN <user> <secret>")
                }
                return try await context.write(invocation, user: user.userID, markReplays: true) { connection in
                    try Self.run(invocation, connection)
                }
            }
        )
    }

    static func run(_ invocation: Invocation, _ connection: PGConnection) throws -> Response {
        guard let payload = invocation.arguments.payload else {
            throw CommandError(
                .badArguments,
                "CONTACT-IMPORT needs the CSV file as its payload: end the line with {N}"
            )
        }
        let file = ImportFile(payload, firstLine: invocation.arguments[Self.firstLine])
        let (columns, dataStart) = try file.header()
        var imported: Int
        do {
            imported = try ContactImportStore.importCSV(
                connection,
                columns: columns,
                data: payload[dataStart...],
                line: file.line,
                diagnose: file.diagnose
            )
        } catch let unreadable as ContactImportStore.UnreadableFile {
            // The database's CSV reader refused what ours accepts (blank lines, mixed line ends):
            // send the same records again, one per line.
            try file.diagnose()
            do {
                imported = try ContactImportStore.importCSV(
                    connection,
                    columns: columns,
                    data: try file.normalizedRecords()[...],
                    line: file.line,
                    diagnose: file.diagnose
                )
            } catch is ContactImportStore.UnreadableFile {
                throw CommandError(.invalid, "the file could not be read as CSV: \(unreadable.message)")
            }
        }
        return .ok(
            MasterDataCommand.count(imported, "contact") + " imported",
            [.shaped(Self.resultColumns, ["imported": String(imported), "replayed": "false"])]
        )
    }
}

/// One CONTACT-IMPORT payload, read with the shared CSV reader only where Swift must: the header
/// row, and the first bad row's line and words once the database has found that something is wrong.
final class ImportFile {
    let payload: [UInt8]
    let firstLine: Int?
    private var headerLine = 1
    private var dataLines: [Int]?

    init(_ payload: [UInt8], firstLine: Int?) {
        self.payload = payload
        self.firstLine = firstLine
    }

    /// The columns the header row names, and where the data rows start.
    func header() throws -> (columns: [ContactImport.Column], dataStart: Int) {
        let first: (record: CSVReader.Record, span: CSVReader.Span)?
        do throws(CSVReader.Problem) {
            first = try CSVReader.first(self.payload)
        } catch {
            throw CommandError(.invalid, error.description)
        }
        guard let first else { throw CommandError(.invalid, "line 1: the file is empty") }
        self.headerLine = first.record.line
        do throws(ContactImport.Problem) {
            let columns = try ContactImport.columns(header: first.record.fields, line: first.record.line)
            return (columns, first.span.next)
        } catch {
            throw CommandError(.invalid, error.description)
        }
    }

    /// Added to a line of the payload to give the line of the client's file.
    private var offset: Int { self.firstLine.map { $0 - (self.headerLine + 1) } ?? 0 }

    /// The file line of data row `n` (1-based).
    func line(_ n: Int) -> Int {
        if self.dataLines == nil {
            self.dataLines = ((try? CSVReader.spans(self.payload)) ?? []).dropFirst().map(\.line)
        }
        let lines = self.dataLines!
        return (n >= 1 && n <= lines.count ? lines[n - 1] : self.headerLine + n) + self.offset
    }

    /// Reads every row in Swift and throws the first bad one's refusal, as the import always worded it.
    func diagnose() throws {
        let records: [CSVReader.Record]
        do throws(CSVReader.Problem) {
            records = try CSVReader.records(self.payload)
        } catch {
            let line = error.line > self.headerLine ? error.line + self.offset : error.line
            throw CommandError(.invalid, "line \(line): \(error.message)")
        }
        do throws(ContactImport.Problem) {
            _ = try ContactImport.parse(records.lazy.map { ($0.line, $0.fields) }, firstLine: self.firstLine)
        } catch {
            throw CommandError(.invalid, error.description)
        }
    }

    /// The data records one per line (LF), without blank lines.
    func normalizedRecords() throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.payload.count)
        for span in ((try? CSVReader.spans(self.payload)) ?? []).dropFirst() {
            bytes.append(contentsOf: self.payload[span.content])
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }
}
