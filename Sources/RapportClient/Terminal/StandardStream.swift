#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output or standard error, written unbuffered so that text and raw bytes keep their order.
public enum StandardStream: Sendable {
    case output
    case error

    /// The file descriptor.
    public var fileDescriptor: Int32 {
        switch self {
        case .output: return 1
        case .error: return 2
        }
    }

    /// Whether the stream is a terminal.
    public var isTerminal: Bool { isatty(self.fileDescriptor) == 1 }

    /// Writes `text` as UTF-8.
    public func write(_ text: String) {
        self.write(Array(text.utf8))
    }

    /// Writes `bytes`, retrying after interruptions and partial writes; gives up silently on other errors (a closed
    /// pipe has no one to tell).
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(self.fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

/// `write(2)`, under a name the methods called `write` do not shadow.
private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}
