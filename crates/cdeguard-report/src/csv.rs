//! CSV (RFC 4180): a header row, then one row per finding.

use std::io::{self, Write};

use cdeguard_model::ScanReport;

/// Quotes a field when it contains a comma, quote or line break (RFC 4180), and defuses
/// spreadsheet formula injection (a leading `=`, `+`, `-`, `@`).
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"rule_id,severity,title,pci,cis,kind,namespace,name,container,file,line,layer_index,layer_digest,layer_status,layer_changed_in,message,evidence,remediation,suppressed,justification\r\n")?;
    for f in &report.findings {
        let cis: Vec<String> = f.cis.iter().map(ToString::to_string).collect();
        let layer = f.resource.layer.as_ref();
        let row = [
            f.rule_id.clone(),
            f.severity.as_str().to_owned(),
            f.title.clone(),
            f.pci.join(" "),
            cis.join("; "),
            f.resource.kind.clone(),
            f.resource.namespace.clone().unwrap_or_default(),
            f.resource.name.clone(),
            f.resource.container.clone().unwrap_or_default(),
            f.resource.file.clone(),
            f.resource.line.map(|l| l.to_string()).unwrap_or_default(),
            layer.map(|l| l.index.to_string()).unwrap_or_default(),
            layer.map(|l| l.digest.clone()).unwrap_or_default(),
            layer
                .map(|l| l.status.as_str().to_owned())
                .unwrap_or_default(),
            layer
                .and_then(|l| l.changed_in)
                .map(|i| i.to_string())
                .unwrap_or_default(),
            f.message.clone(),
            f.evidence.clone(),
            f.remediation.clone(),
            f.is_suppressed().to_string(),
            f.suppressed
                .as_ref()
                .map(|s| s.justification.clone())
                .unwrap_or_default(),
        ];
        let line: Vec<String> = row.iter().map(|v| field(v)).collect();
        out.write_all(line.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::field("a,b"), "\"a,b\"");
        assert_eq!(super::field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(super::field("=cmd()"), "'=cmd()");
        assert_eq!(super::field("plain"), "plain");
    }
}
