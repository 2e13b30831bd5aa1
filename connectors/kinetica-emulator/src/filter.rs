//! A small subset of Kinetica's filter expressions, enough for key lookups
//! (`(k = 42) and (s = "x")`, `is_null(c)`) and simple test queries:
//! comparisons of a column with a literal, `is_null`, `and`, `or`, `not`,
//! parentheses.

use std::cmp::Ordering;

use sluice_kinetica::{KineticaType, Value};

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Cmp { col: usize, op: Op, lit: Literal },
    IsNull(usize),
    Not(Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Num(f64),
    Str(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Op(Op),
    LParen,
    RParen,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        match c {
            ' ' | '\t' | '\n' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '\'' | '"' => {
                let end = s[i + 1..]
                    .find(c)
                    .ok_or_else(|| "unterminated string literal".to_string())?;
                out.push(Tok::Str(s[i + 1..i + 1 + end].to_owned()));
                i += end + 2;
            }
            '=' | '!' | '<' | '>' => {
                let two = s.get(i..i + 2).unwrap_or("");
                let (op, len) = match two {
                    "==" => (Op::Eq, 2),
                    "!=" => (Op::Ne, 2),
                    "<>" => (Op::Ne, 2),
                    "<=" => (Op::Le, 2),
                    ">=" => (Op::Ge, 2),
                    _ => match c {
                        '=' => (Op::Eq, 1),
                        '<' => (Op::Lt, 1),
                        '>' => (Op::Gt, 1),
                        _ => return Err(format!("unexpected '{c}'")),
                    },
                };
                out.push(Tok::Op(op));
                i += len;
            }
            '&' if s.get(i..i + 2) == Some("&&") => {
                out.push(Tok::Ident("and".into()));
                i += 2;
            }
            '|' if s.get(i..i + 2) == Some("||") => {
                out.push(Tok::Ident("or".into()));
                i += 2;
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_digit() || matches!(b[i], b'.' | b'e' | b'E')) {
                    i += 1;
                }
                let n = s[start..i]
                    .parse()
                    .map_err(|_| format!("bad number '{}'", &s[start..i]))?;
                out.push(Tok::Num(n));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
                out.push(Tok::Ident(s[start..i].to_owned()));
            }
            c => return Err(format!("unexpected '{c}'")),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    ty: &'a KineticaType,
}

impl Parser<'_> {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(w))
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        match self.next() {
            Some(Tok::LParen) => {
                let f = self.or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(f),
                    _ => Err("missing ')'".into()),
                }
            }
            Some(Tok::Ident(name)) if name.eq_ignore_ascii_case("is_null") => {
                let (Some(Tok::LParen), Some(Tok::Ident(col)), Some(Tok::RParen)) =
                    (self.next(), self.next(), self.next())
                else {
                    return Err("expected is_null(column)".into());
                };
                Ok(Filter::IsNull(self.column(&col)?))
            }
            Some(Tok::Ident(col)) => {
                let col = self.column(&col)?;
                let Some(Tok::Op(op)) = self.next() else {
                    return Err("expected a comparison operator".into());
                };
                let lit = match self.next() {
                    Some(Tok::Num(n)) => Literal::Num(n),
                    Some(Tok::Str(s)) => Literal::Str(s),
                    _ => return Err("expected a literal".into()),
                };
                Ok(Filter::Cmp { col, op, lit })
            }
            other => Err(format!("unexpected token {other:?}")),
        }
    }

    fn column(&self, name: &str) -> Result<usize, String> {
        self.ty
            .column_index(name)
            .ok_or_else(|| format!("unknown column '{name}'"))
    }
}

impl Filter {
    /// Parses `expr` against the columns of `ty`.
    pub fn parse(expr: &str, ty: &KineticaType) -> Result<Filter, String> {
        let mut p = Parser {
            toks: tokenize(expr)?,
            pos: 0,
            ty,
        };
        let f = p.or()?;
        if p.pos != p.toks.len() {
            return Err(format!("unexpected trailing input in '{expr}'"));
        }
        Ok(f)
    }

    /// Whether `row` matches.
    pub fn matches(&self, row: &[Value]) -> bool {
        match self {
            Filter::IsNull(c) => row[*c].is_null(),
            Filter::Not(f) => !f.matches(row),
            Filter::And(a, b) => a.matches(row) && b.matches(row),
            Filter::Or(a, b) => a.matches(row) || b.matches(row),
            Filter::Cmp { col, op, lit } => {
                let Some(ord) = compare(&row[*col], lit) else {
                    return false;
                };
                match op {
                    Op::Eq => ord == Ordering::Equal,
                    Op::Ne => ord != Ordering::Equal,
                    Op::Lt => ord == Ordering::Less,
                    Op::Le => ord != Ordering::Greater,
                    Op::Gt => ord == Ordering::Greater,
                    Op::Ge => ord != Ordering::Less,
                }
            }
        }
    }
}

fn compare(v: &Value, lit: &Literal) -> Option<Ordering> {
    match (v, lit) {
        (Value::Int(x), Literal::Num(n)) => f64::from(*x).partial_cmp(n),
        (Value::Long(x), Literal::Num(n)) => (*x as f64).partial_cmp(n),
        (Value::Float(x), Literal::Num(n)) => f64::from(*x).partial_cmp(n),
        (Value::Double(x), Literal::Num(n)) => x.partial_cmp(n),
        (Value::String(s), Literal::Str(l)) => Some(s.as_str().cmp(l.as_str())),
        (Value::String(s), Literal::Num(n)) => s.parse::<f64>().ok()?.partial_cmp(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lookup_expressions() {
        let ty =
            KineticaType::from_column_list(&[vec!["k", "long"], vec!["s", "string", "nullable"]])
                .unwrap();
        let row = vec![Value::Long(887691961636786), Value::String("x".into())];
        let f = Filter::parse("(k = 887691961636786)", &ty).unwrap();
        assert!(f.matches(&row));
        let f = Filter::parse("(k = 1) or (s == \"x\" and not is_null(s))", &ty).unwrap();
        assert!(f.matches(&row));
        let f = Filter::parse("k > 5 and s <> 'x'", &ty).unwrap();
        assert!(!f.matches(&row));
        assert!(Filter::parse("nope = 1", &ty).is_err());
        assert!(Filter::parse("k = ", &ty).is_err());
    }
}
