/// A complete reply read by ``ResponseParser``, with the tag its lines carried.
public struct TaggedResponse: Sendable, Equatable {
    /// The tag including its `#`, or nil for an untagged reply (and for the greeting).
    public var tag: String?
    /// The reply.
    public var response: Response

    /// Creates a tagged reply.
    public init(tag: String?, response: Response) {
        self.tag = tag
        self.response = response
    }
}
