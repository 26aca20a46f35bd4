import Foundation

#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
#endif

/// A one-connection TCP server on 127.0.0.1 that plays a script, for testing the client's side of the protocol
/// without `rapportd`. The script runs on its own thread with blocking sockets; failures surface as the client's
/// errors or as `ScriptedServer.Peer` returning nil.
final class ScriptedServer: Sendable {
    /// The accepted connection, as seen by the script.
    final class Peer {
        private let socket: Int32
        private var buffer: [UInt8] = []

        init(socket: Int32) {
            self.socket = socket
        }

        /// Sends `text` as is (include the CRLFs).
        func send(_ text: String) {
            self.send(Array(text.utf8))
        }

        /// Sends raw bytes.
        func send(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { systemSend(self.socket, $0.baseAddress, $0.count) }
                guard written > 0 else { return }
                offset += written
            }
        }

        /// The next line without its CRLF, or nil at end of input.
        func readLine() -> String? {
            while true {
                if let end = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(self.buffer[..<end])
                    self.buffer.removeFirst(end + 1)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                guard self.fill() else { return nil }
            }
        }

        /// Exactly `count` bytes, or nil at end of input.
        func readBytes(_ count: Int) -> [UInt8]? {
            while self.buffer.count < count {
                guard self.fill() else { return nil }
            }
            let bytes = Array(self.buffer.prefix(count))
            self.buffer.removeFirst(count)
            return bytes
        }

        /// Reads and discards input until the client closes its side.
        func readToEnd() {
            while self.fill() {}
        }

        private func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(self.socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            self.buffer.append(contentsOf: chunk[..<count])
            return true
        }
    }

    /// The port the server listens on.
    let port: Int
    private let finished = DispatchSemaphore(value: 0)

    /// Listens on an ephemeral port and runs `script` for the first connection, then closes it.
    init(_ script: @escaping @Sendable (Peer) -> Void) throws {
        let listener = socket(AF_INET, streamSocket, 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 1) == 0
                    && getsockname(listener, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let finished = self.finished
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            close(listener)
            if connection >= 0 {
                script(Peer(socket: connection))
                close(connection)
            }
            finished.signal()
        }
    }

    /// Waits until the script has run and the connection is closed.
    func waitUntilFinished() async {
        let finished = self.finished
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                finished.wait()
                continuation.resume()
            }
        }
    }
}

/// `send(2)`, under a name the `send` methods do not shadow.
private func systemSend(_ socket: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    send(socket, pointer, count, 0)
}

/// A port on 127.0.0.1 that is bound but not listening: a connection to it is refused, and, unlike the port of a
/// stopped `ScriptedServer`, no listener of a test running in parallel can take it over while this lives.
final class RefusingPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, streamSocket, 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(self.descriptor)
    }
}
