import RapportClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a secret from the terminal without echoing it.
///
/// Works on `/dev/tty`, so that it also works when standard input is a pipe. Echo and signals are switched off
/// while reading, and the terminal is restored before returning: Ctrl-C then arrives as a byte and cancels the
/// prompt instead of killing the process with echo still off.
enum SecretPrompt {
    private static let controlC: UInt8 = 0x03
    private static let controlD: UInt8 = 0x04
    private static let controlU: UInt8 = 0x15
    private static let backspace: UInt8 = 0x08
    private static let delete: UInt8 = 0x7F

    /// Shows `prompt` and returns what is typed up to Enter.
    static func ask(prompt: String) throws(UsageError) -> String {
        let terminal = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard terminal >= 0 else {
            throw UsageError("no terminal to ask for the password on; set RAPPORT_PASSWORD or use ~/.rapportpass")
        }
        defer { close(terminal) }
        var original = termios()
        guard tcgetattr(terminal, &original) == 0 else { throw UsageError("cannot configure the terminal") }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG)
        withUnsafeMutableBytes(of: &silent.c_cc) { controlCharacters in
            controlCharacters[Int(VMIN)] = 1
            controlCharacters[Int(VTIME)] = 0
        }
        Self.show(prompt, on: terminal)
        _ = tcsetattr(terminal, TCSAFLUSH, &silent)
        let typed = Self.readTyped(from: terminal)
        _ = tcsetattr(terminal, TCSAFLUSH, &original)
        Self.show("\n", on: terminal)
        guard let typed else { throw UsageError("no secret given") }
        return typed
    }

    /// Reads bytes up to CR or LF, applying backspace and Ctrl-U; nil for Ctrl-C, or Ctrl-D on an empty line.
    private static func readTyped(from terminal: Int32) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(terminal, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                return String(decoding: bytes, as: UTF8.self)
            case Self.controlC:
                return nil
            case Self.controlD:
                if bytes.isEmpty { return nil }
            case Self.controlU:
                bytes.removeAll()
            case Self.backspace, Self.delete:
                // Drop one whole UTF-8 character: continuation bytes, then their lead byte.
                while let last = bytes.popLast(), last & 0xC0 == 0x80 {}
            default:
                bytes.append(byte)
            }
        }
    }

    private static func show(_ text: String, on terminal: Int32) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(terminal, $0.baseAddress, $0.count) }
    }
}
