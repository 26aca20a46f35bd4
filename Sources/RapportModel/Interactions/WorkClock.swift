import RapportProtocol

/// The guide's default time of an interaction (reference 3.3 R1): the current time rounded **up** to the
/// next full minute.
public enum WorkClock {
    /// `HH:MM:00`, rounded up unless already on a full minute. Past 23:59 it stays at 23:59 (an
    /// interaction keeps the date it was logged on).
    public static func roundedUp(hour: Int, minute: Int, second: Int, microsecond: Int = 0) -> TimeOfDay {
        var minutes = hour * 60 + minute
        if second > 0 || microsecond > 0 { minutes += 1 }
        minutes = min(minutes, 23 * 60 + 59)
        return TimeOfDay(hour: minutes / 60, minute: minutes % 60) ?? Self.lastMinute
    }

    /// Without fractions (document logging stores the time as it is, reference 3.15 R5).
    public static func exact(hour: Int, minute: Int, second: Int) -> TimeOfDay {
        TimeOfDay(hour: hour, minute: minute, second: second) ?? Self.lastMinute
    }

    private static let lastMinute = TimeOfDay(hour: 23, minute: 59)!
}
