#if os(Linux)
import CScopeScanSystem
#endif

/// Giving up root after the capture handles and output files are open, as tcpdump's -Z does:
/// supplementary groups cleared, setgid then setuid, no capabilities left, and (Linux) no new
/// privileges through execve. See docs/architecture.md, "Privileges".
public enum Privileges {
    /// The user to become: `-Z USER`, or `nobody` by default when started as root.
    public struct Target: Sendable, Equatable {
        public var name: String
        public var uid: uid_t
        public var gid: gid_t
        public var owner: FileOwner { FileOwner(uid: uid, gid: gid) }
    }

    /// What a command will do: keep everything (`-Z root`), or become `target` (nil when not
    /// root and no -Z: capabilities are still cleared).
    public enum Plan: Sendable, Equatable {
        case keep
        case drop(Target?)

        /// Who files created before the drop must belong to (nil: stay the creator's).
        public var fileOwner: FileOwner? {
            if case .drop(let target?) = self, target.uid != geteuid() { return target.owner }
            return nil
        }
    }

    /// The plan for `-Z user` (nil: the default). Throws for an unknown user, or a change of user
    /// without root.
    public static func plan(user: String?) throws(SystemError) -> Plan {
        if user == "root" { return .keep }
        let name = user ?? (geteuid() == 0 ? "nobody" : nil)
        guard let name else { return .drop(nil) }
        guard let ids = System.userIDs(named: name) else { throw SystemError("-Z \(name): no such user") }
        let target = Target(name: name, uid: ids.uid, gid: ids.gid)
        if geteuid() != 0 && target.uid != geteuid() {
            throw SystemError("-Z \(name): only root can change to another user")
        }
        return .drop(target)
    }

    /// Carries out `plan`. After it, the process cannot regain root or any capability.
    public static func apply(_ plan: Plan) throws(SystemError) {
        guard case .drop(let target) = plan else { return }
        if let target, geteuid() == 0 {
            #if os(Linux)
            // No capability can come back through execve of a file with capabilities either.
            if scopescan_drop_bounding_and_ambient() != 0 { throw SystemError(path: "capabilities", "PR_CAPBSET_DROP") }
            #endif
            guard setgroups(0, nil) == 0 else { throw SystemError(path: "-Z \(target.name)", "setgroups") }
            guard setgid(target.gid) == 0 else { throw SystemError(path: "-Z \(target.name)", "setgid") }
            guard setuid(target.uid) == 0 else { throw SystemError(path: "-Z \(target.name)", "setuid") }
            // A drop that could be undone is no drop.
            if target.uid != 0 && (setuid(0) == 0 || geteuid() == 0 || getuid() == 0) {
                throw SystemError("-Z \(target.name): root could be regained after setuid")
            }
        }
        #if os(Linux)
        // setuid from root already emptied the permitted and effective sets; this also covers a
        // non-root start with file capabilities (setcap cap_net_raw).
        if scopescan_clear_capabilities() != 0 { throw SystemError(path: "capabilities", "capset") }
        if scopescan_set_no_new_privs() != 0 { throw SystemError(path: "no_new_privs", "prctl") }
        #endif
    }

    /// The effective capability set (Linux; 0 elsewhere, where there is none to have).
    public static var effectiveCapabilities: Int64 {
        #if os(Linux)
        return Int64(scopescan_effective_capabilities())
        #else
        return 0
        #endif
    }
}
