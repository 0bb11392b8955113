/* digest: the SHA-256 of a file (OpenSSL's libcrypto), as 64 hex digits, so
 * that a result records exactly which trace and platform it came from. */
#ifndef MNSIM_DIGEST_H
#define MNSIM_DIGEST_H
#include <stddef.h>

/* Writes the hex digest into hex (65 bytes); 0, or -1 with the reason. */
int digest_file_sha256(const char *path, char hex[65], char *err, size_t errlen);
/* The same for what an open, readable descriptor holds (read from its start
 * with pread; name is for messages): a FIFO's trace is read once, and its
 * copy is what gets hashed. */
int digest_fd_sha256(int fd, const char *name, char hex[65], char *err, size_t errlen);

#endif
