//! The SVG scope and reachability graph: well-formed XML, every workload drawn, the CDE
//! highlighted, deterministic.

use std::path::{Path, PathBuf};
use std::process::Command;

use cdeguard_collect::Target;
use cdeguard_netpol::engine::Options;
use cdeguard_netpol::scope::classify;
use cdeguard_netpol::{Analysis, load};

fn segmented() -> Vec<Target> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/netpol/segmented");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("example")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files.into_iter().map(Target::Path).collect()
}

/// Parses with Python's ElementTree and prints every `g` element's class and name.
fn parsed_nodes(svg: &str) -> Vec<(String, String)> {
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), svg).expect("write");
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E\nfor g in E.parse(sys.argv[1]).iter('{http://www.w3.org/2000/svg}g'):\n    print(g.get('class') + '\\t' + g.get('data-name'))",
        ])
        .arg(file.path())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "not well-formed XML: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(c, n)| (c.to_owned(), n.to_owned()))
        .collect()
}

#[test]
fn every_workload_is_a_node_and_the_cde_is_highlighted() {
    let cluster = load(&segmented());
    assert!(cluster.errors.is_empty(), "{:?}", cluster.errors);
    let analysis = Analysis::new(&cluster, Options::default());
    let scope = classify(&analysis);
    let svg = cdeguard_netpol::graph::svg(&analysis, &scope);
    assert_eq!(
        svg,
        cdeguard_netpol::graph::svg(&analysis, &scope),
        "deterministic"
    );
    let nodes = parsed_nodes(&svg);
    for workload in &cluster.workloads {
        let name = workload.display();
        let class = nodes
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(c, _)| c.as_str())
            .unwrap_or_else(|| panic!("{name} not drawn"));
        let cde = ["payments/", "vault/"].iter().any(|p| name.starts_with(p));
        assert_eq!(class == "node cde", cde, "{name}: {class}");
    }
    assert!(nodes.iter().any(|(c, _)| c == "node connected"));
    assert!(nodes.iter().any(|(c, _)| c == "node external"));
    // Arrows into the CDE are marked; storefront -> checkout is one of them.
    assert!(svg.contains("class=\"edge into-cde\" d=\"M"));
    assert!(svg.contains("<title>storefront/storefront[Deployment] =&gt; payments/checkout[Deployment] : {protocols:TCP,dst_ports:8443}</title>"));
}

#[test]
fn names_are_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("odd.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: \"a<b&c\", namespace: pay, labels: {pci.cdeguard.io/scope: cde}}\nspec: {containers: [{name: c, image: x}]}\n",
    )
    .expect("write");
    let cluster = load(&[Target::Path(path)]);
    let analysis = Analysis::new(&cluster, Options::default());
    let svg = cdeguard_netpol::graph::svg(&analysis, &classify(&analysis));
    let nodes = parsed_nodes(&svg);
    assert!(
        nodes.contains(&("node cde".to_owned(), "pay/a<b&c[Pod]".to_owned())),
        "{nodes:?}"
    );
}
