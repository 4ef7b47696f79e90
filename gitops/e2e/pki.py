"""Throwaway TLS material for a local control plane (openssl; valid two days, never reused).

    pki = make_pki(tmp / "pki")
    pki.ca_cert, pki.server_cert, pki.admin_cert, pki.sa_key
    write_kubeconfig(tmp / "kubeconfig", "https://127.0.0.1:6443", pki)

These keys are TEST material, created per run in a temporary folder and removed with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitops.command import run

SERVICE_CIDR = "10.96.0.0/16"
KUBERNETES_SERVICE_IP = "10.96.0.1"  # first address of SERVICE_CIDR: only a name in the serving cert
EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]


@dataclass(frozen=True)
class Pki:
    dir: Path

    @property
    def ca_cert(self) -> Path:
        return self.dir / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.dir / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.dir / "apiserver.crt"

    @property
    def server_key(self) -> Path:
        return self.dir / "apiserver.key"

    @property
    def admin_cert(self) -> Path:
        return self.dir / "admin.crt"

    @property
    def admin_key(self) -> Path:
        return self.dir / "admin.key"

    @property
    def sa_key(self) -> Path:
        return self.dir / "sa.key"

    @property
    def sa_pub(self) -> Path:
        return self.dir / "sa.pub"


def openssl(*args: str | Path) -> None:
    run(["openssl", *args], what="openssl (e2e test certificates)")


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    pki = Pki(folder)
    openssl(
        "req", "-x509", *EC, "-keyout", pki.ca_key, "-out", pki.ca_cert, "-subj", "/CN=trigger-gitops-e2e-TEST-ca",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    names = "IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
    signed = ["-CA", pki.ca_cert, "-CAkey", pki.ca_key, "-addext", "basicConstraints=CA:FALSE"]
    openssl(
        "req", "-x509", *EC, *signed, "-keyout", pki.server_key, "-out", pki.server_cert, "-subj", "/CN=kube-apiserver",
        "-addext", f"subjectAltName={names},IP:{KUBERNETES_SERVICE_IP}", "-addext", "extendedKeyUsage=serverAuth",
    )  # fmt: skip
    openssl(
        "req", "-x509", *EC, *signed, "-keyout", pki.admin_key, "-out", pki.admin_cert,
        "-subj", "/O=system:masters/CN=e2e-admin", "-addext", "extendedKeyUsage=clientAuth",
    )  # fmt: skip
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pki.sa_key)
    openssl("pkey", "-in", pki.sa_key, "-pubout", "-out", pki.sa_pub)
    return pki


def write_kubeconfig(path: Path, server: str, pki: Pki) -> Path:
    """An admin kubeconfig (client certificate, group system:masters) for ``server``."""
    path.write_text(
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: e2e\n  cluster:\n    server: {server}\n    certificate-authority: {pki.ca_cert}\n"
        "users:\n"
        f"- name: e2e-admin\n  user:\n    client-certificate: {pki.admin_cert}\n    client-key: {pki.admin_key}\n"
        "contexts:\n"
        "- name: e2e\n  context:\n    cluster: e2e\n    user: e2e-admin\n"
        "current-context: e2e\n"
    )
    path.chmod(0o600)
    return path
