//! Where a property came from, so that every problem can point at a file and a line.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A file and, when known, a 1-based line. Cheap to clone: the path is shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as given (relative or absolute).
    pub file: Arc<Path>,
    /// The 1-based line within it; `None` for the file as a whole.
    pub line: Option<u32>,
}

impl Origin {
    /// The file as a whole (for problems that no single line causes, e.g. a missing key).
    pub fn file(file: impl AsRef<Path>) -> Origin {
        Origin {
            file: Arc::from(file.as_ref()),
            line: None,
        }
    }
    /// The same file at `line`.
    pub fn at_line(&self, line: Option<u32>) -> Origin {
        Origin {
            file: self.file.clone(),
            line,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file.display()),
            None => write!(f, "{}", self.file.display()),
        }
    }
}
