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
            key per part, so a part can be retried safely.
            """,
        example: [
            "CONTACT-IMPORT idem=contacts-2024-part1 {123}",
            "no,type,name,company_no,email",
            "C1,company,Acme Ltd,,info@acme.example",
            ",person,Ann Lee,C1,ann@acme.example",
            ",person,Bo Ma,C1,",
            "* imported=3", "OK 3 contacts imported",
        ],
        results: [ResultColumn("imported", .integer)]
    )

    static func make(_ context: ServerContext) -> Command {
        MasterDataCommand.write(context, spec) { invocation, _, connection in
            guard let payload = invocation.arguments.payload else {
                throw CommandError(
                    .badArguments,
                    "CONTACT-IMPORT needs the CSV file as its payload: end the line with {N}"
                )
            }
            let rows: [ContactImportRow]
            do throws(CSVReader.Problem) {
                rows = try ContactImport.parse(payload, firstLine: invocation.arguments[Self.firstLine])
            } catch {
                throw CommandError(.invalid, error.description)
            }
            let imported = try ContactImportStore.importRows(connection, rows)
            return .ok(
                MasterDataCommand.count(imported, "contact") + " imported",
                [.named(["imported": String(imported)])]
            )
        }
    }
}
