//! Why an activity that is not final waits, in words: for approval, for
//! its delivery time, for its computer (which Landscape reaches only when
//! the client pings or exchanges), for another activity. Landscape's own
//! troubleshooting rule decides whom to blame: one computer's activities
//! queued point at that computer, every computer's at the server.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use super::{Activity, ActivityStatus, Computer};

/// The Landscape client pings every 30 s (asking whether the server has
/// anything for it), exchanges every 15 min, and at once (within a
/// minute) when a ping said there is something.
pub const PING_INTERVAL: Duration = Duration::seconds(30);
pub const EXCHANGE_INTERVAL: Duration = Duration::minutes(15);
pub const URGENT_EXCHANGE: Duration = Duration::minutes(1);

/// A computer that has not pinged for this long (ten pings missed) is
/// not in touch: what waits for it waits until it is back.
pub const SILENT_AFTER: Duration = Duration::minutes(5);

/// Queued this long for a computer that pings is longer than the client's
/// timings explain.
pub const QUEUED_TOO_LONG: Duration = Duration::minutes(5);

/// When a computer was last in touch with the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Contact {
    pub last_ping: Option<DateTime<Utc>>,
    pub last_exchange: Option<DateTime<Utc>>,
}

impl Contact {
    /// From the record's `last_ping_time` and `last_exchange_time`.
    pub fn of(c: &Computer) -> Contact {
        let time = |name: &str| {
            c.extra
                .get(name)
                .and_then(|v| v.as_str())
                .and_then(parse_time)
        };
        Contact {
            last_ping: time("last_ping_time"),
            last_exchange: time("last_exchange_time"),
        }
    }

    /// The last time it was heard from at all.
    pub fn last_heard(&self) -> Option<DateTime<Utc>> {
        self.last_ping.max(self.last_exchange)
    }

    /// Not heard from for [`SILENT_AFTER`] (or never).
    pub fn silent(&self, now: DateTime<Utc>) -> bool {
        self.last_heard().is_none_or(|t| now - t >= SILENT_AFTER)
    }
}

/// Landscape writes `2024-02-07T10:30:00Z`, or without the zone (UTC).
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

/// `2 h`, `45 min`, `3 d`, `20 s`: how long, as the operator reads it.
pub fn span(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..120 => format!("{s} s"),
        120..7_200 => format!("{} min", s / 60),
        7_200..172_800 => format!("{} h", s / 3_600),
        _ => format!("{} d", s / 86_400),
    }
}

/// What an activity waits for; `None` when it is final (or a group, whose
/// children wait: see [`group_verdict`]). `name` is its computer's title
/// when known, `contact` its last contact once read.
pub fn verdict(
    a: &Activity,
    name: Option<&str>,
    contact: Option<Contact>,
    now: DateTime<Utc>,
) -> Option<Vec<String>> {
    let status = a.status()?;
    if status.is_final() || a.is_parent() {
        return None;
    }
    let ago = |t: DateTime<Utc>| span(now - t);
    let mut out = Vec::new();
    let who = creator(a);
    match status {
        ActivityStatus::Unapproved => out.push(format!(
            "Waits for approval, for {}: {who} created it; nothing is sent to the computer until someone approves it",
            ago(a.creation_time)
        )),
        ActivityStatus::Blocked => out.push(format!(
            "Blocked for {}: paused by the server (often for an approval) until what holds it is resolved",
            ago(a.modification_time.copied().unwrap_or(a.creation_time))
        )),
        ActivityStatus::Waiting => out.push(format!(
            "Waiting for {}: for another activity to finish first",
            ago(a.modification_time.copied().unwrap_or(a.creation_time))
        )),
        _ => {}
    }
    if let Some(after) = a.deliver_after_time.copied()
        && after > now
    {
        out.push(format!(
            "Scheduled: not delivered before {} (in {})",
            after.format("%Y-%m-%d %H:%M UTC"),
            span(after - now)
        ));
        return Some(out);
    }
    let queued_since = [a.approval_time.copied(), a.deliver_after_time.copied()]
        .into_iter()
        .flatten()
        .fold(a.creation_time, DateTime::max);
    let name = name.map(str::to_owned);
    match status {
        ActivityStatus::Undelivered | ActivityStatus::Scheduled => {
            let on = name.clone().unwrap_or_else(|| "its computer".to_owned());
            queued(&mut out, &on, queued_since, contact, now);
        }
        ActivityStatus::Delivered => {
            let since = a.delivery_time.copied().unwrap_or(queued_since);
            let on = name.unwrap_or_else(|| "the computer".to_owned());
            out.push(format!(
                "Delivered {} ago: {on} runs it and reports at its next exchange (every {}; {} when urgent)",
                ago(since),
                span(EXCHANGE_INTERVAL),
                span(URGENT_EXCHANGE)
            ));
            if let Some(c) = contact
                && c.silent(now)
                && let Some(t) = c.last_heard()
            {
                out.push(format!(
                    "{on} has not been heard from for {}: its report waits for it to come back",
                    span(now - t)
                ));
            }
        }
        _ => {}
    }
    Some(out)
}

/// Who created `a`, said as "Name <email>" when both are known.
fn creator(a: &Activity) -> String {
    a.creator
        .get()
        .map(|c| {
            let name = c.name.get().map(String::as_str).unwrap_or("");
            match c.email() {
                Some(e) if !name.is_empty() => format!("{name} <{e}>"),
                Some(e) => e.to_owned(),
                None => name.to_owned(),
            }
        })
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "someone".to_owned())
}

/// Why an activity queued for computer `on` since `since` is not sent
/// yet, by what its computer's last contact says.
fn queued(
    out: &mut Vec<String>,
    on: &str,
    since: DateTime<Utc>,
    contact: Option<Contact>,
    now: DateTime<Utc>,
) {
    out.push(format!(
        "Queued for {on} for {}: sent when its client next asks (it pings every {}, exchanges every {})",
        span(now - since),
        span(PING_INTERVAL),
        span(EXCHANGE_INTERVAL)
    ));
    match contact {
        Some(c) if c.silent(now) => out.push(match c.last_heard() {
            Some(t) => format!(
                "{on} has not pinged for {} (last heard {}): it waits for that computer to come back",
                span(now - t),
                t.format("%Y-%m-%d %H:%M UTC")
            ),
            None => format!("{on} has never pinged: it waits for that computer to register"),
        }),
        Some(c) if now - since >= QUEUED_TOO_LONG => out.push(format!(
            "{on} pinged {} ago, yet this is queued for {}: longer than the client's timings explain; if every computer's activities are queued, look at the server",
            c.last_ping.map_or_else(|| "—".to_owned(), |t| span(now - t)),
            span(now - since)
        )),
        Some(c) => out.push(format!(
            "{on} pinged {} ago: it fetches this at its next urgent exchange (within {})",
            c.last_ping.map_or_else(|| "—".to_owned(), |t| span(now - t)),
            span(URGENT_EXCHANGE)
        )),
        None => {}
    }
}

/// One line for a group whose children wait on computers: how many of the
/// waiting children's computers have gone silent, and whom that points
/// at. `children` are (status, the computer's contact when read).
pub fn group_verdict(
    children: &[(ActivityStatus, Option<Contact>)],
    now: DateTime<Utc>,
) -> Option<String> {
    let waiting: Vec<&Option<Contact>> = children
        .iter()
        .filter(|(s, _)| matches!(s, ActivityStatus::Undelivered | ActivityStatus::Delivered))
        .map(|(_, c)| c)
        .collect();
    let known: Vec<&Contact> = waiting.iter().filter_map(|c| c.as_ref()).collect();
    if known.is_empty() {
        return None;
    }
    let silent: Vec<&&Contact> = known.iter().filter(|c| c.silent(now)).collect();
    let n = known.len();
    if silent.is_empty() {
        return Some(format!(
            "all {n} waiting computer{} pinged in the last {}: if this stays queued, look at the server",
            if n == 1 { "" } else { "s" },
            span(SILENT_AFTER)
        ));
    }
    // The least silent of the silent: "for at least this long".
    let for_at_least = silent
        .iter()
        .filter_map(|c| c.last_heard())
        .max()
        .map_or_else(|| "ever".to_owned(), |t| span(now - t));
    if n == 1 {
        return Some(format!(
            "its one waiting computer has not pinged for {for_at_least}: that computer holds it up, not the server"
        ));
    }
    Some(format!(
        "{} of {n} waiting computers have not pinged for {for_at_least}: they hold it up, not the server",
        silent.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Creator, Field};
    use chrono::TimeZone;
    use std::sync::Arc;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap()
    }

    fn activity(status: ActivityStatus, created_ago: Duration) -> Activity {
        let mut a = Activity::new(
            7,
            "ChangePackagesRequest",
            "Upgrade openssl",
            now() - created_ago,
        );
        a.activity_status = Field::Value(status);
        a.creator = Field::Value(Arc::new(Creator::new("Jane Smith", "jane@example.com", 1)));
        a.computer_id = Field::Value(3);
        a
    }

    fn contact(ping_ago: Duration) -> Contact {
        Contact {
            last_ping: Some(now() - ping_ago),
            last_exchange: Some(now() - ping_ago - Duration::minutes(3)),
        }
    }

    #[test]
    fn an_unapproved_activity_waits_for_approval_and_names_its_creator() {
        let a = activity(ActivityStatus::Unapproved, Duration::hours(3));
        let v = verdict(&a, None, None, now()).unwrap();
        assert_eq!(
            v[0],
            "Waits for approval, for 3 h: Jane Smith <jane@example.com> created it; nothing is sent to the computer until someone approves it"
        );
    }

    #[test]
    fn a_scheduled_activity_waits_for_its_time() {
        let mut a = activity(ActivityStatus::Scheduled, Duration::hours(1));
        a.deliver_after_time = Field::Value(now() + Duration::hours(5));
        let v = verdict(
            &a,
            Some("web-01"),
            Some(contact(Duration::seconds(10))),
            now(),
        )
        .unwrap();
        assert_eq!(
            v,
            ["Scheduled: not delivered before 2026-03-02 17:00 UTC (in 5 h)"]
        );
    }

    #[test]
    fn a_queued_activity_blames_a_silent_computer_or_the_server() {
        let mut a = activity(ActivityStatus::Undelivered, Duration::hours(2));
        a.approval_time = Field::Value(now() - Duration::minutes(90));
        let silent = verdict(
            &a,
            Some("kiosk-store-004"),
            Some(contact(Duration::hours(26))),
            now(),
        )
        .unwrap();
        assert!(
            silent[0].starts_with("Queued for kiosk-store-004 for 90 min"),
            "{silent:?}"
        );
        assert!(
            silent[1].starts_with("kiosk-store-004 has not pinged for 26 h"),
            "{silent:?}"
        );
        let pinging = verdict(
            &a,
            Some("web-01"),
            Some(contact(Duration::seconds(12))),
            now(),
        )
        .unwrap();
        assert!(
            pinging[1].contains("pinged 12 s ago, yet this is queued for 90 min"),
            "{pinging:?}"
        );
        assert!(pinging[1].contains("look at the server"));
        a.approval_time = Field::Value(now() - Duration::seconds(40));
        let fresh = verdict(
            &a,
            Some("web-01"),
            Some(contact(Duration::seconds(12))),
            now(),
        )
        .unwrap();
        assert!(
            fresh[1].contains("next urgent exchange (within 60 s)"),
            "{fresh:?}"
        );
    }

    #[test]
    fn a_delivered_activity_waits_for_the_report() {
        let mut a = activity(ActivityStatus::Delivered, Duration::hours(1));
        a.delivery_time = Field::Value(now() - Duration::minutes(20));
        let v = verdict(&a, Some("db-01"), Some(contact(Duration::hours(3))), now()).unwrap();
        assert!(
            v[0].starts_with("Delivered 20 min ago: db-01 runs it"),
            "{v:?}"
        );
        assert_eq!(
            v[1],
            "db-01 has not been heard from for 3 h: its report waits for it to come back"
        );
    }

    #[test]
    fn final_activities_and_groups_wait_for_nothing() {
        assert!(
            verdict(
                &activity(ActivityStatus::Failed, Duration::hours(1)),
                None,
                None,
                now()
            )
            .is_none()
        );
        let mut g = activity(ActivityStatus::Undelivered, Duration::hours(1));
        g.activity_type = crate::model::ACTIVITY_GROUP.into();
        assert!(verdict(&g, None, None, now()).is_none());
    }

    #[test]
    fn a_group_says_once_how_many_waiting_computers_are_silent() {
        let u = ActivityStatus::Undelivered;
        let mut children = vec![(ActivityStatus::Succeeded, Some(contact(Duration::hours(9))))];
        for _ in 0..7 {
            children.push((u.clone(), Some(contact(Duration::hours(2)))));
        }
        children.push((u.clone(), Some(contact(Duration::seconds(5)))));
        children.push((u.clone(), Some(contact(Duration::seconds(20)))));
        assert_eq!(
            group_verdict(&children, now()).unwrap(),
            "7 of 9 waiting computers have not pinged for 2 h: they hold it up, not the server"
        );
        let all_fine: Vec<_> = children.iter().skip(8).cloned().collect();
        assert!(
            group_verdict(&all_fine, now())
                .unwrap()
                .contains("look at the server"),
            "every computer pings: the server is the suspect"
        );
        assert!(
            group_verdict(&[(u, None)], now()).is_none(),
            "nothing known, nothing said"
        );
    }

    #[test]
    fn contact_times_are_read_as_landscape_writes_them() {
        let mut c = Computer::new(1, "web-01");
        c.extra
            .insert("last_ping_time".into(), "2026-03-02T11:59:30Z".into());
        c.extra
            .insert("last_exchange_time".into(), "2026-03-02T11:50:00".into());
        let contact = Contact::of(&c);
        assert_eq!(contact.last_ping, Some(now() - Duration::seconds(30)));
        assert_eq!(contact.last_exchange, Some(now() - Duration::minutes(10)));
        assert!(!contact.silent(now()));
    }
}
