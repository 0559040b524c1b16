//! CIS Docker Benchmark v1.6.0 section 4 (images and Dockerfiles).

use cdeguard_model::Inventory;
use cdeguard_model::docker::Dockerfile;

use crate::Emitter;
pub(crate) use crate::emit::Problem;

crate::rule_modules! {
    no_user,
    no_healthcheck,
    update_alone,
    add_instead_of_copy,
    secret_env_arg,
    unpinned_base,
    curl_pipe_shell,
    expose_ssh,
    sudo,
}

/// Runs `problems` on every Dockerfile and reports what it finds.
fn report(inventory: &Inventory, out: &mut Emitter<'_>, problems: fn(&Dockerfile) -> Vec<Problem>) {
    for dockerfile in &inventory.dockerfiles {
        for p in problems(dockerfile) {
            let resource = out.dockerfile_resource(dockerfile, p.line);
            out.problem(resource, p);
        }
    }
}

/// `KEY=value` pairs of an ENV/ARG instruction (also the legacy `ENV KEY value` form);
/// quotes removed.
fn assignments(args: &str) -> Vec<(String, String)> {
    let unquote = |s: &str| s.trim().trim_matches('"').trim_matches('\'').to_owned();
    if !args.contains('=') {
        let (key, value) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        return vec![(key.to_owned(), unquote(value))];
    }
    args.split_whitespace()
        .filter_map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.to_owned(), unquote(v)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn env_and_arg_assignments() {
        assert_eq!(
            super::assignments("A=1 B=\"two\""),
            vec![("A".into(), "1".into()), ("B".into(), "two".into())]
        );
        assert_eq!(
            super::assignments("TOKEN abc"),
            vec![("TOKEN".into(), "abc".into())]
        );
        assert_eq!(
            super::assignments("VERSION"),
            vec![("VERSION".into(), String::new())]
        );
    }
}
