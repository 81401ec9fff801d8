"""Certificates (结业证书) of campaigns and training classes: issued, verified, revoked."""
