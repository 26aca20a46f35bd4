import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps this process's open files out of the children it spawns.
///
/// SwiftNIO opens its sockets without close-on-exec, so a child started with `posix_spawn` inherits
/// every connection open at that moment. A child that lives on (a PostgreSQL server started with
/// `pg_ctl`, HAProxy, smtp-sink) then holds those sockets open after this process has closed them:
/// the peer never sees the close (a client's reset, a server's goodbye) until that child exits.
public enum InheritedDescriptors {
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, looked up at run time (Swift's Glibc
    /// module does not declare it).
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Adds to `actions` the closing of every descriptor from 3 up, after the actions already there
    /// (which set up 0, 1 and 2).
    public static func close(in actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom = Self.addCloseFrom, addCloseFrom(&actions, 3) == 0 { return }
        // An older C library: the descriptors open now, by name. One opened by another thread meanwhile
        // is still inherited; closing one closed meanwhile is no error (glibc checks only the range).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }
}
