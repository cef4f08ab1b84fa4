//! The list's columns: which, in what order (`[list] columns` in the
//! config, `:columns` on the command line), and what each says of a row.

use crate::model::SortColumn;

macro_rules! list_columns {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal, $heading:literal, $sort:expr;)*) => {
        /// A column of the list.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ListColumn {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ListColumn {
            /// Every column, in the order the help lists them.
            pub const ALL: &[ListColumn] = &[$(ListColumn::$variant,)*];

            /// The name the config and `:columns` give it.
            pub fn name(self) -> &'static str {
                match self {
                    $(ListColumn::$variant => $name,)*
                }
            }

            /// Its heading on screen.
            pub fn heading(self) -> &'static str {
                match self {
                    $(ListColumn::$variant => $heading,)*
                }
            }

            /// The sort column it shows, when it shows one.
            pub fn sort(self) -> Option<SortColumn> {
                match self {
                    $(ListColumn::$variant => $sort,)*
                }
            }
        }
    };
}

list_columns! {
    /// Its status symbol and name (with progress while running).
    Status = "status", "status", Some(SortColumn::Status);
    Id = "id", "id", None;
    /// Relative within a day ("5m ago"), the date before.
    Created = "created", "created", Some(SortColumn::Created);
    /// The date with the time of day, in the operator's zone.
    CreatedAt = "created-at", "created at", Some(SortColumn::Created);
    Completed = "completed", "completed", None;
    /// From delivery (or approval) to completion; so far, while running.
    Duration = "duration", "took", None;
    Type = "type", "type", Some(SortColumn::Type);
    Summary = "summary", "summary", Some(SortColumn::Summary);
    Creator = "creator", "creator", None;
    /// The computer of a standalone activity (a group has many).
    Computer = "computer", "computer", None;
    /// A group's children by health: succeeded / pending / failed.
    Children = "children", "children", Some(SortColumn::Children);
    /// How many computers a group reaches.
    Computers = "computers", "comp.", Some(SortColumn::Computers);
    /// The server (profile, account) a row lives on, with several.
    Server = "server", "server", None;
}

/// The columns as they have always been.
pub const DEFAULT_COLUMNS: [ListColumn; 6] = [
    ListColumn::Status,
    ListColumn::Created,
    ListColumn::Type,
    ListColumn::Summary,
    ListColumn::Children,
    ListColumn::Computers,
];

impl ListColumn {
    pub fn parse(name: &str) -> Option<ListColumn> {
        let name = name.trim().to_ascii_lowercase();
        let name = match name.as_str() {
            "comp." | "comp" => "computers",
            "took" => "duration",
            "created_at" | "createdat" => "created-at",
            n => n,
        };
        ListColumn::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The names, for a message that lists them.
    pub fn names() -> String {
        ListColumn::ALL
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads a list of column names: each known, none twice, at least one.
pub fn parse_columns<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<ListColumn>, String> {
    let mut out = Vec::new();
    for name in names {
        let Some(c) = ListColumn::parse(name) else {
            return Err(format!(
                "no column {name:?}; columns: {}",
                ListColumn::names()
            ));
        };
        if out.contains(&c) {
            return Err(format!("{} is named twice", c.name()));
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(format!("name at least one column: {}", ListColumn::names()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_mistakes_are_said() {
        for c in ListColumn::ALL {
            assert_eq!(ListColumn::parse(c.name()), Some(*c));
        }
        assert_eq!(
            parse_columns(["status", "id", "summary"]).unwrap(),
            [ListColumn::Status, ListColumn::Id, ListColumn::Summary]
        );
        assert!(
            parse_columns(["status", "colour"])
                .unwrap_err()
                .contains("no column \"colour\"")
        );
        assert!(parse_columns(["id", "id"]).unwrap_err().contains("twice"));
        assert!(parse_columns([]).is_err());
    }
}
