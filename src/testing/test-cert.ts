// The certificate and key startTestServer serves over TLS (Go's net/http/internal/testcert does the
// same for httptest.NewTLSServer): Node cannot mint certificates, so a fixed one ships in the
// package. TEST-ONLY KEY, PUBLIC ON PURPOSE: anyone can read it here, so nothing may ever trust
// it but a test's own client (srv.client trusts it; nothing in httpool trusts it globally).
//
// Self-signed, EC P-256, ECDSA-SHA256, CA:TRUE (so it is its own trust anchor), serverAuth,
// valid from 2026-01-01 to 2126-01-01 for IP:127.0.0.1, IP:::1, DNS:localhost and
// DNS:example.com. Made with openssl 3.0:
//   openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt > key.pem
//   openssl req -new -key key.pem -subj '/O=httpool test/CN=httpool test certificate' > req.csr
//   openssl ca -selfsign -keyfile key.pem -in req.csr -startdate 20260101000000Z -enddate 21260101000000Z \
//     -extensions ext (basicConstraints critical CA:TRUE; keyUsage critical digitalSignature,keyCertSign;
//     extendedKeyUsage serverAuth; subjectAltName IP:127.0.0.1,IP:::1,DNS:localhost,DNS:example.com)

/** PEM certificate of the test server (Go: testcert.LocalhostCert). Trust it only in tests. */
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIB/jCCAaSgAwIBAgIGSHRwb29sMAoGCCqGSM49BAMCMDoxFTATBgNVBAoMDGh0
dHBvb2wgdGVzdDEhMB8GA1UEAwwYaHR0cG9vbCB0ZXN0IGNlcnRpZmljYXRlMCAX
DTI2MDEwMTAwMDAwMFoYDzIxMjYwMTAxMDAwMDAwWjA6MRUwEwYDVQQKDAxodHRw
b29sIHRlc3QxITAfBgNVBAMMGGh0dHBvb2wgdGVzdCBjZXJ0aWZpY2F0ZTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABIvDOQD3mv5T4V9FEIwjxUZC3LFL8aiF3qDL
pQnJGozrowro+zBqzSAVDMjPWJ2K8080NRI2sn7h7Ygte74EcfSjgZMwgZAwDwYD
VR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAoQwEwYDVR0lBAwwCgYIKwYBBQUH
AwEwHQYDVR0OBBYEFA3nD1MVAfbhEGkyUKEn3pifJ5elMDkGA1UdEQQyMDCHBH8A
AAGHEAAAAAAAAAAAAAAAAAAAAAGCCWxvY2FsaG9zdIILZXhhbXBsZS5jb20wCgYI
KoZIzj0EAwIDSAAwRQIgKd2YJuxDaCkn04LfrDoLiLhX1e6OzLnoErTWik40yQwC
IQCpsovR6xAMnG1g8TnuWECC0vh2qe8jSHSI2GSdMczmqA==
-----END CERTIFICATE-----
`;

/** PEM PKCS#8 private key of TEST_CERT (Go: testcert.LocalhostKey). Public on purpose: test use only. */
export const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnKJZSdJ4AH3gU2MM
aaYnQQsUQvy+VS/wpgSGRRsWrZqhRANCAASLwzkA95r+U+FfRRCMI8VGQtyxS/Go
hd6gy6UJyRqM66MK6Pswas0gFQzIz1idivNPNDUSNrJ+4e2ILXu+BHH0
-----END PRIVATE KEY-----
`;
