#!/usr/bin/env python3
"""Builds and checks OCI image archives without a container engine (scripts/build-images.sh).

An image here is two gzip layers: the shared base (a Debian bookworm root file system made of
pinned .deb packages, with an unprivileged user) and one application layer. The archive holds an
OCI image layout (oci-layout, index.json, blobs/sha256/...) and, for `docker load`, the Docker
`manifest.json` that points into the same blobs, so one file loads with `docker load`,
`podman load`, `ctr images import`, `kind load image-archive` and `skopeo copy oci-archive:`.
Everything is deterministic: sorted entries, fixed mtimes and owners, gzip without a timestamp,
so the same inputs give the same digests (OCI image spec v1.1: image-layout, manifest, config).

  oci.py base   --debs DIR --out DIR                  root file system layer from .deb files
  oci.py image  --base DIR --out FILE --name N --tag T --entrypoint JSON
                [--add SRC:DEST]... [--label K=V]...   one image archive
  oci.py verify FILE --name N --tag T --entrypoint JSON [--unpack DIR [--base-diff-id D]]
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

UID = 10001
USER = "teeledger"
JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"
EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
BUSYBOX_TOOLS = ["sh", "cp", "mv", "rm", "ls", "cat", "chmod", "mkdir", "test", "sleep", "sed", "grep", "wget"]
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


class BuildError(Exception):
    """A problem with the inputs or an archive; printed without a traceback."""


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def relpath(name):
    """'./usr/bin/x' or '/usr/bin/x' -> 'usr/bin/x' (tar entry names of a layer)."""
    return os.path.normpath("/" + name).lstrip("/") or "."


def normalize(info):
    info.mtime = EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.pax_headers = {}
    return info


def write_tar(members):
    """members: dict path -> (TarInfo, bytes or None); returns an uncompressed tar, sorted."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(members):
            info, data = members[path]
            info.name = path
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def gzip_bytes(data, level=6):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=level) as gz:
        gz.write(data)
    return buf.getvalue()


def entry(path, kind, mode, data=None, link=None, uid=0):
    info = normalize(tarfile.TarInfo(path))
    info.type = kind
    info.mode = mode
    info.uid = info.gid = uid
    if uid:
        info.uname = info.gname = USER
    if data is not None:
        info.size = len(data)
    if link is not None:
        info.linkname = link
    return info, data


def base_layer(debs_dir, out_dir):
    """Unpacks every .deb of debs_dir (no maintainer scripts run: the files they would create
    are written here) into one layer."""
    members = {}
    debs = sorted(f for f in os.listdir(debs_dir) if f.endswith(".deb"))
    if not debs:
        raise BuildError(f"no .deb files in {debs_dir}")
    for deb in debs:
        fs = subprocess.run(["dpkg-deb", "--fsys-tarfile", os.path.join(debs_dir, deb)],
                            check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(fs)) as tar:
            for info in tar:
                path = relpath(info.name)
                if info.islnk():
                    info.linkname = relpath(info.linkname)
                if path == "." or path.startswith("usr/share/man/"):
                    continue
                data = tar.extractfile(info).read() if info.isreg() else None
                members[path] = (normalize(info), data)
    passwd = f"root:x:0:0:root:/root:/usr/sbin/nologin\n{USER}:x:{UID}:{UID}:TEE Ledger:/home/{USER}:/usr/sbin/nologin\n"
    group = f"root:x:0:\n{USER}:x:{UID}:\n"
    extras = [
        entry("etc/passwd", tarfile.REGTYPE, 0o644, passwd.encode()),
        entry("etc/group", tarfile.REGTYPE, 0o644, group.encode()),
        entry("etc/nsswitch.conf", tarfile.REGTYPE, 0o644, b"passwd: files\ngroup: files\nhosts: files dns\n"),
        # update-alternatives would create this link in the package's postinst.
        entry("usr/bin/java", tarfile.SYMTYPE, 0o777, link=f"{JAVA_HOME}/bin/java"),
        entry("tmp", tarfile.DIRTYPE, 0o1777),
        entry(f"home/{USER}", tarfile.DIRTYPE, 0o750, uid=UID),
    ]
    # busybox provides the few tools the chart's init containers use (sh, cp, chmod, ...);
    # its postinst would create these links with --install.
    if "bin/busybox" in members:
        for tool in BUSYBOX_TOOLS:
            extras.append(entry(f"bin/{tool}", tarfile.SYMTYPE, 0o777, link="/bin/busybox"))
    for info, data in extras:
        members[info.name] = (info, data)
    if f"{JAVA_HOME}/bin/java".lstrip("/") not in members:
        raise BuildError("the .deb files hold no java binary (openjdk-17-jre-headless missing?)")
    raw = write_tar(members)
    gz = gzip_bytes(raw)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "layer.tar.gz.tmp"), "wb") as f:
        f.write(gz)
    meta = {"diff_id": "sha256:" + sha256(raw), "packages": [d[:-4] for d in debs]}
    with open(os.path.join(out_dir, "layer.json"), "w") as f:
        json.dump(meta, f, indent=1)
    os.replace(os.path.join(out_dir, "layer.tar.gz.tmp"), os.path.join(out_dir, "layer.tar.gz"))
    print(f"base layer: {len(members)} entries, {len(raw) >> 20} MiB, {len(gz) >> 20} MiB gzip")


def app_layer(adds):
    """adds: list of (source path, destination path in the image). Directories are copied
    recursively; files keep only their executable bit."""
    members = {}

    def add_dirs(path):
        parts = path.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            members.setdefault(d, entry(d, tarfile.DIRTYPE, 0o755))

    def add_file(src, dest):
        if dest in members:
            raise BuildError(f"two sources for {dest} (e.g. two jars with the same file name)")
        with open(src, "rb") as f:
            data = f.read()
        mode = 0o755 if os.access(src, os.X_OK) else 0o644
        add_dirs(dest)
        members[dest] = entry(dest, tarfile.REGTYPE, mode, data)

    for src, dest in adds:
        dest = dest.strip("/")
        if os.path.isdir(src):
            for root, dirs, files in os.walk(src):
                dirs.sort()
                rel = os.path.relpath(root, src)
                base = dest if rel == "." else f"{dest}/{rel}"
                add_dirs(base + "/x")
                for name in sorted(files):
                    add_file(os.path.join(root, name), f"{base}/{name}")
        elif os.path.isfile(src):
            add_file(src, dest)
        else:
            raise BuildError(f"missing input {src} (run the Maven build first)")
    return write_tar(members)


def build_image(args):
    with open(os.path.join(args.base, "layer.json")) as f:
        base_meta = json.load(f)
    with open(os.path.join(args.base, "layer.tar.gz"), "rb") as f:
        base_gz = f.read()
    adds = []
    for a in args.add:
        src, _, dest = a.partition(":")
        adds.append((src, dest))
    for cp in args.classpath:
        # A Maven classpath file (target/classpath.txt) plus the module jar: all go to /app/lib.
        src, _, dest = cp.partition(":")
        with open(src) as f:
            jars = [j for j in f.read().strip().split(":") if j]
        adds += [(j, f"{dest}/{os.path.basename(j)}") for j in jars]
    raw = app_layer(adds)
    # Application layers are mostly jars (already deflated): level 1 costs a third of the
    # time of level 6 for about the same size.
    app_gz = gzip_bytes(raw, level=1)
    labels = {
        "org.opencontainers.image.title": args.name.split("/")[-1],
        "org.opencontainers.image.version": args.tag,
        "org.opencontainers.image.base.name": "debian:bookworm (teeledger base from pinned .deb files)",
        "dev.teeledger.base.packages": " ".join(base_meta["packages"]),
    }
    for l in args.label:
        k, _, v = l.partition("=")
        labels[k] = v
    created = "1970-01-01T00:00:00Z" if EPOCH == 0 else \
        __import__("datetime").datetime.fromtimestamp(EPOCH, __import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": created,
        "config": {
            "User": f"{UID}:{UID}",
            "Env": [f"PATH=/usr/local/bin:/usr/bin:/bin", f"JAVA_HOME={JAVA_HOME}", f"HOME=/home/{USER}"],
            "Entrypoint": json.loads(args.entrypoint),
            "WorkingDir": "/app",
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": [base_meta["diff_id"], "sha256:" + sha256(raw)]},
        "history": [{"created": created, "created_by": "scripts/images/oci.py base"},
                    {"created": created, "created_by": "scripts/images/oci.py image " + args.name}],
    }
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    blobs = {}

    def blob(data):
        d = sha256(data)
        blobs[d] = data
        return d

    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": "sha256:" + blob(config_bytes), "size": len(config_bytes)},
        "layers": [{"mediaType": OCI_LAYER, "digest": "sha256:" + blob(g), "size": len(g)} for g in (base_gz, app_gz)],
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    ref = f"{args.name}:{args.tag}"
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": "sha256:" + blob(manifest_bytes), "size": len(manifest_bytes),
            "annotations": {"org.opencontainers.image.ref.name": args.tag,
                            "io.containerd.image.name": f"docker.io/{ref}"},
        }],
    }
    docker = [{"Config": f"blobs/sha256/{sha256(config_bytes)}", "RepoTags": [ref],
               "Layers": [f"blobs/sha256/{l['digest'][7:]}" for l in manifest["layers"]]}]
    files = {
        "oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
        "index.json": json.dumps(index, sort_keys=True, indent=1).encode(),
        "manifest.json": json.dumps(docker, indent=1).encode(),
        "blobs": None, "blobs/sha256": None,
    }
    for d, data in blobs.items():
        files[f"blobs/sha256/{d}"] = data
    members = {p: entry(p, tarfile.DIRTYPE if data is None else tarfile.REGTYPE,
                        0o755 if data is None else 0o644, data) for p, data in files.items()}
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(write_tar(members))
    os.replace(tmp, args.out)
    print(f"{ref}: {args.out} ({os.path.getsize(args.out) >> 20} MiB, app layer {len(app_gz) >> 20} MiB, "
          f"manifest sha256:{sha256(manifest_bytes)[:12]})")


def verify(args):
    """Checks that the archive is a consistent OCI layout and Docker archive, that the image
    runs as a non-root user with the expected entrypoint, and optionally unpacks its root file
    system for a smoke test."""
    with tarfile.open(args.archive) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar if m.isreg()}

    def digest_blob(desc):
        data = files.get("blobs/sha256/" + desc["digest"][7:])
        if data is None or sha256(data) != desc["digest"][7:] or len(data) != desc["size"]:
            raise BuildError(f"{args.archive}: blob {desc['digest']} missing or corrupt")
        return data

    if json.loads(files["oci-layout"])["imageLayoutVersion"] != "1.0.0":
        raise BuildError("bad oci-layout")
    index = json.loads(files["index.json"])
    (mdesc,) = index["manifests"]
    if mdesc["annotations"]["org.opencontainers.image.ref.name"] != args.tag:
        raise BuildError(f"index names tag {mdesc['annotations']} not {args.tag}")
    manifest = json.loads(digest_blob(mdesc))
    config = json.loads(digest_blob(manifest["config"]))
    layers = [digest_blob(l) for l in manifest["layers"]]
    diff_ids = ["sha256:" + sha256(gzip.decompress(l)) for l in layers]
    if diff_ids != config["rootfs"]["diff_ids"]:
        raise BuildError("config diff_ids do not match the layers")
    (docker,) = json.loads(files["manifest.json"])
    if docker["RepoTags"] != [f"{args.name}:{args.tag}"] or docker["Config"] != "blobs/sha256/" + manifest["config"]["digest"][7:]:
        raise BuildError("manifest.json does not match the OCI index")
    user = config["config"].get("User", "")
    if user.split(":")[0] in ("", "0", "root"):
        raise BuildError(f"image runs as root (User={user!r})")
    if config["config"]["Entrypoint"] != json.loads(args.entrypoint):
        raise BuildError(f"entrypoint {config['config']['Entrypoint']} != {args.entrypoint}")
    if args.base_diff_id and diff_ids[0] != args.base_diff_id:
        raise BuildError(f"base layer {diff_ids[0]} is not the cached base {args.base_diff_id}")
    if args.unpack:
        # With --base-diff-id the caller has unpacked the (verified) base already.
        for layer in layers[1 if args.base_diff_id else 0:]:
            with tarfile.open(fileobj=io.BytesIO(layer)) as t:
                t.extractall(args.unpack, numeric_owner=True, filter="fully_trusted") \
                    if sys.version_info >= (3, 12) else t.extractall(args.unpack, numeric_owner=True)
    print(f"{args.name}:{args.tag}: OK (user {user}, entrypoint {config['config']['Entrypoint']}, {len(layers)} layers)")


def unpack_base(base_dir, dest):
    """Unpacks the cached base layer once; each image's smoke test starts from a hard-linked copy."""
    with tarfile.open(os.path.join(base_dir, "layer.tar.gz")) as t:
        t.extractall(dest, numeric_owner=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("base")
    b.add_argument("--debs", required=True)
    b.add_argument("--out", required=True)
    i = sub.add_parser("image")
    i.add_argument("--base", required=True)
    i.add_argument("--out", required=True)
    i.add_argument("--name", required=True)
    i.add_argument("--tag", required=True)
    i.add_argument("--entrypoint", required=True)
    i.add_argument("--add", action="append", default=[], help="SRC:DEST, file or directory")
    i.add_argument("--classpath", action="append", default=[], help="CLASSPATH_FILE:DEST_DIR")
    i.add_argument("--label", action="append", default=[])
    v = sub.add_parser("verify")
    v.add_argument("archive")
    v.add_argument("--name", required=True)
    v.add_argument("--tag", required=True)
    v.add_argument("--entrypoint", required=True)
    v.add_argument("--unpack")
    v.add_argument("--base-diff-id", help="the first layer must be this base, which --unpack skips")
    u = sub.add_parser("unpack-base")
    u.add_argument("--base", required=True)
    u.add_argument("--out", required=True)
    a = p.parse_args()
    try:
        {"base": lambda: base_layer(a.debs, a.out), "image": lambda: build_image(a), "verify": lambda: verify(a),
         "unpack-base": lambda: unpack_base(a.base, a.out)}[a.cmd]()
    except (BuildError, OSError, KeyError, ValueError, subprocess.CalledProcessError) as e:
        print(f"oci.py {a.cmd}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
