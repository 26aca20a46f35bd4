import RapportProtocol

/// Segments and logged segments: headers and lines, criteria, Log Segment, logged segments, the delivery
/// queue (reference 1.8–1.16, 3.6–3.10).
enum SegmentCommands {
    static let specs: [CommandSpec] =
        SegmentHeaderCommands.specs + SegmentLineCommands.specs + SegmentCriteriaCommands.specs
        + LogSegmentCommands.specs + LoggedSegmentCommands.specs + DeliveryCommands.specs
        + MergeCommands.specs

    static func make(_ context: ServerContext) -> [Command] {
        SegmentHeaderCommands.make(context) + SegmentLineCommands.make(context) + SegmentCriteriaCommands.make(context)
            + LogSegmentCommands.make(context) + LoggedSegmentCommands.make(context) + DeliveryCommands.make(context)
            + MergeCommands.make(context)
    }
}
