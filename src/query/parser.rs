//! Tokens to [`Query`], checking every term's value. Landscape's precedence:
//! `NOT` binds tightest, then `OR`, then the implicit AND.

use std::ops::Range;

use chrono::{NaiveDate, TimeZone, Utc};

use super::ast::{
    AnyOf, Clause, ComputerClause, ComputerQuery, ComputerTerm, ComputerTermKind, DateBound,
    DatePrecision, Query, Term, TermKind,
};
use super::lexer::{Token, TokenKind, first_colon, tokenize, unquote};
use super::vocabulary::{
    ALERTS, COMPUTER_KEYS, KEYS, KNOWN_TYPES, RELEASES, closest, release_number,
};
use super::{Mode, ParseOptions, Parsed, QueryError, QueryWarning};
use crate::model::ActivityStatus;

pub fn parse_with(input: &str, options: &ParseOptions) -> Result<Parsed, QueryError> {
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        input,
        options,
        warnings: Vec::new(),
    };
    let query = parser.query(&tokens)?;
    Ok(Parsed {
        query,
        warnings: parser.warnings,
    })
}

/// A computer query (`GetComputers`, `/computers`): computer terms with
/// the activity language's `OR` and `NOT`, and its precedence.
pub fn parse_computer_query(
    input: &str,
    options: &ParseOptions,
) -> Result<ComputerQuery, QueryError> {
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        input,
        options,
        warnings: Vec::new(),
    };
    let all = parser.groups(&tokens, Parser::computer_clause)?;
    Ok(ComputerQuery { all })
}

struct Parser<'a> {
    input: &'a str,
    options: &'a ParseOptions<'a>,
    warnings: Vec<QueryWarning>,
}

impl Parser<'_> {
    /// A date value: ISO-8601, or in the dashboard a relative date it
    /// expands before sending (see `relative`).
    fn date(&self, value: &str, span: Range<usize>) -> Result<DateBound, QueryError> {
        if !super::relative::looks_relative(value) {
            return date(value, span);
        }
        let Some((now, offset)) = self.options.relative_to else {
            return Err(QueryError::new(
                span,
                format!(
                    "\"{value}\" is a relative date, which only the dashboard expands; use ISO-8601 such as 2024-02-07T17:30"
                ),
            ));
        };
        match super::relative::resolve(value, now, offset) {
            Some(start) => Ok(DateBound {
                start: super::relative::to_minute(start),
                precision: DatePrecision::Minute,
            }),
            None => Err(QueryError::new(
                span,
                format!(
                    "\"{value}\" is not a date: relative dates are {}",
                    super::relative::FORMS.join(", ")
                ),
            )),
        }
    }

    fn query(&mut self, tokens: &[Token]) -> Result<Query, QueryError> {
        let all = self.groups(tokens, Parser::clause)?;
        Ok(Query {
            all: all.into_iter().map(|any| AnyOf { any }).collect(),
        })
    }

    /// The grammar both languages share: groups joined by AND (side by
    /// side), each clauses joined by `OR`; `clause` reads one clause.
    fn groups<C>(
        &mut self,
        tokens: &[Token],
        clause: fn(&mut Self, &[Token], &mut usize) -> Result<C, QueryError>,
    ) -> Result<Vec<Vec<C>>, QueryError> {
        let mut all = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if tokens[i].kind == TokenKind::Or {
                return Err(QueryError::new(
                    tokens[i].span.clone(),
                    "OR needs a term before it",
                ));
            }
            let mut any = vec![clause(self, tokens, &mut i)?];
            while i < tokens.len() && tokens[i].kind == TokenKind::Or {
                let or = &tokens[i];
                i += 1;
                match tokens.get(i).map(|t| &t.kind) {
                    None => {
                        return Err(QueryError::new(or.span.clone(), "OR needs a term after it"));
                    }
                    Some(TokenKind::Or) => {
                        return Err(QueryError::new(
                            tokens[i].span.clone(),
                            "OR cannot follow OR: put a term between them",
                        ));
                    }
                    _ => any.push(clause(self, tokens, &mut i)?),
                }
            }
            all.push(any);
        }
        Ok(all)
    }

    /// `NOT* term`, advancing `i` past it.
    fn clause(&mut self, tokens: &[Token], i: &mut usize) -> Result<Clause, QueryError> {
        let negated = self.negations(tokens, i)?;
        let token = &tokens[*i];
        *i += 1;
        self.traps(token)?;
        let term = match &token.kind {
            TokenKind::Word => Term {
                kind: TermKind::Word(unquote(self.input, token.span.clone())),
                span: token.span.clone(),
            },
            TokenKind::Term { key, value } => {
                self.term(token.span.clone(), key.clone(), value.clone())?
            }
            TokenKind::Or | TokenKind::Not => unreachable!("negations stops at a term"),
        };
        Ok(Clause { negated, term })
    }

    /// `NOT* computer-term`, advancing `i` past it.
    fn computer_clause(
        &mut self,
        tokens: &[Token],
        i: &mut usize,
    ) -> Result<ComputerClause, QueryError> {
        let negated = self.negations(tokens, i)?;
        let token = &tokens[*i];
        *i += 1;
        self.traps(token)?;
        Ok(ComputerClause {
            negated,
            term: self.computer(token.span.clone())?,
        })
    }

    /// The `NOT`s before a term (an odd number negates it), advancing `i`
    /// to the term.
    fn negations(&mut self, tokens: &[Token], i: &mut usize) -> Result<bool, QueryError> {
        let mut negated = false;
        while tokens[*i].kind == TokenKind::Not {
            let not = &tokens[*i];
            negated = !negated;
            *i += 1;
            match tokens.get(*i).map(|t| &t.kind) {
                None => {
                    return Err(QueryError::new(
                        not.span.clone(),
                        "NOT needs a term after it",
                    ));
                }
                Some(TokenKind::Or) => {
                    return Err(QueryError::new(
                        tokens[*i].span.clone(),
                        "OR cannot follow NOT: NOT applies to the one term after it",
                    ));
                }
                _ => {}
            }
        }
        Ok(negated)
    }

    /// Habits from other query languages, named: brackets are an error at
    /// the bracket; a bare `AND` is searched as a word, with a warning.
    fn traps(&mut self, token: &Token) -> Result<(), QueryError> {
        let text = &self.input[token.span.clone()];
        let quoted = text.contains('"');
        let brackets = "the search language has no brackets: terms side by side must all match, \
             and OR joins the two terms beside it (status:failed OR status:canceled computer:tag:web)";
        if !quoted && text.starts_with('(') {
            let at = token.span.start;
            return Err(QueryError::new(at..at + 1, brackets));
        }
        // (A word like `f(x)` is a word; a `)` with no `(` closes a bracket.)
        if !quoted && text.ends_with(')') && !text.contains('(') {
            let at = token.span.end - 1;
            return Err(QueryError::new(at..at + 1, brackets));
        }
        if token.kind == TokenKind::Word && text == "AND" {
            self.warnings.push(QueryWarning {
                span: token.span.clone(),
                message: "terms are already joined by AND, so AND is searched as a word: \
                          leave it out (or write \"AND\" to search for it)"
                    .into(),
            });
        }
        Ok(())
    }

    fn term(
        &mut self,
        span: Range<usize>,
        key_span: Range<usize>,
        value_span: Range<usize>,
    ) -> Result<Term, QueryError> {
        let key = unquote(self.input, key_span.clone()).to_ascii_lowercase();
        let value = unquote(self.input, value_span.clone());
        if !KEYS.contains(&key.as_str()) {
            let hint = closest(&key, KEYS)
                .map(|k| format!("did you mean \"{k}\"? "))
                .unwrap_or_default();
            return Err(QueryError::new(
                key_span.clone(),
                format!(
                    "unknown search key \"{}\"; {hint}keys are {}",
                    &self.input[key_span.clone()],
                    KEYS.join(", ")
                ),
            ));
        }
        if value.is_empty() {
            return Err(QueryError::new(
                span,
                format!("{key}: needs a value, e.g. {}", example(&key)),
            ));
        }
        let kind = match key.as_str() {
            "id" => TermKind::Id(number(&value, &key, value_span.clone())?),
            "parent-id" => TermKind::ParentId(number(&value, &key, value_span.clone())?),
            "status" => TermKind::Status(ActivityStatus::known(&value).ok_or_else(|| {
                QueryError::new(
                    value_span.clone(),
                    format!(
                        "unknown status \"{value}\"; expected one of {}",
                        ActivityStatus::NAMES.join(", ")
                    ),
                )
            })?),
            "created-after" => TermKind::CreatedAfter(self.date(&value, value_span.clone())?),
            "created-before" => TermKind::CreatedBefore(self.date(&value, value_span.clone())?),
            "creator" => TermKind::Creator(value),
            "type" => TermKind::Type(self.activity_type(value, value_span.clone())?),
            "computer" => TermKind::Computer(self.computer(value_span.clone())?),
            _ => unreachable!("KEYS checked above"),
        };
        Ok(Term { kind, span })
    }

    fn activity_type(&mut self, value: String, span: Range<usize>) -> Result<String, QueryError> {
        let known = |t: &str| {
            if self.options.types.is_empty() {
                KNOWN_TYPES.contains(&t)
            } else {
                self.options.types.iter().any(|k| k == t)
            }
        };
        if known(&value) {
            return Ok(value);
        }
        let suggestion = if self.options.types.is_empty() {
            closest(&value, KNOWN_TYPES.iter().copied())
        } else {
            closest(&value, self.options.types.iter().map(String::as_str))
        };
        let message = match suggestion {
            Some(s) => format!("unknown activity type \"{value}\"; did you mean \"{s}\"?"),
            None => format!("unknown activity type \"{value}\""),
        };
        match self.options.mode {
            Mode::Strict => Err(QueryError::new(span, message)),
            Mode::Lenient => {
                self.warnings.push(QueryWarning { span, message });
                Ok(value)
            }
        }
    }

    fn computer(&mut self, span: Range<usize>) -> Result<ComputerTerm, QueryError> {
        let Some(colon) = first_colon(self.input, span.clone()) else {
            return Ok(ComputerTerm {
                kind: ComputerTermKind::Word(unquote(self.input, span.clone())),
                span,
            });
        };
        let key_span = span.start..colon;
        let value_span = colon + 1..span.end;
        let key = unquote(self.input, key_span.clone()).to_ascii_lowercase();
        let value = unquote(self.input, value_span.clone());
        if !COMPUTER_KEYS.contains(&key.as_str()) {
            let hint = closest(&key, COMPUTER_KEYS)
                .map(|k| format!("did you mean \"{k}\"? "))
                .unwrap_or_default();
            let message = format!(
                "unknown computer key \"{key}\"; {hint}computer keys are {}",
                COMPUTER_KEYS.join(", ")
            );
            return match self.options.mode {
                Mode::Strict => Err(QueryError::new(key_span, message)),
                Mode::Lenient => {
                    self.warnings.push(QueryWarning {
                        span: key_span,
                        message: format!("{message} (the server decides)"),
                    });
                    Ok(ComputerTerm {
                        kind: ComputerTermKind::Unknown { key, value },
                        span,
                    })
                }
            };
        }
        if value.is_empty() {
            return Err(QueryError::new(
                span,
                format!("computer:{key}: needs a value"),
            ));
        }
        let kind = match key.as_str() {
            "id" => ComputerTermKind::Id(number(&value, "computer:id", value_span.clone())?),
            "tag" => ComputerTermKind::Tag(value),
            "hostname" => ComputerTermKind::Hostname(value),
            "title" => ComputerTermKind::Title(value),
            "distribution" => ComputerTermKind::Distribution(release_number(&value).ok_or_else(|| {
                let hint = closest(&value, RELEASES.iter().map(|(c, _)| *c)).unwrap_or("jammy");
                QueryError::new(
                    value_span.clone(),
                    format!(
                        "unknown distribution \"{value}\"; give a release number like 22.04 or a code name (did you mean \"{hint}\"?)"
                    ),
                )
            })?),
            "access-group" => ComputerTermKind::AccessGroup(value),
            "alert" => {
                if !ALERTS.contains(&value.as_str()) {
                    let message = format!(
                        "unknown alert \"{value}\"; alerts are {}",
                        ALERTS.join(", ")
                    );
                    match self.options.mode {
                        Mode::Strict => return Err(QueryError::new(value_span, message)),
                        Mode::Lenient => self.warnings.push(QueryWarning {
                            span: value_span.clone(),
                            message,
                        }),
                    }
                }
                ComputerTermKind::Alert(value)
            }
            "mac" => ComputerTermKind::Mac(value),
            "ip" => ComputerTermKind::Ip(value),
            "annotation" => match first_colon(self.input, value_span.clone()) {
                Some(c) => ComputerTermKind::Annotation {
                    key: unquote(self.input, value_span.start..c),
                    value: Some(unquote(self.input, c + 1..value_span.end)),
                },
                None => ComputerTermKind::Annotation { key: value, value: None },
            },
            "needs" => {
                if value != "reboot" {
                    return Err(QueryError::new(
                        value_span,
                        format!("needs:{value} is not a computer term; the one need is needs:reboot"),
                    ));
                }
                ComputerTermKind::NeedsReboot
            }
            "search" => ComputerTermKind::Search {
                name: value,
                resolved: None,
            },
            _ => unreachable!("COMPUTER_KEYS checked above"),
        };
        Ok(ComputerTerm { kind, span })
    }
}

fn example(key: &str) -> &'static str {
    match key {
        "id" => "id:71666950",
        "parent-id" => "parent-id:71666947",
        "status" => "status:failed",
        "created-after" => "created-after:2024-02",
        "created-before" => "created-before:2024-03-01",
        "creator" => "creator:jane@example.com",
        "computer" => "computer:tag:laptop",
        _ => "type:ChangePackagesRequest",
    }
}

fn number(value: &str, key: &str, span: Range<usize>) -> Result<u64, QueryError> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QueryError::new(
            span,
            format!("{key} takes a non-negative whole number, not \"{value}\""),
        ));
    }
    value
        .parse()
        .map_err(|_| QueryError::new(span, format!("{key}: {value} is too large")))
}

/// ISO-8601 at any precision from a year to a second, optionally with `Z`.
fn date(value: &str, span: Range<usize>) -> Result<DateBound, QueryError> {
    let bad = |why: &str| {
        QueryError::new(
            span.clone(),
            format!(
                "\"{value}\" is not a date: {why}; use ISO-8601 such as 2024, 2024-02, 2024-02-07 or 2024-02-07T17:30"
            ),
        )
    };
    let text = value.strip_suffix('Z').unwrap_or(value);
    let (date_part, time_part) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let date_fields: Vec<&str> = date_part.split('-').collect();
    if date_fields.is_empty() || date_fields.len() > 3 || !digits(date_fields[0], 4) {
        return Err(bad("expected a four-digit year first"));
    }
    if date_fields[1..].iter().any(|f| !digits(f, 2)) {
        return Err(bad("month and day take two digits"));
    }
    let year: i32 = date_fields[0].parse().map_err(|_| bad("bad year"))?;
    let month: u32 = date_fields
        .get(1)
        .map_or(Ok(1), |m| m.parse())
        .map_err(|_| bad("bad month"))?;
    let day: u32 = date_fields
        .get(2)
        .map_or(Ok(1), |d| d.parse())
        .map_err(|_| bad("bad day"))?;
    let mut precision = [
        DatePrecision::Year,
        DatePrecision::Month,
        DatePrecision::Day,
    ][date_fields.len() - 1];
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    if let Some(time) = time_part {
        if date_fields.len() != 3 {
            return Err(bad("a time needs a full date before the T"));
        }
        let fields: Vec<&str> = time.split(':').collect();
        if fields.is_empty() || fields.len() > 3 || fields.iter().any(|f| !digits(f, 2)) {
            return Err(bad("time fields take two digits, as in T10:30"));
        }
        let get = |i: usize| fields.get(i).map_or(Ok(0), |f| f.parse::<u32>());
        hour = get(0).map_err(|_| bad("bad hour"))?;
        minute = get(1).map_err(|_| bad("bad minute"))?;
        second = get(2).map_err(|_| bad("bad second"))?;
        precision = [
            DatePrecision::Hour,
            DatePrecision::Minute,
            DatePrecision::Second,
        ][fields.len() - 1];
    } else if value.ends_with('Z') {
        return Err(bad("Z follows a time"));
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| bad("no such day"))?;
    let time = date
        .and_hms_opt(hour, minute, second)
        .ok_or_else(|| bad("no such time of day"))?;
    Ok(DateBound {
        start: Utc.from_utc_datetime(&time),
        precision,
    })
}
