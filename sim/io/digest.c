/* digest: see digest.h. */
#include "digest.h"
#include "textutil.h"
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int digest_fd_sha256(int fd, const char *name, char hex[65], char *err, size_t errlen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	off_t at = 0;
	ssize_t n = 0;
	while (ok && ((n = pread(fd, buf, sizeof buf, at)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0) {
			ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
			at += n;
		}
	ok = ok && n == 0 && EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return failf(err, errlen, "%s: cannot compute its SHA-256%s%s", name, n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int digest_file_sha256(const char *path, char hex[65], char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return failf(err, errlen, "%s: %s", path, strerror(errno));
	int rc = digest_fd_sha256(fd, path, hex, err, errlen);
	close(fd);
	return rc;
}
