import { FileExistsError, FileNotFoundError, OSError, PermissionError } from '@mpts/proxy/wire';

/**
 * The C library's errno number and message for the errors a shared-memory name can meet, as
 * CPython prints them (glibc's words): Python reports a failed `shm_open`/`shm_unlink` as an
 * OSError subclass carrying both.
 */
const strerrors: Record<string, [number, string]> = {
  ENOENT: [2, 'No such file or directory'],
  EEXIST: [17, 'File exists'],
  EACCES: [13, 'Permission denied'],
  EPERM: [1, 'Operation not permitted'],
  EINVAL: [22, 'Invalid argument'],
  ENAMETOOLONG: [36, 'File name too long'],
  ENOSPC: [28, 'No space left on device'],
  ENOMEM: [12, 'Cannot allocate memory'],
  EMFILE: [24, 'Too many open files'],
  ENFILE: [23, 'Too many open files in system'],
  ELOOP: [40, 'Too many levels of symbolic links'],
};

/** Python's OSError subclass for a failed system call on the block named `posixName`. */
export function osError(error: unknown, posixName: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const known = code === undefined ? undefined : strerrors[code];
  if (known === undefined) return error as Error;
  const Kind = code === 'EEXIST' ? FileExistsError
    : code === 'ENOENT' ? FileNotFoundError
      : code === 'EACCES' || code === 'EPERM' ? PermissionError
        : OSError;
  return new Kind(known[0], known[1], posixName, { cause: error });
}
