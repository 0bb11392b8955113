/* digest: see digest.h. */
#include "digest.h"
#include "textutil.h"
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int digest_file_sha256(const char *path, char hex[65], char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return failf(err, errlen, "%s: %s", path, strerror(errno));
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	for (size_t n; ok && (n = fread(buf, 1, sizeof buf, f)) > 0;)
		ok = EVP_DigestUpdate(ctx, buf, n) == 1;
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 32;
	EVP_MD_CTX_free(ctx);
	fclose(f);
	if (!ok)
		return failf(err, errlen, "%s: cannot compute its SHA-256", path);
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}
