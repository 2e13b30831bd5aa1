//! Kafka Connect's `RegexRouter` (`org.apache.kafka.connect.transforms.RegexRouter`):
//! when `regex` matches a record's whole topic (Java's `Matcher.matches()`), the topic
//! becomes the first match replaced by `replacement` (Java's `replaceFirst`); other
//! records keep their topic.
//!
//! `replacement` has Java's syntax: `$n` and `${name}` insert a group, `\` escapes the
//! next character. It is translated once into the `regex` crate's syntax, and a group
//! the regex lacks is refused at `configure` (Java fails each record instead).
use regex::Regex;
use sluice_sdk::prelude::*;

struct RegexRouter {
    whole: Regex,
    regex: Regex,
    replacement: String,
}

impl Transform for RegexRouter {
    fn describe() -> Vec<Property> {
        vec![
            Property::string("regex", None, "Regular expression to use for matching."),
            Property::string("replacement", None, "Replacement string."),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let pattern = config.required("regex")?;
        let bad = |e: regex::Error| {
            Error::InvalidConfig(format!(
                "`regex`: not a regular expression: `{pattern}`: {}",
                sluice_sdk::problem_line(&e.to_string())
            ))
        };
        let regex = Regex::new(&pattern).map_err(bad)?;
        let whole = Regex::new(&format!("^(?:{pattern})$")).map_err(bad)?;
        let replacement = java_replacement(&config.required("replacement")?, &regex)
            .map_err(|e| Error::InvalidConfig(format!("`replacement`: {e}")))?;
        Ok(RegexRouter {
            whole,
            regex,
            replacement,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let route = |topic: &str| {
            self.whole.is_match(topic).then(|| {
                self.regex
                    .replacen(topic, 1, &self.replacement)
                    .into_owned()
            })
        };
        // The usual batch comes from one topic: route it once.
        if let Some(topic) = batch.batch_topic() {
            if let Some(new) = route(&topic) {
                for i in 0..batch.len() {
                    batch.set_topic(i, &new);
                }
            }
            return Ok(());
        }
        for i in 0..batch.len() {
            if let Some(new) = route(&batch.topic(i)) {
                batch.set_topic(i, &new);
            }
        }
        Ok(())
    }
}

/// Translates a `java.util.regex.Matcher` replacement into the `regex` crate's: group
/// references become `${n}` / `${name}`, everything else literal (`$` doubled).
fn java_replacement(java: &str, regex: &Regex) -> Result<String, String> {
    let groups = regex.captures_len(); // group 0 included
    let mut out = String::new();
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(c) => out.push(c),
                None => return Err("ends with an unescaped `\\`".into()),
            },
            '$' => match chars.next() {
                Some('{') => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => return Err("a `${` group reference has no `}`".into()),
                        }
                    }
                    if regex.capture_names().flatten().all(|n| n != name) {
                        return Err(format!("no group named `{name}` in `regex`"));
                    }
                    out.push_str(&format!("${{{name}}}"));
                }
                Some(d) if d.is_ascii_digit() => {
                    // As Java: the first digit always counts; later digits join it
                    // while the number still names a group.
                    let mut n = d.to_digit(10).unwrap() as usize;
                    if n >= groups {
                        return Err(format!("no group {n} in `regex`"));
                    }
                    while let Some(next) = chars.peek().and_then(|c| c.to_digit(10)) {
                        let longer = n * 10 + next as usize;
                        if longer >= groups {
                            break;
                        }
                        n = longer;
                        chars.next();
                    }
                    out.push_str(&format!("${{{n}}}"));
                }
                _ => return Err("`$` must be followed by a group number or `{name}`".into()),
            },
            c => out.push(c),
        }
    }
    Ok(out)
}

sluice_sdk::export_transform!(RegexRouter);
