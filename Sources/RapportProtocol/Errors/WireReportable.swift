/// An error that knows how it is reported on the wire.
public protocol WireReportable: Error {
    /// The code of the `ERR` line.
    var errorCode: ErrorCode { get }
    /// The human text of the `ERR` line.
    var errorText: String { get }
}

extension WireReportable {
    /// The final line that reports this error.
    public var finalLine: FinalLine { .error(self.errorCode, self.errorText) }
}

extension FramingError: WireReportable {
    public var errorCode: ErrorCode {
        switch self {
        case .lineTooLong: return .lineTooLong
        case .bareCarriageReturn, .nulByte, .controlCharacter, .invalidUTF8: return .badEncoding
        case .payloadTooLarge: return .tooLarge
        }
    }

    public var errorText: String {
        switch self {
        case .lineTooLong(let limit): return "line longer than \(limit) bytes"
        case .bareCarriageReturn: return "carriage return (CR) not followed by line feed (LF)"
        case .nulByte: return "NUL byte in line"
        case .controlCharacter: return "control character in line (only TAB is allowed)"
        case .invalidUTF8: return "line is not valid UTF-8"
        case .payloadTooLarge(let declared, let limit):
            return "literal of \(declared) bytes exceeds the limit of \(limit) bytes"
        }
    }
}

extension SyntaxError: WireReportable {
    public var errorCode: ErrorCode {
        switch self.kind {
        case .malformed: return .badSyntax
        case .tooManyArguments: return .tooLarge
        }
    }

    public var errorText: String { self.description }
}
