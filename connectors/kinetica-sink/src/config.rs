//! The Kinetica sink's declared properties (see docs/ and the reference behaviour notes §1).
