//! Durations as operators write them (`--timeout 30m`, `:rollout --soak 10m`).

/// `500ms`, `10s`, `30m`, `2h`, `1d`; a bare number is seconds.
pub fn parse(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (say 90s, 30m or 2h)"))?;
    let ms = match unit {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!(
                "{text:?}: unit {unit:?} is not one of ms, s, m, h, d"
            ));
        }
    };
    n.checked_mul(ms)
        .map(std::time::Duration::from_millis)
        .ok_or_else(|| format!("{text:?} is too long"))
}
