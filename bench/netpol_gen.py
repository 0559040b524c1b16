#!/usr/bin/env python3
"""Generates a synthetic cluster for the NetworkPolicy benchmark (bench/netpol.sh).

Writes OUT/namespaces.yaml, OUT/pods.yaml and OUT/policies.yaml: N namespaces (labels
`team`, `env`), P pods spread over them as replicas of apps (labels `app`, `tier`,
`version`, named container ports `http`/`metrics`/`dns`), and K NetworkPolicies: a
default-deny per namespace (while the budget lasts), then allow rules mixing every
feature (podSelector, namespaceSelector, both ANDed, matchExpressions In/NotIn/Exists,
ipBlock with except, numeric/named ports, endPort ranges, UDP, egress rules; named
ports in ingress rules only, see below).
Deterministic for a given --seed.

    python3 bench/netpol_gen.py --pods 5000 --namespaces 200 --policies 1000 --out DIR
    ... --mesh --flows 20000 --flows-file FILE   # also Istio objects and observed flows
"""

import argparse
import os
import random


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=5000)
    ap.add_argument("--namespaces", type=int, default=200)
    ap.add_argument("--policies", type=int, default=1000)
    ap.add_argument("--replicas", type=int, default=5, help="pods per app (same labels)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--default-deny",
        type=int,
        default=None,
        help="namespaces with a default-deny policy (default: min(namespaces, policies/5)); 0 = dense matrix",
    )
    ap.add_argument("--out", required=True)
    ap.add_argument(
        "--avoid-nca-bugs",
        action="store_true",
        help="leave out constructs network-config-analyzer 1.9.2 evaluates wrongly (see netpol.sh)",
    )
    ap.add_argument(
        "--mesh",
        action="store_true",
        help="also write OUT/mesh.yaml (Istio: sidecars everywhere, one Service per app, STRICT "
        "mesh-wide with PERMISSIVE exceptions, DestinationRules, ALLOW/DENY AuthorizationPolicies)",
    )
    ap.add_argument(
        "--flows",
        type=int,
        default=0,
        help="also write N observed flows (cdeguard NDJSON, a third with HTTP requests, some "
        "from external addresses) to --flows-file, for `cdeguard netpol generate`",
    )
    ap.add_argument("--flows-file", help="where --flows go (outside OUT: OUT is read as manifests)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    teams = ["payments", "web", "data", "ops", "search", "ml"]
    envs = ["prod", "staging", "dev"]
    namespaces = []
    with open(os.path.join(args.out, "namespaces.yaml"), "w") as f:
        for i in range(args.namespaces):
            name = f"ns{i:03d}"
            team, env = rnd.choice(teams), rnd.choice(envs)
            namespaces.append((name, team, env))
            # Production payments namespaces are the CDE (for `cdeguard netpol test`).
            scope = ", pci.cdeguard.io/scope: cde" if (team, env) == ("payments", "prod") else ""
            if args.mesh:
                scope += ", istio-injection: enabled"
            f.write(
                f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
                f"  labels: {{team: {team}, env: {env}, kubernetes.io/metadata.name: {name}{scope}}}\n"
            )

    tiers = ["frontend", "backend", "db", "cache", "worker"]
    apps = []  # (namespace, app, tier, version, http port)
    with open(os.path.join(args.out, "pods.yaml"), "w") as f:
        for p in range(args.pods):
            app_index = p // args.replicas
            if app_index >= len(apps):
                ns = namespaces[app_index % len(namespaces)][0]
                http = rnd.choice([8080, 8443, 9000])
                apps.append((ns, f"app{app_index}", rnd.choice(tiers), rnd.choice(["v1", "v2"]), http))
            ns, app, tier, version, http = apps[app_index]
            f.write(
                f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {app}-{p % args.replicas}\n"
                f"  namespace: {ns}\n  labels: {{app: {app}, tier: {tier}, version: {version}}}\n"
                "spec:\n  containers:\n  - name: main\n    image: registry.example/app:1\n"
                f"    ports:\n    - {{name: http, containerPort: {http}}}\n"
                "    - {name: metrics, containerPort: 9090}\n"
                "    - {name: dns, containerPort: 53, protocol: UDP}\n"
            )

    if args.flows:
        # Own random stream: the manifests are the same with or without flows.
        write_flows(args.flows_file, random.Random(args.seed + 1), apps, args.replicas, args.flows)

    def peer() -> str:
        kind = rnd.randrange(7)
        ns, app, tier, _, _ = rnd.choice(apps)
        team, env = rnd.choice(teams), rnd.choice(envs)
        if kind == 0:
            return f"    - podSelector: {{matchLabels: {{app: {app}}}}}\n"
        if kind == 1:
            return f"    - namespaceSelector: {{matchLabels: {{team: {team}}}}}\n"
        if kind == 2:
            return (
                f"    - namespaceSelector: {{matchLabels: {{env: {env}}}}}\n"
                f"      podSelector: {{matchLabels: {{tier: {tier}}}}}\n"
            )
        if kind == 3:
            if args.avoid_nca_bugs:
                # NCA 1.9.2 drops peers that AND a namespaceSelector's matchExpressions
                # with a podSelector's `Exists`, or with `In` of several values
                # (bench/netpol-nca-bug/): the same features, in combinations it gets right.
                return (
                    f"    - namespaceSelector: {{matchLabels: {{team: {team}}}}}\n"
                    "      podSelector: {matchExpressions: [{key: version, operator: NotIn, values: [v2]}]}\n"
                    f"    - podSelector: {{matchExpressions: [{{key: tier, operator: Exists}}, {{key: app, operator: In, values: [{app}, {rnd.choice(apps)[1]}]}}]}}\n"
                )
            return (
                "    - namespaceSelector: {matchExpressions: [{key: team, operator: In, values: ["
                f"{team}, {rnd.choice(teams)}]}}]}}\n"
                "      podSelector: {matchExpressions: [{key: version, operator: NotIn, values: [v2]},"
                " {key: tier, operator: Exists}]}\n"
            )
        if kind == 4:
            a, b = rnd.randrange(1, 223), rnd.randrange(0, 256)
            return f"    - ipBlock: {{cidr: {a}.0.0.0/8, except: [{a}.{b}.0.0/16]}}\n"
        if kind == 5:
            return f"    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: {ns}}}}}\n"
        return f"    - podSelector: {{matchLabels: {{tier: {tier}}}}}\n"

    def ports(named: bool) -> str:
        kind = rnd.randrange(5)
        if kind == 0:
            return ""
        if kind == 1 and named:
            return "    ports: [{port: http}]\n"
        if kind == 2:
            return f"    ports: [{{port: {rnd.choice([80, 443, 5432, 6379])}}}]\n"
        if kind == 3:
            start = rnd.choice([8000, 9000, 30000])
            extra = ", {port: metrics}" if named else ""
            return f"    ports: [{{port: {start}, endPort: {start + rnd.randrange(1, 500)}}}{extra}]\n"
        return "    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n"

    with open(os.path.join(args.out, "policies.yaml"), "w") as f:
        for k in range(args.policies):
            denied = args.default_deny if args.default_deny is not None else min(args.namespaces, args.policies // 5)
            if k < min(denied, args.namespaces):
                ns = namespaces[k][0]
                f.write(
                    f"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
                    f"  name: default-deny\n  namespace: {ns}\n"
                    "spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
                )
                continue
            ns, app, tier, _, _ = rnd.choice(apps)
            selector = (
                f"{{matchLabels: {{app: {app}}}}}" if rnd.random() < 0.7 else f"{{matchLabels: {{tier: {tier}}}}}"
            )
            direction = "egress" if rnd.random() < 0.3 else "ingress"
            key = "to" if direction == "egress" else "from"
            rules = ""
            for _ in range(rnd.randrange(1, 4)):
                peers = "".join(peer() for _ in range(rnd.randrange(1, 3)))
                # network-config-analyzer 1.9.2 crashes on a named port in an egress rule
                # with an ipBlock peer ('IpBlock' object has no attribute 'named_ports'),
                # so egress rules use numeric ports only.
                rules += f"  - {key}:\n{peers}{ports(direction == 'ingress')}"
            f.write(
                f"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
                f"  name: allow-{k}\n  namespace: {ns}\n"
                f"spec:\n  podSelector: {selector}\n  policyTypes: [{direction.capitalize()}]\n"
                f"  {direction}:\n{rules}"
            )

    if args.mesh:
        write_mesh(args.out, rnd, namespaces, apps)


def write_flows(path: str, rnd: random.Random, apps, replicas: int, count: int) -> None:
    """Observed traffic: app to app on the destination's http port (a third with an HTTP
    request), metrics scrapes, and clients outside the cluster."""
    def pod(app_entry) -> str:
        ns, app, *_ = app_entry
        return f'{{"namespace": "{ns}", "pod": "{app}-{rnd.randrange(replicas)}"}}'

    with open(path, "w") as f:
        for _ in range(count):
            dst = rnd.choice(apps)
            kind = rnd.randrange(6)
            if kind == 0:
                src = f'{{"ip": "203.0.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"}}'
            else:
                src = pod(rnd.choice(apps))
            port = 9090 if kind == 1 else dst[4]
            http = ""
            if kind in (2, 3):
                method = rnd.choice(["GET", "POST"])
                http = f', "http": {{"method": "{method}", "path": "/api/v{rnd.randrange(3)}/{rnd.choice(["orders", "cards", "users"])}"}}'
            f.write(f'{{"src": {src}, "dst": {pod(dst)}, "port": {port}{http}}}\n')


def write_mesh(out: str, rnd: random.Random, namespaces, apps) -> None:
    """Istio configuration for the same cluster: the mesh layer's cost in the bench."""
    with open(os.path.join(out, "mesh.yaml"), "w") as f:
        f.write(
            "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\n"
            "metadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n"
        )
        for ns, app, _, _, http in apps:
            f.write(
                f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {app}, namespace: {ns}}}\n"
                f"spec: {{selector: {{app: {app}}}, ports: [{{port: 80, targetPort: {http}}}, {{port: 9090}}]}}\n"
            )
        names = [n for n, _, _ in namespaces]
        for ns, team, env in namespaces:
            if rnd.random() < 0.2:
                f.write(
                    f"---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\n"
                    f"metadata: {{name: permissive, namespace: {ns}}}\nspec: {{mtls: {{mode: PERMISSIVE}}}}\n"
                )
            if rnd.random() < 0.2:
                f.write(
                    f"---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                    f"metadata: {{name: plaintext, namespace: {ns}}}\n"
                    f"spec: {{host: '*.{rnd.choice(names)}.svc.cluster.local', trafficPolicy: {{tls: {{mode: DISABLE}}}}}}\n"
                )
            if (team, env) == ("payments", "prod") or rnd.random() < 0.5:
                f.write(
                    f"---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n"
                    f"metadata: {{name: allow-nothing, namespace: {ns}}}\nspec: {{}}\n"
                )
                sources = ", ".join(f"cluster.local/ns/{rnd.choice(names)}/sa/default" for _ in range(3))
                f.write(
                    f"---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n"
                    f"metadata: {{name: allow-callers, namespace: {ns}}}\nspec:\n  rules:\n"
                    f"  - from: [{{source: {{principals: [{sources}]}}}}, {{source: {{namespaces: [{rnd.choice(names)}]}}}}]\n"
                    f"    to: [{{operation: {{ports: ['{rnd.choice([8080, 8443, 9000])}'], methods: [GET, POST]}}}}]\n"
                )
            if rnd.random() < 0.3:
                f.write(
                    f"---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n"
                    f"metadata: {{name: deny-dev, namespace: {ns}}}\nspec:\n  action: DENY\n  rules:\n"
                    f"  - from: [{{source: {{notNamespaces: [{ns}]}}}}]\n    to: [{{operation: {{ports: ['9090']}}}}]\n"
                )


if __name__ == "__main__":
    main()
