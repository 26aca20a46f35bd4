import LibPQ
import RapportProtocol
import RapportStore

/// `contact-name=`: commands that take a contact number also take the contact's name (unique, any letter
/// case), looked up inside the command's transaction.
enum ContactNameArgument {
    static var spec: ArgumentSpec { InteractionArguments.contactName.spec }

    /// The contact of `number` or of contact-name= (not both); nil when neither is given.
    static func resolve(_ arguments: BoundArguments, number: String?, _ connection: PGConnection) throws -> String? {
        switch (number, arguments[InteractionArguments.contactName]) {
        case (let no?, nil): return no
        case (nil, let name?): return try ContactNames.resolve(connection, name: name)
        case (nil, nil): return nil
        case (_?, _?): throw CommandError(.badArguments, "give contact= or contact-name=, not both")
        }
    }

    /// As `resolve`, but one of them is required.
    static func required(_ arguments: BoundArguments, number: String?, _ connection: PGConnection) throws -> String {
        guard let no = try Self.resolve(arguments, number: number, connection) else {
            throw CommandError(.badArguments, "missing argument contact: give contact= or contact-name=")
        }
        return no
    }
}
