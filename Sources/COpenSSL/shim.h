#ifndef SCOPESCAN_COPENSSL_SHIM_H
#define SCOPESCAN_COPENSSL_SHIM_H
// libcrypto's EVP digest interface only (SHA-256 of the input for the report and evidence).
#include <openssl/evp.h>
#endif
