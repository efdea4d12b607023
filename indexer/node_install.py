"""Obtain, verify and unpack the Elasticsearch distribution, and find a Java to run it.

The ``integ-test-zip`` distribution comes from Maven Central through ``mvn dependency:copy``
with strict checksums, is checked as a zip (every entry's CRC) and for the files a node
needs, and is unpacked once under the cache directory. It ships no JDK: we pick one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import NodeError

log = logging.getLogger(__name__)

ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
INSTALLED_MARKER = ".vnopinion-verified"
MIN_JAVA = 17
JVM_ROOTS = (Path("/usr/lib/jvm"),)


@dataclass(frozen=True)
class JavaHome:
    path: Path
    major: int


def java_major_version(java_home: Path) -> int | None:
    """The major version of the JDK/JRE at ``java_home``, or None if it is not one."""
    java = java_home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java(configured: Path | None) -> JavaHome:
    """The configured Java home, else the oldest installed Java >= 17 (ES 8 is tested on 17)."""
    if configured is not None:
        major = java_major_version(configured)
        if major is None or major < MIN_JAVA:
            raise NodeError(
                f"VNOPINION_ES_JAVA_HOME={configured} is not a Java {MIN_JAVA}+ installation.",
                hint="point it at a JDK/JRE 17 or newer, or unset it to let vnopinion search.",
            )
        return JavaHome(configured, major)
    candidates: list[Path] = []
    java_on_path = shutil.which("java")
    if java_on_path:
        candidates.append(Path(java_on_path).resolve().parent.parent)
    for root in JVM_ROOTS:
        if root.is_dir():
            candidates.extend(sorted(p.resolve() for p in root.iterdir() if p.is_dir()))
    found: dict[Path, int] = {}
    for home in candidates:
        if home not in found and (major := java_major_version(home)) is not None:
            found[home] = major
    usable = sorted((major, str(home)) for home, major in found.items() if major >= MIN_JAVA)
    if not usable:
        raise NodeError(
            f"No Java {MIN_JAVA}+ found (Elasticsearch's zip ships without a JDK).",
            hint="install one (Debian: apt-get install openjdk-17-jre-headless) "
            "or set VNOPINION_ES_JAVA_HOME.",
        )
    major, home_text = usable[0]
    return JavaHome(Path(home_text), major)


def install_dir(cache_dir: Path, version: str) -> Path:
    return cache_dir / f"elasticsearch-{version}"


def ensure_installed(cache_dir: Path, version: str) -> Path:
    """Return the unpacked, verified distribution, downloading it first if needed."""
    home = install_dir(cache_dir, version)
    if (home / INSTALLED_MARKER).is_file():
        return home
    zip_path = download(cache_dir, version)
    digest = verify_zip(zip_path, version)
    unpack(zip_path, home, version)
    (home / INSTALLED_MARKER).write_text(f"sha256 {digest}  {zip_path.name}\n")
    log.info("Elasticsearch %s unpacked in %s", version, home)
    return home


def download(cache_dir: Path, version: str) -> Path:
    """Copy the zip from Maven Central (via the local Maven repository) into the cache."""
    downloads = cache_dir / "downloads"
    target = downloads / f"elasticsearch-{version}.zip"
    if target.is_file():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError(
            "Maven (mvn) is needed once to fetch Elasticsearch from Maven Central.",
            hint="install it (Debian: apt-get install maven), or put "
            f"elasticsearch-{version}.zip in {downloads}.",
        )
    downloads.mkdir(parents=True, exist_ok=True)
    artifact = ARTIFACT.format(version=version)
    log.info("Fetching %s with Maven (about 100 MB, once)", artifact)
    # -C: fail on a checksum mismatch instead of warning.
    cmd = [mvn, "-B", "-q", "-C", "dependency:copy", f"-Dartifact={artifact}",
           f"-DoutputDirectory={downloads}"]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not target.is_file():
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise NodeError(
            f"Maven could not fetch {artifact}.",
            hint="check that Maven Central is reachable and that the version exists "
            "(VNOPINION_ES_VERSION).",
            details=tail,
        )
    return target


def verify_zip(zip_path: Path, version: str) -> str:
    """Check every entry's CRC and the files a node needs; return the zip's sha256."""
    root = f"elasticsearch-{version}/"
    needed = {root + "bin/elasticsearch", root + f"lib/elasticsearch-{version}.jar"}
    try:
        with zipfile.ZipFile(zip_path) as archive:
            bad = archive.testzip()
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        zip_path.unlink(missing_ok=True)
        raise NodeError(f"{zip_path} is not a valid zip ({exc}); removed it.",
                        hint="run the command again to fetch it anew.") from exc  # fmt: skip
    missing = needed - names
    if bad is not None or missing:
        zip_path.unlink(missing_ok=True)
        reason = f"corrupt entry {bad}" if bad else f"missing {sorted(missing)}"
        raise NodeError(f"{zip_path} failed verification: {reason}; removed it.",
                        hint="run the command again to fetch it anew.")  # fmt: skip
    sha = hashlib.sha256()
    with zip_path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def unpack(zip_path: Path, home: Path, version: str) -> None:
    """Unpack atomically (a half-unpacked tree never looks installed), keeping exec bits."""
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".unpack-") as tmp:
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                extracted = Path(archive.extract(info, tmp))
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    extracted.chmod(mode)
        if home.exists():
            shutil.rmtree(home)
        (Path(tmp) / f"elasticsearch-{version}").rename(home)
    home.chmod(0o755)
