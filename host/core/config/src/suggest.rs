//! "Did you mean …?" for misspelt keys and aliases.

/// The candidate closest to `input`, if one is close enough to be a likely typo: the
/// same up to case and `_`/`-`/`.` separators, a longer key that `input` is the start of
/// (`sandbox.memory` → `sandbox.memory.max.bytes`), or within a small edit distance
/// (Damerau–Levenshtein, so a swapped pair of letters counts once).
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = normalize(input);
    let budget = (input.chars().count() / 5).clamp(1, 4);
    let truncated = format!("{input}.");
    candidates
        .into_iter()
        .filter(|c| *c != input)
        .filter_map(|c| {
            let distance = if normalize(c) == wanted || c.starts_with(&truncated) {
                0
            } else {
                strsim::damerau_levenshtein(&input.to_ascii_lowercase(), &c.to_ascii_lowercase())
            };
            (distance <= budget).then_some((distance, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` or nothing, to append to a message.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(input, candidates)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &[
        "kinetica.batch_size",
        "kinetica.url",
        "kinetica.timeout",
        "tasks.max",
    ];

    #[test]
    fn typical_typos() {
        assert_eq!(
            suggest("kinetica.batchsize", KEYS.iter().copied()),
            Some("kinetica.batch_size")
        );
        assert_eq!(
            suggest("kinetica.ulr", KEYS.iter().copied()),
            Some("kinetica.url")
        );
        assert_eq!(
            suggest("tasks.maxx", KEYS.iter().copied()),
            Some("tasks.max")
        );
        assert_eq!(
            suggest("Kinetica.Timeout", KEYS.iter().copied()),
            Some("kinetica.timeout")
        );
        assert_eq!(suggest("msk", ["mask", "route"]), Some("mask"));
        assert_eq!(
            suggest("sandbox.memory", ["sandbox.memory.max.bytes", "type"]),
            Some("sandbox.memory.max.bytes")
        );
    }

    #[test]
    fn unrelated_keys_get_no_suggestion() {
        assert_eq!(suggest("completely.different", KEYS.iter().copied()), None);
        assert_eq!(did_you_mean("zz", ["mask"]), "");
    }
}
