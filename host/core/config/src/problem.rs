//! Problems found while loading and validating configuration.
//!
//! Validation never stops at the first problem: every stage adds what it finds to a
//! [`Problems`] list, so one `sluice validate` run shows everything a user has to fix.
//! Each problem names the file (and line when known), the pipeline and the property.
//! Messages are written by this crate and never contain a secret value.

use std::fmt;

use crate::origin::Origin;

/// How bad a [`Problem`] is. Errors sort before warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The configuration is not usable.
    Error,
    /// Usable, but something deserves attention (e.g. a deprecated alias).
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Whether the problem makes the configuration unusable.
    pub severity: Severity,
    /// The file, and line when known, that caused it.
    pub origin: Origin,
    /// The pipeline's `name`, once known.
    pub pipeline: Option<String>,
    /// The full property key the problem is about, if any.
    pub property: Option<String>,
    /// What is wrong; never quotes a secret value.
    pub message: String,
}

impl fmt::Display for Problem {
    /// `error: pipelines/orders.yaml:7: pipeline `orders`: `kinetica.batchsize`: unknown property …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}:", self.severity, self.origin)?;
        if let Some(pipeline) = &self.pipeline {
            write!(f, " pipeline `{pipeline}`:")?;
        }
        if let Some(property) = &self.property {
            write!(f, " `{property}`:")?;
        }
        write!(f, " {}", self.message)
    }
}

/// The problems collected so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    items: Vec<Problem>,
}

impl Problems {
    /// No problems yet.
    pub fn new() -> Problems {
        Problems::default()
    }

    /// Adds an error at `origin` about `property` (its full key), if any.
    pub fn error(&mut self, origin: &Origin, property: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Error, origin, property, message.into());
    }

    /// Adds a warning at `origin` about `property` (its full key), if any.
    pub fn warning(&mut self, origin: &Origin, property: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Warning, origin, property, message.into());
    }

    fn push(
        &mut self,
        severity: Severity,
        origin: &Origin,
        property: Option<&str>,
        message: String,
    ) {
        self.items.push(Problem {
            severity,
            origin: origin.clone(),
            pipeline: None,
            property: property.map(str::to_owned),
            message,
        });
    }

    /// Adds every problem of `other`, in order.
    pub fn extend(&mut self, other: Problems) {
        self.items.extend(other.items);
    }

    /// Names the pipeline on every problem that does not name one yet. The name is only
    /// known once `name` has been read, after most problems were found.
    pub fn set_pipeline(&mut self, name: &str) {
        for p in self.items.iter_mut().filter(|p| p.pipeline.is_none()) {
            p.pipeline = Some(name.to_owned());
        }
    }

    /// Whether any problem is an error, which makes the configuration unusable.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|p| p.severity == Severity::Error)
    }
    /// Whether `property` already has an error, so that one mistake (e.g. an unset
    /// `${env:…}`) is reported once rather than again by every later check.
    pub fn has_error_for(&self, property: &str) -> bool {
        self.errors()
            .any(|p| p.property.as_deref() == Some(property))
    }
    /// The errors, in the order they were found.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.items.iter().filter(|p| p.severity == Severity::Error)
    }
    /// The warnings, in the order they were found.
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.items
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }
    /// Every problem, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.items.iter()
    }
    /// How many problems there are, errors and warnings.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl fmt::Display for Problems {
    /// One problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.items {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The outcome of a step that collects every problem instead of stopping at the first:
/// `value` is `Some` exactly when no problem is an error (warnings may remain).
#[derive(Debug)]
pub struct Checked<T> {
    /// The result; `None` if there is an error.
    pub value: Option<T>,
    /// Every problem found, errors and warnings.
    pub problems: Problems,
}

impl<T> Checked<T> {
    /// Builds the outcome, dropping `value` if `problems` holds an error.
    pub fn new(value: Option<T>, problems: Problems) -> Checked<T> {
        let value = if problems.has_errors() { None } else { value };
        Checked { value, problems }
    }
    /// `Ok((value, warnings))` or `Err(problems)`.
    pub fn into_result(self) -> Result<(T, Problems), Problems> {
        match self.value {
            Some(v) => Ok((v, self.problems)),
            None => Err(self.problems),
        }
    }
}
