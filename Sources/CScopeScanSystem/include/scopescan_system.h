// Small wrappers for C calls Swift cannot import (variadic prctl, the raw capset system call).
// Used only by ScopeScanSystem, behind #if os(Linux).
#ifndef SCOPESCAN_SYSTEM_H
#define SCOPESCAN_SYSTEM_H

#ifdef __linux__
/// prctl(PR_SET_NO_NEW_PRIVS, 1): execve can never grant privileges again (setuid bits, file caps).
int scopescan_set_no_new_privs(void);
/// prctl(PR_GET_NO_NEW_PRIVS): 1 when set, 0 when not, -1 on error.
int scopescan_get_no_new_privs(void);
/// capset with every set (effective, permitted, inheritable) empty; 0 on success.
int scopescan_clear_capabilities(void);
/// Empties the bounding set (PR_CAPBSET_DROP for every capability; needs CAP_SETPCAP, so before
/// setuid) and the ambient set; 0 on success.
int scopescan_drop_bounding_and_ambient(void);
/// The effective capability set's low 64 bits (capget); -1 on error.
long long scopescan_effective_capabilities(void);
#endif

/// mallopt(M_MMAP_THRESHOLD, bytes) where the C library is glibc (1 on success, 0 on failure), 0
/// elsewhere. Setting it also stops glibc from moving the threshold by itself.
int scopescan_set_mmap_threshold(int bytes);

/// rename(2) that never replaces: fails with EEXIST when `to` exists (renameat2 RENAME_NOREPLACE
/// on Linux; where the kernel or file system lacks it, link+unlink for a file). 0 or -1 and errno.
int scopescan_rename_noreplace(const char *from, const char *to);

#endif
