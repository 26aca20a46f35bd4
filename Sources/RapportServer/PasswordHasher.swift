import Crypto
import Foundation
import NIOPosix
import _CryptoExtras

/// Salted slow password hashes: scrypt, stored as a PHC-style string
/// `$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>` (N = 2^15, r = 8, p = 1: 32 MiB and tens of
/// milliseconds per hash, the OWASP-recommended minimum). The parameters travel with each hash, so
/// they can be raised later without invalidating stored passwords.
///
/// Hashing is CPU- and memory-heavy on purpose, so it never runs on the event loops or the
/// cooperative pool: the server runs it on its fair hashing threads (`HashingThreads`, one per
/// core), tools and tests on this hasher's own small thread pool.
public final class PasswordHasher: Sendable {
    public struct Parameters: Sendable, Equatable {
        /// log2 of scrypt's N.
        public var logRounds: Int
        public var blockSize: Int
        public var parallelism: Int

        public init(logRounds: Int = 15, blockSize: Int = 8, parallelism: Int = 1) {
            self.logRounds = logRounds
            self.blockSize = blockSize
            self.parallelism = parallelism
        }
    }

    public let parameters: Parameters
    private let threads: NIOThreadPool
    /// A hash of a random password, verified when a user does not exist so that the answer takes
    /// as long as for a real user (no user enumeration by timing).
    private let decoy: String

    public init(parameters: Parameters = Parameters(), threads: Int = 1) {
        self.parameters = parameters
        self.threads = NIOThreadPool(numberOfThreads: threads)
        self.threads.start()
        self.decoy = (try? Self.hashNow(Self.randomPassword(), parameters: parameters)) ?? ""
    }

    /// Hashes a new password on the calling thread (a hashing thread of the server).
    func hashHere(_ password: String) throws -> String {
        try Self.hashNow(password, parameters: self.parameters)
    }

    /// `verify` on the calling thread (a hashing thread of the server).
    func verifyHere(_ password: String, against stored: String?) -> Bool {
        let matches = (try? Self.verifyNow(password, stored: stored ?? self.decoy)) ?? false
        return stored != nil && matches
    }

    /// Hashes a new password (tools and tests; the server schedules its hashes fairly, see
    /// `HashingThreads`).
    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await self.threads.runIfActive { try Self.hashNow(password, parameters: parameters) }
    }

    /// True when `password` matches `stored`. With `stored` nil (unknown user) it spends the same
    /// time and answers false.
    public func verify(_ password: String, against stored: String?) async -> Bool {
        let target = stored ?? self.decoy
        let known = stored != nil
        let matches = (try? await self.threads.runIfActive { try Self.verifyNow(password, stored: target) }) ?? false
        return known && matches
    }

    public func shutdown() async {
        try? await self.threads.shutdownGracefully()
    }

    /// A random password for users created without one (shown once to the administrator).
    public static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    static func hashNow(_ password: String, parameters: Parameters) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let derived = try Self.derive(password, salt: salt, parameters: parameters)
        return "$scrypt$ln=\(parameters.logRounds),r=\(parameters.blockSize),p=\(parameters.parallelism)$"
            + Data(salt).base64EncodedString() + "$" + Data(derived).base64EncodedString()
    }

    static func verifyNow(_ password: String, stored: String) throws -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt",
            let salt = Data(base64Encoded: String(parts[3])), let expected = Data(base64Encoded: String(parts[4]))
        else { return false }
        var parameters = Parameters()
        for setting in parts[2].split(separator: ",") {
            let pair = setting.split(separator: "=")
            guard pair.count == 2, let value = Int(pair[1]) else { return false }
            switch pair[0] {
            case "ln": parameters.logRounds = value
            case "r": parameters.blockSize = value
            case "p": parameters.parallelism = value
            default: return false
            }
        }
        guard (1...20).contains(parameters.logRounds) else { return false }
        let derived = try Self.derive(password, salt: Array(salt), parameters: parameters, length: expected.count)
        // Constant-time comparison.
        guard derived.count == expected.count else { return false }
        return zip(derived, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: [UInt8], parameters: Parameters, length: Int = 32) throws
        -> [UInt8]
    {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8),
            salt: salt,
            outputByteCount: length,
            rounds: 1 << parameters.logRounds,
            blockSize: parameters.blockSize,
            parallelism: parameters.parallelism
        )
        return key.withUnsafeBytes { Array($0) }
    }
}
