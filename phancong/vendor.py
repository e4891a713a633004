"""Third-party browser scripts, fetched from the npm registry at setup and checked against their pinned integrity.

The web app serves htmx itself (no CDN); the browser tests inject axe-core. Neither is kept in the repository:
``make`` (and the image's build) fetches each pinned tarball once, refuses it unless its SHA-512 is the one pinned
here, and keeps only the one file that is served.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # the registry's dist.integrity: sha512-<base64>
    member: str  # the file kept, inside the tarball
    target: Path  # where it is kept

    @property
    def url(self) -> str:
        return f"{REGISTRY}/{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


PACKAGES = {
    "htmx": Package(
        "htmx.org",
        "2.0.11",
        "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        "package/dist/htmx.min.js",
        ROOT / "web" / "static" / "vendor" / "htmx.min.js",
    ),
    "axe": Package(
        "axe-core",
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        "package/axe.min.js",
        ROOT / ".venv" / "share" / "phancong" / "axe.min.js",
    ),
}


class VendorError(Exception):
    pass


def unpack(package: Package, tarball: bytes) -> bytes:
    """The kept file of ``tarball``, once its digest is the pinned one."""
    algorithm, _, expected = package.integrity.partition("-")
    if base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode() != expected:
        raise VendorError(f"{package.name}@{package.version}: the tarball's {algorithm} is not the pinned one")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(package.member)
        if member is None:
            raise VendorError(f"{package.name}@{package.version} holds no {package.member}")
        return member.read()


def ensure(key: str) -> Path:
    """The package's file, fetched unless already there."""
    package = PACKAGES[key]
    if package.target.is_file():
        return package.target
    try:
        with urllib.request.urlopen(package.url, timeout=60) as answer:  # noqa: S310 (a fixed https address)
            tarball = answer.read()
    except OSError as failure:
        raise VendorError(f"cannot fetch {package.url}: {failure}") from None
    content = unpack(package, tarball)
    package.target.parent.mkdir(parents=True, exist_ok=True)
    partial = package.target.with_suffix(".partial")
    partial.write_bytes(content)
    partial.replace(package.target)
    return package.target


def main(keys: list[str]) -> int:
    for key in keys or list(PACKAGES):
        try:
            path = ensure(key)
        except VendorError as failure:
            print(f"error[vendor] {failure}", file=sys.stderr)
            return 1
        print(f"{key}: {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
