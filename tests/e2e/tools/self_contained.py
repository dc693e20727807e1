#!/usr/bin/env python3
"""Wraps a raw RSA-OAEP ciphertext file in WSO2's self-contained form, as CryptoUtil writes it
with Gson: base64 of {"c","t","tp","tpd"}, '=' escaped as \\u003d, thumbprint upper-case hex
SHA-1 of the certificate. Usage: self_contained.py RAWFILE CERT.pem"""
import base64
import subprocess
import sys

raw = open(sys.argv[1], 'rb').read()
fp = subprocess.run(['openssl', 'x509', '-in', sys.argv[2], '-noout', '-fingerprint', '-sha1'],
                    capture_output=True, text=True, check=True).stdout
tp = fp.split('=', 1)[1].strip().replace(':', '')
c = base64.b64encode(raw).decode().replace('=', '\\u003d')
j = '{"c":"%s","t":"RSA/ECB/OAEPwithSHA1andMGF1Padding","tp":"%s","tpd":"SHA-1"}' % (c, tp)
print(base64.b64encode(j.encode()).decode())
