/// A parsed request line.
public struct Request: Sendable, Equatable {
    /// The client's tag including its `#`, echoed on every line of the reply; nil when untagged.
    public var tag: String?
    /// The verb, upper-cased.
    public var verb: String
    /// The arguments in the order given.
    public var arguments: [Argument]
    /// The literal that followed the line, set by the caller from the frame.
    public var payload: [UInt8]?

    /// Creates a request.
    public init(tag: String? = nil, verb: String, arguments: [Argument] = [], payload: [UInt8]? = nil) {
        self.tag = tag
        self.verb = verb
        self.arguments = arguments
        self.payload = payload
    }
}
