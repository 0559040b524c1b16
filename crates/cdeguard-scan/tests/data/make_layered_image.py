"""Builds layered-secrets.tar: a `docker save` archive (docker 25+ layout, blobs under
blobs/sha256/) whose layers add secrets and card data, then delete, hide or overwrite
them, and whose config holds secrets in ENV, labels, Cmd and history (a build arg).
Every value is made up for the tests. Deterministic: re-running produces the same
bytes. Run from this folder: python3 make_layered_image.py"""
import gzip
import hashlib
import io
import json
import tarfile

# A made-up, unencrypted RSA key body (not a real key: the tests only need the PEM shape).
KEY = (b"-----BEGIN RSA PRIVATE KEY-----\n"
       + b"MIIEowIBAAKCAQEAzq8L3vN5pQ2rT7xW9yB4cF6hJ1kM3nP5sU8vX0zA2dG4jL7o\n" * 6
       + b"-----END RSA PRIVATE KEY-----\n")
STRIPE = b"stripe_key = sk_live_51LayerTestValue0123456789abcd\n"


def tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data, mode in members:
            info = tarfile.TarInfo(name)
            info.mode, info.mtime, info.size = mode, 0, len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


layers = [
    # 1: a private key, a card file, an .env and a config file.
    tar_bytes([
        ("etc/os-release", b'ID=debian\nVERSION_ID="12"\n', 0o644),
        ("root/.ssh/id_rsa", KEY, 0o600),
        ("data/cards.csv", b"id,card\n1,4539 1488 0343 6467\n", 0o644),
        ("app/.env", b"GITHUB_TOKEN=ghp_L4y3rT0k3nAbCdEfGhIjKlMnOpQrStUvWx12\n", 0o644),
        ("etc/app.conf", STRIPE, 0o644),
    ]),
    # 2: the key deleted (whiteout), the card file overwritten.
    tar_bytes([
        ("root/.ssh/.wh.id_rsa", b"", 0o644),
        ("data/cards.csv", b"id,card\n1,tokenised\n", 0o644),
    ]),
    # 3: /app made opaque (hides the .env), the config rewritten with the same secret.
    tar_bytes([
        ("app/.wh..wh..opq", b"", 0o644),
        ("app/main.py", b"print('hello')\n", 0o644),
        ("etc/app.conf", b"# managed\n" + STRIPE, 0o644),
    ]),
]
# Layer 2 is gzip-compressed, as registries store layers.
blobs = [layers[0], gzip.compress(layers[1], mtime=0), layers[2]]
diff_ids = ["sha256:" + hashlib.sha256(layer).hexdigest() for layer in layers]
config = json.dumps({
    "architecture": "amd64", "os": "linux", "created": "2099-01-01T00:00:00Z",
    "config": {
        "User": "app",
        "Env": ["PATH=/usr/bin", "DB_PASSWORD=Qz7-layer-vault-2099"],
        "Labels": {"ci.token": "ghp_C0nf1gL4b3lAbCdEfGhIjKlMnOpQrStUv345"},
        "Cmd": ["app", "--api-key", "sk_live_51ConfigCmdValue0123456789abcd"],
    },
    "history": [
        {"created_by": "ADD rootfs /"},
        {"created_by": "/bin/sh -c #(nop) ENV DB_PASSWORD=Qz7-layer-vault-2099", "empty_layer": True},
        {"created_by": "|1 NPM_TOKEN=npm_B0u1ldArgAbCdEfGhIjKlMnOpQrStUvWx567 /bin/sh -c rm /root/.ssh/id_rsa"},
        {"created_by": "/bin/sh -c echo cleanup"},
    ],
    "rootfs": {"type": "layers", "diff_ids": diff_ids},
}, sort_keys=True).encode()
config_name = "blobs/sha256/" + hashlib.sha256(config).hexdigest()
layer_names = ["blobs/sha256/" + hashlib.sha256(b).hexdigest() for b in blobs]
manifest = json.dumps([{"Config": config_name, "RepoTags": ["layered-secrets:1"], "Layers": layer_names}]).encode()
with open("layered-secrets.tar", "wb") as f:
    f.write(tar_bytes([("manifest.json", manifest, 0o644), (config_name, config, 0o644)]
                      + [(n, b, 0o644) for n, b in zip(layer_names, blobs)]))
