import RapportProtocol

extension Response {
    /// The reply itself when it ended with `OK`.
    ///
    /// - Throws: ``RapportClientError/server(code:message:)`` for `ERR`,
    ///   ``RapportClientError/connectionClosed(bye:)`` for `BYE`.
    @discardableResult
    public func checked() throws(RapportClientError) -> Response {
        switch self.final {
        case .ok: return self
        case .error(let code, let message): throw .server(code: code, message: message)
        case .bye(let text): throw .connectionClosed(bye: text)
        }
    }
}
