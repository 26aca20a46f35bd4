import RapportProtocol

extension Response {
    /// A stored reply given again for a used idem= key, marked as such where the command declares a
    /// `replayed` column (CONTACT-IMPORT): every data line's `replayed=` becomes true, nothing else
    /// changes, so the lines keep the declared keys in their order. A reply without that key is
    /// returned unchanged.
    func markedReplayed() -> Response {
        var marked = self
        marked.dataLines = self.dataLines.map { line in
            var line = line
            line.tokens = line.tokens.map { token in
                if case .named("replayed", _) = token { return .named("replayed", "true") }
                return token
            }
            return line
        }
        return marked
    }
}
