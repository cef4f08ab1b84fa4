//! The canonical text of a query: one space between terms, keywords in
//! upper case, values quoted only where they must be. It parses back to the
//! same query.

use std::fmt::{self, Display, Formatter};

use super::ast::{
    AnyOf, Clause, ComputerTerm, ComputerTermKind, DateBound, DatePrecision, Query, TermKind,
};
use super::lexer::quote_if_needed;

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, group) in self.all.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{group}")?;
        }
        Ok(())
    }
}

impl Display for AnyOf {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, clause) in self.any.iter().enumerate() {
            if i > 0 {
                f.write_str(" OR ")?;
            }
            write!(f, "{clause}")?;
        }
        Ok(())
    }
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("NOT ")?;
        }
        write!(f, "{}", self.term.kind)
    }
}

/// A value after `key:`: colons there are plain text.
fn value(v: &str) -> String {
    quote_if_needed(v, false)
}

impl Display for TermKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TermKind::Id(n) => write!(f, "id:{n}"),
            TermKind::ParentId(n) => write!(f, "parent-id:{n}"),
            TermKind::Status(s) => write!(f, "status:{s}"),
            TermKind::CreatedAfter(d) => write!(f, "created-after:{d}"),
            TermKind::CreatedBefore(d) => write!(f, "created-before:{d}"),
            TermKind::Creator(e) => write!(f, "creator:{}", value(e)),
            TermKind::Type(t) => write!(f, "type:{}", value(t)),
            TermKind::Computer(c) => write!(f, "computer:{c}"),
            // A bare word with a colon would read as a term: quote it.
            TermKind::Word(w) => f.write_str(&quote_if_needed(w, true)),
        }
    }
}

impl Display for ComputerTerm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ComputerTermKind::Id(n) => write!(f, "id:{n}"),
            ComputerTermKind::Tag(v) => write!(f, "tag:{}", value(v)),
            ComputerTermKind::Hostname(v) => write!(f, "hostname:{}", value(v)),
            ComputerTermKind::Title(v) => write!(f, "title:{}", value(v)),
            ComputerTermKind::Distribution(v) => write!(f, "distribution:{}", value(v)),
            ComputerTermKind::AccessGroup(v) => write!(f, "access-group:{}", value(v)),
            ComputerTermKind::Alert(v) => write!(f, "alert:{}", value(v)),
            ComputerTermKind::Mac(v) => write!(f, "mac:{}", value(v)),
            ComputerTermKind::Ip(v) => write!(f, "ip:{}", value(v)),
            ComputerTermKind::Annotation { key, value: None } => {
                write!(f, "annotation:{}", quote_if_needed(key, true))
            }
            ComputerTermKind::Annotation {
                key,
                value: Some(v),
            } => {
                write!(f, "annotation:{}:{}", quote_if_needed(key, true), value(v))
            }
            ComputerTermKind::NeedsReboot => f.write_str("needs:reboot"),
            ComputerTermKind::Search { name, .. } => write!(f, "search:{}", value(name)),
            ComputerTermKind::Word(w) => f.write_str(&quote_if_needed(w, true)),
            ComputerTermKind::Unknown { key, value: v } => {
                write!(f, "{}:{}", quote_if_needed(key, true), value(v))
            }
        }
    }
}

impl Display for DateBound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let format = match self.precision {
            DatePrecision::Year => "%Y",
            DatePrecision::Month => "%Y-%m",
            DatePrecision::Day => "%Y-%m-%d",
            DatePrecision::Hour => "%Y-%m-%dT%H",
            DatePrecision::Minute => "%Y-%m-%dT%H:%M",
            DatePrecision::Second => "%Y-%m-%dT%H:%M:%S",
        };
        write!(f, "{}", self.start.format(format))
    }
}
