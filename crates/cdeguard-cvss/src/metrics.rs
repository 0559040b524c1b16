//! The `METRIC:VALUE/METRIC:VALUE` grammar all CVSS versions share, checked against one
//! version's metric table.

use crate::{CvssError, CvssVersion};

/// One metric of a version: its abbreviation, allowed values, and whether a vector must
/// carry it (base metrics) or may leave it out (temporal, threat, environmental,
/// supplemental metrics, which then count as "Not Defined").
pub(crate) struct MetricDef {
    pub(crate) name: &'static str,
    pub(crate) values: &'static [&'static str],
    pub(crate) mandatory: bool,
}

/// A metric every vector of the version must carry.
pub(crate) const fn base(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef {
        name,
        values,
        mandatory: true,
    }
}

/// A metric a vector may leave out (temporal, threat, environmental, supplemental).
pub(crate) const fn optional(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef {
        name,
        values,
        mandatory: false,
    }
}

/// The metric values of one vector, aligned with the version's table.
pub(crate) struct Metrics {
    values: Vec<Option<&'static str>>,
}

impl Metrics {
    /// Parses `body` (the vector without its `CVSS:x.y/` prefix) against `table`.
    pub(crate) fn parse(
        version: CvssVersion,
        table: &'static [MetricDef],
        body: &str,
    ) -> Result<Self, CvssError> {
        let mut values = vec![None; table.len()];
        for field in body.split('/') {
            let Some((name, value)) = field.split_once(':') else {
                return Err(CvssError::MalformedField {
                    field: field.to_owned(),
                });
            };
            let Some(index) = table.iter().position(|metric| metric.name == name) else {
                return Err(CvssError::UnknownMetric {
                    version,
                    metric: name.to_owned(),
                });
            };
            let Some(known) = table[index].values.iter().find(|known| **known == value) else {
                return Err(CvssError::UnknownValue {
                    version,
                    metric: name.to_owned(),
                    value: value.to_owned(),
                });
            };
            if values[index].replace(*known).is_some() {
                return Err(CvssError::DuplicateMetric {
                    version,
                    metric: name.to_owned(),
                });
            }
        }
        if let Some(missing) = table
            .iter()
            .zip(&values)
            .find(|(metric, value)| metric.mandatory && value.is_none())
        {
            return Err(CvssError::MissingMetric {
                version,
                metric: missing.0.name,
            });
        }
        Ok(Self { values })
    }

    /// The value of `index` in the table, `None` when the vector leaves it out.
    pub(crate) fn get(&self, index: usize) -> Option<&'static str> {
        self.values[index]
    }

    /// `prefix` followed by the defined metrics in table order; `not_defined` (`X`, or
    /// `ND` in v2) counts as absent.
    pub(crate) fn normalised(
        &self,
        table: &[MetricDef],
        prefix: &str,
        not_defined: &str,
    ) -> String {
        let mut out = String::from(prefix);
        for (metric, value) in table.iter().zip(&self.values) {
            if let Some(value) = value.filter(|value| *value != not_defined) {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(metric.name);
                out.push(':');
                out.push_str(value);
            }
        }
        out
    }
}
