//! Dockerfiles: instructions with their line, continuation lines joined (honouring the
//! `# escape=` parser directive), comments dropped (also between continuation lines),
//! heredocs (`RUN <<EOF … EOF`) folded into the instruction, build stages numbered.

use cdeguard_model::docker::{Dockerfile, Instruction};
use cdeguard_model::{InputError, Location};

/// Instructions a Dockerfile may contain (anything else is reported).
const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Whether text starts like a Dockerfile (for files named explicitly but not `Dockerfile`).
#[must_use]
pub fn looks_like_dockerfile(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| {
            !l.is_empty() && (!l.starts_with('#') || l.to_ascii_lowercase().starts_with("# syntax"))
        })
        .is_some_and(|l| {
            let word = l
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            word == "FROM" || word == "ARG" || l.to_ascii_lowercase().starts_with("# syntax")
        })
}

/// Parses a Dockerfile; unknown instructions become errors with their line.
#[must_use]
pub fn parse(text: &str, loc: Location, path: &str) -> (Dockerfile, Vec<InputError>) {
    let mut escape = '\\';
    let mut errors = Vec::new();
    let mut instructions = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    // Parser directives: leading `# key=value` comments before anything else.
    for line in &lines {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = directive.split_once('=') else {
            break;
        };
        if key.trim().eq_ignore_ascii_case("escape") {
            escape = value.trim().chars().next().unwrap_or('\\');
        }
    }
    let mut stage = 0usize;
    let mut seen_from = false;
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let first = lines[i].trim_start();
        i += 1;
        if first.is_empty() || first.starts_with('#') {
            continue;
        }
        let mut logical = String::new();
        let mut current = first.trim_end();
        loop {
            match current.strip_suffix(escape) {
                Some(body) => {
                    logical.push_str(body);
                    logical.push(' ');
                    // Skip comment and empty lines inside a continuation.
                    while i < lines.len()
                        && (lines[i].trim_start().starts_with('#') || lines[i].trim().is_empty())
                    {
                        i += 1;
                    }
                    if i >= lines.len() {
                        break;
                    }
                    current = lines[i].trim();
                    i += 1;
                }
                None => {
                    logical.push_str(current);
                    break;
                }
            }
        }
        let (keyword, args) = logical
            .split_once(char::is_whitespace)
            .unwrap_or((logical.as_str(), ""));
        let keyword = keyword.to_ascii_uppercase();
        let mut args = args.trim().to_owned();
        // Heredocs: `<<EOF` / `<<-EOF` / `<<"EOF"` take the following lines up to the marker.
        for marker in heredoc_markers(&args) {
            let mut body = Vec::new();
            while i < lines.len() {
                let line = lines[i];
                i += 1;
                if line.trim() == marker {
                    break;
                }
                body.push(line);
            }
            args.push('\n');
            args.push_str(&body.join("\n"));
        }
        if !KEYWORDS.contains(&keyword.as_str()) {
            errors.push(InputError {
                path: path.to_owned(),
                line: u32::try_from(start + 1).ok(),
                message: format!("unknown Dockerfile instruction `{keyword}`"),
            });
            continue;
        }
        if keyword == "FROM" {
            if seen_from {
                stage += 1;
            }
            seen_from = true;
        }
        instructions.push(Instruction {
            keyword,
            args,
            line: u32::try_from(start + 1).unwrap_or(u32::MAX),
            stage,
        });
    }
    (Dockerfile { instructions, loc }, errors)
}

fn heredoc_markers(args: &str) -> Vec<String> {
    let mut markers = Vec::new();
    let mut rest = args;
    while let Some(pos) = rest.find("<<") {
        let after = rest[pos + 2..].trim_start_matches('-');
        let word: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '"' | '\''))
            .collect();
        let marker = word.trim_matches(|c| c == '"' || c == '\'').to_owned();
        if !marker.is_empty()
            && marker
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
        {
            markers.push(marker);
        }
        rest = &rest[pos + 2..];
    }
    markers
}

#[cfg(test)]
mod tests {
    use super::*;
    use cdeguard_model::SourceId;

    /// (keyword, args, line, stage) of each instruction.
    type Parsed = Vec<(String, String, u32, usize)>;

    fn parse_text(text: &str) -> (Parsed, Vec<InputError>) {
        let (df, errors) = parse(
            text,
            Location {
                source: SourceId(0),
                line: 1,
            },
            "Dockerfile",
        );
        (
            df.instructions
                .into_iter()
                .map(|i| (i.keyword, i.args, i.line, i.stage))
                .collect(),
            errors,
        )
    }

    #[test]
    fn continuations_comments_and_stages() {
        let (got, errors) = parse_text(
            "# syntax=docker/dockerfile:1\nFROM golang:1.22 AS build\nRUN apt-get update && \\\n    # a comment inside\n    apt-get install -y git\nFROM gcr.io/distroless/static\ncopy --from=build /app /app\nUSER 65532\n",
        );
        assert!(errors.is_empty());
        assert_eq!(
            got,
            vec![
                ("FROM".into(), "golang:1.22 AS build".into(), 2, 0),
                (
                    "RUN".into(),
                    "apt-get update &&  apt-get install -y git".into(),
                    3,
                    0
                ),
                ("FROM".into(), "gcr.io/distroless/static".into(), 6, 1),
                ("COPY".into(), "--from=build /app /app".into(), 7, 1),
                ("USER".into(), "65532".into(), 8, 1),
            ]
        );
    }

    #[test]
    fn escape_directive_and_heredoc() {
        let (got, _) = parse_text(
            "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\nRUN <<EOF\nset -e\necho hi\nEOF\nUSER app\n",
        );
        assert_eq!(got[1].1, "dir  c:\\");
        assert_eq!(got[2].1, "<<EOF\nset -e\necho hi");
        assert_eq!(got[3], ("USER".into(), "app".into(), 9, 0));
    }

    #[test]
    fn unknown_instructions_are_errors_with_line() {
        let (got, errors) = parse_text("FROM x\nFOO bar\n");
        assert_eq!(got.len(), 1);
        assert_eq!(errors[0].line, Some(2));
        assert!(looks_like_dockerfile("# comment\nARG V=1\nFROM x"));
        assert!(!looks_like_dockerfile("apiVersion: v1\n"));
    }
}
