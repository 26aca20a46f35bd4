import CEditLine
import Foundation
import RapportClient
import RapportProtocol

/// Tab completion for the interactive shell through libedit: verbs from `HELP`, then a verb's argument names
/// (`name=`) from `HELP <VERB>`, both asked for on first use and kept for the session.
///
/// libedit calls back on the thread that runs `readline`, which is not one of Swift's cooperative threads; the
/// callback waits there (at most two seconds) for the server's answer.
final class ShellCompletion: @unchecked Sendable {
    nonisolated(unsafe) static var current: ShellCompletion?

    private let connection: RapportConnection
    private let lock = NSLock()
    private var verbs: [String]?
    private var argumentsByVerb: [String: [String]] = [:]

    init(connection: RapportConnection) {
        self.connection = connection
    }

    /// Makes libedit complete with `completion`.
    static func install(_ completion: ShellCompletion) {
        Self.current = completion
        rapport_install_completion { text, start, _ in
            rapport_completion_over()
            guard let text, let completion = ShellCompletion.current, let buffer = rapport_line_buffer() else {
                return nil
            }
            let line = Array(String(cString: buffer).utf8)
            let before = String(decoding: line.prefix(max(0, Int(start))), as: UTF8.self)
            let candidates = completion.candidates(lineBeforeWord: before, word: String(cString: text))
            return ShellCompletion.matches(candidates)
        }
    }

    func candidates(lineBeforeWord: String, word: String) -> [String] {
        Completion.candidates(
            lineBeforeWord: lineBeforeWord,
            word: word,
            verbs: self.knownVerbs(),
            argumentNames: self.argumentNames(of:)
        )
    }

    private func knownVerbs() -> [String] {
        if let verbs = self.lock.withLock({ self.verbs }) { return verbs }
        guard let reply = self.ask("HELP", []) else { return [] }
        let verbs = CommandIndexEntry.entries(reply.dataLines).map(\.name)
        self.lock.withLock { self.verbs = verbs }
        return verbs
    }

    private func argumentNames(of verb: String) -> [String]? {
        if let names = self.lock.withLock({ self.argumentsByVerb[verb] }) { return names }
        guard self.knownVerbs().contains(verb), let reply = self.ask("HELP", [.positional(verb)]) else { return nil }
        let names = CommandHelp(dataLines: reply.dataLines).arguments.map(\.name)
        self.lock.withLock { self.argumentsByVerb[verb] = names }
        return names
    }

    /// Sends a request from a thread outside Swift's pool and waits up to two seconds for an `OK` reply.
    private func ask(_ verb: String, _ arguments: [Argument]) -> Response? {
        let box = ReplyBox()
        let semaphore = DispatchSemaphore(value: 0)
        let connection = self.connection
        Task {
            box.set(try? await connection.send(verb, arguments))
            semaphore.signal()
        }
        guard semaphore.wait(timeout: .now() + 2) == .success, let reply = box.get(), case .ok = reply.final else {
            return nil
        }
        return reply
    }

    /// The array libedit wants: the replacement (the candidates' common prefix), then the candidates, then NULL.
    static func matches(_ candidates: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard let first = candidates.first else { return nil }
        var common = first
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(common) { common.removeLast() }
        }
        // No space after `name=`: the value follows.
        rapport_completion_append(candidates.count == 1 && !first.hasSuffix("=") ? 32 : 0)
        let list = candidates.count == 1 ? [first] : [common] + candidates
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: list.count + 1)
        for (index, item) in list.enumerated() { array[index] = strdup(item) }
        array[list.count] = nil
        return array
    }
}

private final class ReplyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Response?
    func set(_ value: Response?) { self.lock.withLock { self.value = value } }
    func get() -> Response? { self.lock.withLock { self.value } }
}
