//! Process-level protections applied at start-up by every entry point (SECURITY.md 41).
//!
//! A core dump or a debugger attached by another local user would expose the session token and
//! any pupil data in memory, so on Linux the process is made non-dumpable (which also forbids
//! ptrace by non-root users) and everywhere the core-file limit is set to zero, as rbw does.

/// Forbid core dumps and ptrace for this process. Failures are ignored: the protections are a
/// second line of defence and must never stop staff from working.
pub fn forbid_core_dumps() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_DUMPABLE takes plain integer arguments and touches no memory.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the rlimit struct we own for the duration of the call.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
    }
}

/// True when core dumps are off for this process (and, on Linux, it is not dumpable).
pub fn core_dumps_forbidden() -> bool {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit writes into the rlimit struct we own.
        let ok = unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) } == 0;
        let dumpable = {
            #[cfg(target_os = "linux")]
            // SAFETY: PR_GET_DUMPABLE takes no pointers.
            unsafe {
                libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) != 0
            }
            #[cfg(not(target_os = "linux"))]
            false
        };
        ok && limit.rlim_cur == 0 && !dumpable
    }
    #[cfg(not(unix))]
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn after_start_up_the_process_dumps_no_core() {
        super::forbid_core_dumps();
        assert!(super::core_dumps_forbidden());
    }
}
